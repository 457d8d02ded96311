/**
 * Resolution: a recipe file and everything it imports, loaded and checked file by file, with one
 * scope of declarations (the recipe's own and the ones it imports). Import paths are relative to
 * the importing file (`./shop.atune`) or name a package under node_modules
 * (`@acme/agent-recipes/webshop.atune`). Cycles and duplicate names are reported with both places.
 */
import { existsSync, readFileSync, statSync } from "node:fs";
import { dirname, isAbsolute, join, relative, resolve } from "node:path";
import type {
  Declaration,
  ImportDeclaration,
  Member,
  ParamDeclaration,
  RecipeDeclaration,
  Setting,
  SourceFile,
  SweepDeclaration,
} from "../ast/nodes.ts";
import { allMembers } from "../check/members.ts";
import { type Diagnostic, diagnostic } from "../diagnostics/diagnostic.ts";
import { checkSource } from "../index.ts";

/** A declaration (or param) in scope, with the file it comes from. */
export interface ScopeEntry<T = Declaration | ParamDeclaration> {
  node: T;
  file: string;
}

export interface Program {
  /** Absolute path of the recipe file. */
  file: string;
  recipe: RecipeDeclaration | null;
  /** Source text of every loaded file, by the path its spans carry (for code frames). */
  sources: Map<string, string>;
  declarations: Map<string, ScopeEntry<Declaration>>;
  params: Map<string, ScopeEntry<ParamDeclaration>>;
  sweeps: SweepDeclaration[];
  settings: Setting[];
  diagnostics: Diagnostic[];
}

interface LoadedFile {
  ast: SourceFile;
  /** What the file offers importers: its exported declarations and params, and what it re-exports. */
  exports: Map<string, ScopeEntry<Declaration | ParamDeclaration>>;
}

/** Where an import path points: relative to the importing file, or inside a package in node_modules. */
export function resolveImportPath(spec: string, fromFile: string): string | null {
  if (spec.startsWith("./") || spec.startsWith("../") || isAbsolute(spec)) {
    const path = resolve(dirname(fromFile), spec);
    return existsSync(path) && statSync(path).isFile() ? path : null;
  }
  for (let dir = dirname(resolve(fromFile)); ; dir = dirname(dir)) {
    const candidate = join(dir, "node_modules", spec);
    if (existsSync(candidate) && statSync(candidate).isFile()) return candidate;
    if (dirname(dir) === dir) return null;
  }
}

/** Loads `file` (as written by the user: spans carry this spelling) and its imports. */
export function loadProgram(file: string, source = readFileSync(file, "utf8")): Program {
  const sources = new Map<string, string>();
  const diagnostics: Diagnostic[] = [];
  const loaded = new Map<string, LoadedFile>();
  const loading: string[] = [];

  const load = (absolute: string, display: string, text: string): LoadedFile => {
    sources.set(display, text);
    const { ast, diagnostics: found } = checkSource(text, display);
    diagnostics.push(...found);
    loading.push(absolute);
    const exports: LoadedFile["exports"] = new Map();
    for (const item of ast.items) {
      if (item.kind !== "Import") continue;
      importFile(item, absolute, display);
    }
    for (const m of allMembers(ast)) {
      if ((m.kind === "Declaration" || m.kind === "Param") && m.exported) {
        exports.set(m.name.value, { node: m, file: display });
      }
    }
    loading.pop();
    const result = { ast, exports };
    loaded.set(absolute, result);
    return result;
  };

  /** The names an import brings into scope (null when the import itself failed). */
  const importsOf = new Map<ImportDeclaration, Map<string, ScopeEntry<Declaration | ParamDeclaration>>>();
  const importFile = (
    item: ImportDeclaration,
    fromAbsolute: string,
    fromDisplay: string,
  ): Map<string, ScopeEntry<Declaration | ParamDeclaration>> | null => {
    const spec = item.source.value;
    const target = resolveImportPath(spec, fromAbsolute);
    if (!target) {
      diagnostics.push(
        diagnostic("ATN3001", item.source.span, {
          message: `cannot find '${spec}' (imported by ${fromDisplay})`,
          help: spec.startsWith(".")
            ? "the path is relative to the importing file; check the spelling"
            : 'a package path names a file inside node_modules, e.g. "@acme/agent-recipes/webshop.atune"; install the package',
        }),
      );
      return null;
    }
    if (loading.includes(target)) {
      const chain = [...loading.slice(loading.indexOf(target)), target].map(displayPath).join(" → ");
      diagnostics.push(
        diagnostic("ATN3002", item.span, {
          message: `import cycle: ${chain}`,
          help: "move the shared declarations into a file that both import",
        }),
      );
      return null;
    }
    const file = loaded.get(target) ?? load(target, displayPath(target), readFileSync(target, "utf8"));
    if (file.ast.items.some((i) => i.kind === "Recipe")) {
      diagnostics.push(
        diagnostic("ATN3003", item.source.span, {
          message: `'${spec}' is a recipe; only library files (declarations without a recipe) can be imported`,
          help: "move the declarations to share into a library file and export them",
        }),
      );
      return null;
    }
    const names = new Map<string, ScopeEntry<Declaration | ParamDeclaration>>();
    if (item.names === null) {
      for (const [name, entry] of file.exports) names.set(name, entry);
    } else {
      for (const name of item.names) {
        const entry = file.exports.get(name.value);
        if (entry) {
          names.set(name.value, entry);
          continue;
        }
        const privateOne = allMembers(file.ast).find(
          (m) => (m.kind === "Declaration" || m.kind === "Param") && m.name.value === name.value,
        );
        diagnostics.push(
          diagnostic("ATN3003", name.span, {
            message: privateOne
              ? `'${name.value}' is declared in '${spec}' but not exported`
              : `'${spec}' exports no '${name.value}'`,
            help: privateOne
              ? `write 'export' before its declaration in ${displayPath(target)}`
              : `it exports: ${[...file.exports.keys()].join(", ") || "nothing"}`,
            related:
              privateOne && "span" in privateOne ? [{ message: "declared here", span: privateOne.span }] : [],
          }),
        );
      }
    }
    importsOf.set(item, names);
    return names;
  };

  const displayPath = (absolute: string) => relative(process.cwd(), absolute) || absolute;
  const rootAbsolute = resolve(file);
  // The root keeps the spelling the user gave, so its diagnostics read as they typed it.
  const root = load(rootAbsolute, file, source);
  loaded.set(rootAbsolute, root);

  const declarations = new Map<string, ScopeEntry<Declaration>>();
  const params = new Map<string, ScopeEntry<ParamDeclaration>>();
  const addToScope = (entry: ScopeEntry<Declaration | ParamDeclaration>, origin: string) => {
    const name = entry.node.name.value;
    const existing = declarations.get(name) ?? params.get(name);
    if (existing) {
      if (existing.node === entry.node) return;
      // Two declarations of one file are reported by that file's own check (ATN2003).
      if (existing.file === entry.file) return;
      diagnostics.push(
        diagnostic("ATN2003", entry.node.name.span, {
          message: `'${name}' ${origin} is already declared`,
          help: 'rename one of them, or import only the names you need: import { a, b } from "…"',
          related: [{ message: `'${name}' is first declared here`, span: existing.node.name.span }],
        }),
      );
      return;
    }
    if (entry.node.kind === "Param") params.set(name, entry as ScopeEntry<ParamDeclaration>);
    else declarations.set(name, entry as ScopeEntry<Declaration>);
  };
  // Imported names first: a recipe's own declaration that clashes is the one reported.
  for (const item of root.ast.items) {
    if (item.kind !== "Import") continue;
    for (const entry of importsOf.get(item)?.values() ?? [])
      addToScope(entry, `(imported from '${item.source.value}')`);
  }
  const members: Member[] = allMembers(root.ast);
  for (const m of members) {
    if (m.kind === "Declaration" || m.kind === "Param") addToScope({ node: m, file }, "");
  }
  const recipe = root.ast.items.find((i): i is RecipeDeclaration => i.kind === "Recipe") ?? null;
  return {
    file: rootAbsolute,
    recipe,
    sources,
    declarations,
    params,
    sweeps: members.filter((m): m is SweepDeclaration => m.kind === "Sweep"),
    settings: members.filter((m): m is Setting => m.kind === "Setting"),
    diagnostics,
  };
}
