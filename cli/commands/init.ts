import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { atuneVersion, checkProgram } from "../../compiler/compile.ts";
import { finalizeDiagnostics, hasErrors } from "../../compiler/diagnostics/diagnostic.ts";
import { LOCK_FILE_NAME, type LockSections, writeLockFile } from "../../compiler/lock/file.ts";
import { lockEntries, lockState } from "../../compiler/lock/lock.ts";
import { loadProgram } from "../../compiler/resolve/program.ts";
import { type Command, EXIT_FAILURE, EXIT_OK, UsageError } from "../command.ts";

const usage = `Usage: atune init [DIR] [--name NAME] [--force]

Scaffolds a recipe package in DIR (default: the current folder), ready to share through npm:

  package.json                 name, version, the files to publish, a test script, atune
  tasks.atune                  exported task sets and a teacher that other recipes import
  recipe.atune                 a small recipe built on them that runs on a CPU
  atune.lock                   the content hashes of the recipes' inputs
  README.md                    how to use the package
  .gitignore                   .atune/ (the cache) and node_modules/
  .github/workflows/atune.yml  CI: atune check and atune test on every push

Options:
  --name NAME   the npm package name, e.g. @acme/agent-recipes (default: the folder's name)
  --force       overwrite files that already exist

Exit status: 0 scaffolded, 1 a file exists already (nothing is written), 2 usage error.
docs/sharing.md walks through publishing the package and importing it elsewhere.`;

/** The recipe files of the scaffold, locked once written. */
const recipeFiles = ["tasks.atune", "recipe.atune"];

const templateDir = new URL("../init-template/", import.meta.url);

export const initCommand: Command = {
  name: "init",
  usage,
  async run(args) {
    const { dir, name, force } = parseInitArgs(args);
    if (existsSync(dir) && !statSync(dir).isDirectory())
      throw new UsageError(`'${dir}' is a file; name a folder to scaffold the package in`);
    const files = scaffoldFiles(name);
    const existing = [...files.keys(), LOCK_FILE_NAME].filter((f) => existsSync(join(dir, f)));
    if (existing.length > 0 && !force) {
      console.error(
        `atune init: ${dir} already has ${existing.join(", ")}; nothing was written.\n` +
          "Run it in an empty folder, or add --force to overwrite these files.",
      );
      return EXIT_FAILURE;
    }
    for (const [file, text] of files) {
      const path = join(dir, file);
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, text);
    }
    writeLockFile(join(dir, LOCK_FILE_NAME), lockScaffold(dir));
    console.log(
      [
        `created ${name} in ${dir}:`,
        `  ${[...files.keys(), LOCK_FILE_NAME].join("\n  ")}`,
        "next:",
        ...(resolve(dir) === process.cwd() ? [] : [`  cd ${dir}`]),
        "  npm install",
        "  npx atune check *.atune && npx atune run recipe.atune",
      ].join("\n"),
    );
    return EXIT_OK;
  },
};

function parseInitArgs(args: string[]): { dir: string; name: string; force: boolean } {
  const dirs: string[] = [];
  let name: string | undefined;
  let force = false;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === "--force") force = true;
    else if (arg === "--name") {
      name = args[++i];
      if (name === undefined)
        throw new UsageError("--name needs a package name, e.g. --name @acme/agent-recipes");
    } else if (arg.startsWith("-")) throw new UsageError(`unknown option '${arg}'`);
    else dirs.push(arg);
  }
  if (dirs.length > 1) throw new UsageError(`give one folder, not ${dirs.length}`);
  const dir = dirs[0] ?? ".";
  const packageName = name ?? defaultName(dir);
  if (!isPackageName(packageName))
    throw new UsageError(
      `'${packageName}' is not a valid npm package name: use lowercase letters, digits, '-', '.', '_' or '~', optionally scoped (@scope/name)`,
    );
  return { dir, name: packageName, force };
}

/** npm's rules for new package names: lowercase, URL-safe, at most 214 characters. */
function isPackageName(name: string): boolean {
  return name.length <= 214 && /^(?:@[a-z0-9][a-z0-9._~-]*\/)?[a-z0-9][a-z0-9._~-]*$/.test(name);
}

function defaultName(dir: string): string {
  const folder = basename(resolve(dir))
    .toLowerCase()
    .replace(/[^a-z0-9._~-]+/g, "-")
    .replace(/^[^a-z0-9]+/, "");
  return folder || "atune-recipes";
}

/** Every file of the scaffold but the lock (which is computed from the recipes once written). */
function scaffoldFiles(name: string): Map<string, string> {
  const template = (file: string) =>
    readFileSync(new URL(file, templateDir), "utf8").replaceAll("{{name}}", name);
  const files = new Map<string, string>();
  files.set("package.json", `${JSON.stringify(packageJson(name), null, 2)}\n`);
  for (const file of recipeFiles) files.set(file, template(file));
  files.set("README.md", template("README.md"));
  files.set(".gitignore", template("gitignore"));
  files.set(".github/workflows/atune.yml", template("atune.yml"));
  return files;
}

function packageJson(name: string): Record<string, unknown> {
  return {
    name,
    version: "0.1.0",
    description: "Agent-tuning recipes for atune",
    keywords: ["atune", "agent-tuning", "recipes"],
    // atune resolves `import "NAME/tasks.atune"` to that file of the installed package, so the
    // recipes only need to be shipped; no `exports` map is involved.
    files: ["*.atune", LOCK_FILE_NAME],
    scripts: {
      test: "atune check *.atune && atune test recipe.atune",
      lock: "atune lock --update *.atune",
    },
    devDependencies: { atune: `^${atuneVersion()}` },
  };
}

/** Pins the inputs of each scaffolded recipe; the templates are ours, so an error is a bug. */
function lockScaffold(dir: string): LockSections {
  const sections: LockSections = new Map();
  for (const file of recipeFiles) {
    const program = loadProgram(join(dir, file));
    const problems = finalizeDiagnostics(checkProgram(program, { lock: false }));
    if (hasErrors(problems))
      throw new Error(`the init template ${file} has errors: ${problems.map((d) => d.message).join("; ")}`);
    const state = lockState(program, { ignoreLockFile: true });
    sections.set(state.section, lockEntries(state.inputs));
  }
  return sections;
}
