/**
 * The inputs a recipe's result depends on, besides its own text: the recipe modules it imports
 * (from relative paths and from packages), the data files it loads, the files of its Hugging Face
 * model directories and the TypeScript modules it names. atune.lock pins each one by content.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import type { Expression, ImportDeclaration, Span } from "../ast/nodes.ts";
import { parse } from "../parse.ts";
import { Settings } from "../plan/values.ts";
import { type Program, resolveImportPath } from "../resolve/program.ts";

export type InputKind = "import" | "package" | "data" | "model" | "module";

export interface PackageVersion {
  name: string;
  version: string;
}

export interface RecipeInput {
  /** The input's key in atune.lock: its path relative to the lock's folder, or `package/path`. */
  id: string;
  kind: InputKind;
  /** Absolute path on disk. */
  path: string;
  /** Where the recipe (or a module it imports) names the input. */
  span: Span;
  /** For a file inside an installed package: the package's name and version. */
  package?: PackageVersion;
}

/** Every input of the program, each once (the first place that names it), sorted by id. */
export function recipeInputs(program: Program, lockDir: string): RecipeInput[] {
  const inputs = new Map<string, RecipeInput>();
  const add = (input: RecipeInput) => {
    if (!inputs.has(input.id)) inputs.set(input.id, input);
  };
  for (const input of importedModules(program, lockDir)) add(input);
  for (const input of dataInputs(program, lockDir)) add(input);
  return [...inputs.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/** The modules reachable through imports from the root, read from the texts the compiler loaded. */
function importedModules(program: Program, lockDir: string): RecipeInput[] {
  const texts = new Map<string, { display: string; text: string }>();
  for (const [display, text] of program.sources) texts.set(resolve(display), { display, text });
  const found: RecipeInput[] = [];
  const visited = new Set<string>([program.file]);
  const queue = [program.file];
  while (queue.length > 0) {
    const file = queue.shift() as string;
    const loaded = texts.get(file);
    if (!loaded) continue;
    const { ast } = parse(loaded.text, loaded.display);
    for (const item of ast.items) {
      if (item.kind !== "Import") continue;
      const target = resolveImportPath(item.source.value, file);
      // Not found (ATN3001), or the recipe itself through a cycle (ATN3002): not an input.
      if (!target || target === program.file) continue;
      found.push(moduleInput(item, target, lockDir));
      if (!visited.has(target)) {
        visited.add(target);
        queue.push(target);
      }
    }
  }
  return found;
}

function moduleInput(item: ImportDeclaration, target: string, lockDir: string): RecipeInput {
  const pkg = packageOf(target);
  if (!pkg) return { id: idOf(target, lockDir), kind: "import", path: target, span: item.source.span };
  return {
    id: `${pkg.name}/${posix(relative(pkg.dir, target))}`,
    kind: "package",
    path: target,
    span: item.source.span,
    package: { name: pkg.name, version: pkg.version },
  };
}

/** The installed package a file belongs to (the folder after its last node_modules), if any. */
function packageOf(file: string): (PackageVersion & { dir: string }) | null {
  const parts = file.split(sep);
  const at = parts.lastIndexOf("node_modules");
  if (at < 0 || at + 2 >= parts.length) return null;
  const nameParts = parts[at + 1].startsWith("@") ? parts.slice(at + 1, at + 3) : [parts[at + 1]];
  const dir = parts.slice(0, at + 1 + nameParts.length).join(sep);
  let manifest: { name?: unknown; version?: unknown } = {};
  try {
    manifest = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
  } catch {
    // A package folder without a readable package.json still pins its files by content.
  }
  return {
    name: typeof manifest.name === "string" ? manifest.name : nameParts.join("/"),
    version: typeof manifest.version === "string" ? manifest.version : "unknown",
    dir,
  };
}

/**
 * Data files, model files and TypeScript modules named by the declarations in scope. Paths are
 * resolved against the recipe's folder, as the planner does, so the lock pins the files a run reads.
 */
function dataInputs(program: Program, lockDir: string): RecipeInput[] {
  const base = dirname(program.file);
  const found: RecipeInput[] = [];
  const add = (kind: InputKind, path: string, span: Span) =>
    found.push({ id: idOf(path, lockDir), kind, path, span });
  for (const { node } of program.declarations.values()) {
    const value = node.value;
    if (node.declKind === "model" && value.kind === "Hf") {
      const dir = resolve(base, value.path.value);
      for (const file of modelFiles(dir)) add("model", file, value.path.span);
      const settings = new Settings(node.options, new Map());
      for (const key of ["tokenizer", "chat_template"]) {
        const setting = settings.expr(key);
        if (setting?.kind === "String") add("model", resolve(base, setting.value), setting.span);
      }
    }
    if (node.declKind === "dataset" && value.kind === "Load")
      add("data", resolve(base, value.path.value), value.path.span);
    if (value.kind === "Module") add("module", resolve(base, value.path.value), value.path.span);
    for (const entry of node.options?.entries ?? []) {
      if (entry.kind !== "Keep") continue;
      for (const module of modulesIn(entry.condition)) add("module", resolve(base, module.path), module.span);
    }
  }
  return found;
}

/** `keep module "./f.ts"#pred and …`: every module a keep condition names. */
function modulesIn(e: Expression): Array<{ path: string; span: Span }> {
  if (e.kind === "Module") return [{ path: e.path.value, span: e.path.span }];
  if (e.kind === "Binary") return [...modulesIn(e.left), ...modulesIn(e.right)];
  if (e.kind === "Unary") return modulesIn(e.operand);
  return [];
}

/** Files of a model directory that decide what it computes: config, weights, tokenizer, templates. */
const modelFileNames = new Set([
  "config.json",
  "generation_config.json",
  "model.safetensors.index.json",
  "tokenizer.json",
  "tokenizer_config.json",
  "tokenizer.model",
  "special_tokens_map.json",
  "added_tokens.json",
  "vocab.json",
  "merges.txt",
  "chat_template.jinja",
  "chat_template.json",
]);

/** A directory's model files; a path that is not a directory is pinned as it is (or as missing). */
function modelFiles(dir: string): string[] {
  let isDirectory = false;
  try {
    isDirectory = statSync(dir).isDirectory();
  } catch {
    return [dir];
  }
  if (!isDirectory) return [dir];
  return readdirSync(dir)
    .filter((name) => modelFileNames.has(name) || name.endsWith(".safetensors"))
    .sort()
    .map((name) => join(dir, name));
}

function idOf(path: string, lockDir: string): string {
  return posix(relative(lockDir, path)) || ".";
}

function posix(path: string): string {
  return path.split(sep).join("/");
}
