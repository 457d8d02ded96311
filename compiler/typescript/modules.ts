/**
 * ATN3012: the TypeScript modules a recipe names (custom environments, filter predicates) are
 * checked at compile time with ts-morph — the file exists, the export exists, and its type is
 * assignable to the runtime's interface. One ts-morph Project per compile, made only when the
 * recipe names a module; the standard library is not checked.
 */
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type * as TsMorph from "ts-morph";
import type { Node, SourceFile } from "ts-morph";
import type { Expression, Span } from "../ast/nodes.ts";
import { type Diagnostic, diagnostic } from "../diagnostics/diagnostic.ts";
import { suggestionList } from "../diagnostics/suggest.ts";
import type { Program } from "../resolve/program.ts";

/** What a module export must be, by where the recipe uses it. */
const contracts = {
  environment: { type: "Environment", from: "runtime/env/types.ts", what: "an environment" },
  predicate: { type: "RecordPredicate", from: "runtime/filters/predicate.ts", what: "a filter predicate" },
} as const;
type Contract = keyof typeof contracts;

interface ModuleUse {
  path: string;
  exportName: string;
  pathSpan: Span;
  exportSpan: Span;
  contract: Contract;
}

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

/** Every module export the program names, with the interface it must satisfy. */
export function moduleUses(program: Program): ModuleUse[] {
  const uses: ModuleUse[] = [];
  const add = (e: Expression, contract: Contract, file: string) => {
    if (e.kind !== "Module") return;
    uses.push({
      path: resolve(dirname(resolve(file)), e.path.value),
      exportName: e.exportName?.value ?? "default",
      pathSpan: e.path.span,
      exportSpan: e.exportName?.span ?? e.path.span,
      contract,
    });
  };
  const visitCondition = (e: Expression, file: string) => {
    if (e.kind === "Module") add(e, "predicate", file);
    else if (e.kind === "Binary") {
      visitCondition(e.left, file);
      visitCondition(e.right, file);
    } else if (e.kind === "Unary") visitCondition(e.operand, file);
  };
  for (const { node, file } of program.declarations.values()) {
    if (node.declKind === "task") add(node.value, "environment", file);
    for (const entry of node.options?.entries ?? [])
      if (entry.kind === "Keep") visitCondition(entry.condition, node.span.file);
  }
  return uses;
}

export function checkModules(program: Program): Diagnostic[] {
  const uses = moduleUses(program);
  if (uses.length === 0) return [];
  const out: Diagnostic[] = [];
  // Loaded only when a recipe names a module: ts-morph takes most of a second to load.
  const { Project, ts } = createRequire(import.meta.url)("ts-morph") as typeof TsMorph;
  const project = new Project({
    compilerOptions: {
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.ESNext,
      moduleResolution: ts.ModuleResolutionKind.Bundler,
      allowImportingTsExtensions: true,
      noEmit: true,
      strict: true,
      skipLibCheck: true,
      // Only the probe files are judged; @types/node would triple the time for nothing.
      types: [],
      lib: ["lib.es2023.d.ts"],
    },
    skipAddingFilesFromTsConfig: true,
  });
  const probes: Array<{ use: ModuleUse; probe: SourceFile; declaration: Node }> = [];
  uses.forEach((use, index) => {
    if (!existsSync(use.path)) {
      out.push(
        diagnostic("ATN3012", use.pathSpan, {
          message: `the module ${use.path} does not exist`,
          help: "the path is relative to the recipe file",
        }),
      );
      return;
    }
    const source = project.addSourceFileAtPath(use.path);
    const exported = source.getExportedDeclarations();
    const declarations = exported.get(use.exportName);
    if (!declarations || declarations.length === 0) {
      const names = [...exported.keys()];
      out.push(
        diagnostic("ATN3012", use.exportSpan, {
          message: `${relativePath(use.path)} has no export '${use.exportName}'`,
          help: `it exports: ${names.join(", ") || "nothing"}`,
          suggestions: suggestionList(use.exportName, names),
        }),
      );
      return;
    }
    const contract = contracts[use.contract];
    // A probe file assigns the export to the interface; the compiler's verdict is the check.
    const probe = project.createSourceFile(
      resolve(dirname(use.path), `__atune_probe_${index}.ts`),
      [
        `import type { ${contract.type} } from ${JSON.stringify(resolve(repoRoot, contract.from))};`,
        `import { ${use.exportName === "default" ? "default as probed" : `${use.exportName} as probed`} } from ${JSON.stringify(use.path)};`,
        `export const check: ${contract.type} = probed;`,
      ].join("\n"),
      { overwrite: true },
    );
    probes.push({ use, probe, declaration: declarations[0] });
  });
  // One program for every probe: building it is most of the cost.
  const checker = project.getProgram().compilerObject;
  for (const { use, probe, declaration } of probes) {
    const problems = checker.getSemanticDiagnostics(probe.compilerNode);
    if (problems.length === 0) continue;
    const contract = contracts[use.contract];
    const reason = ts.flattenDiagnosticMessageText(problems[0].messageText, " ");
    out.push(
      diagnostic("ATN3012", use.exportSpan, {
        message: `'${use.exportName}' (${location(declaration)}) is not ${contract.what}: ${reason.replace(/\s+/g, " ")}`,
        help: `its type must be assignable to ${contract.type} from ${contract.from}`,
      }),
    );
  }
  return out;
}

function relativePath(path: string): string {
  return relative(process.cwd(), path) || path;
}

function location(node: Node): string {
  return `${relativePath(node.getSourceFile().getFilePath())}:${node.getStartLineNumber()}`;
}
