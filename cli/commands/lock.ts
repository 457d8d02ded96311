import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { checkProgram } from "../../compiler/compile.ts";
import { type Diagnostic, finalizeDiagnostics, hasErrors } from "../../compiler/diagnostics/diagnostic.ts";
import { renderDiagnostic, useColor } from "../../compiler/diagnostics/render.ts";
import { compareWithLock } from "../../compiler/lock/compare.ts";
import {
  formatLock,
  type LockEntry,
  LockFileError,
  type LockSections,
  writeLockFile,
} from "../../compiler/lock/file.ts";
import { displayPath, type LockState, lockEntries, lockState } from "../../compiler/lock/lock.ts";
import { loadProgram } from "../../compiler/resolve/program.ts";
import { type Command, EXIT_FAILURE, EXIT_OK, UsageError } from "../command.ts";
import { parseFileArgs, readSource } from "./check.ts";

const usage = `Usage: atune lock [--check | --update] RECIPE.atune…

Pins the content (sha256) of every input of each recipe in atune.lock beside it: the recipe
modules it imports (with the package name and version for package imports), the data files it
loads, the files of its hf model directories and the TypeScript modules it names. Once a folder
has an atune.lock, compile, check, plan and run refuse a recipe whose inputs differ from it.

  atune lock RECIPE           write the lock, or pin inputs that are new; refuses when a pinned
                              input changed, is missing or is no longer read
  atune lock --update RECIPE  accept the recipe's inputs as they are now (rewrites its pins)
  atune lock --check RECIPE   verify only; exit 1 when an input differs from the lock

docs/sharing.md describes the lock file.

Exit status: 0 locked (or verified), 1 errors in the recipe or inputs that differ, 2 usage error.`;

type Mode = "lock" | "update" | "check";

export const lockCommand: Command = {
  name: "lock",
  usage,
  async run(args) {
    const { flags, files } = parseFileArgs(args, ["--check", "--update"]);
    if (flags.has("--check") && flags.has("--update"))
      throw new UsageError("--check and --update cannot be used together");
    const mode: Mode = flags.has("--check") ? "check" : flags.has("--update") ? "update" : "lock";
    let ok = true;
    for (const file of files) if (!lockRecipeFile(file, mode)) ok = false;
    return ok ? EXIT_OK : EXIT_FAILURE;
  },
};

/** Locks, updates or checks one recipe; prints what it did. False when it failed. */
function lockRecipeFile(file: string, mode: Mode): boolean {
  const program = loadProgram(file, readSource(file));
  const problems = finalizeDiagnostics(checkProgram(program, { lock: false }));
  if (hasErrors(problems)) {
    print(problems, program.sources);
    console.error(`atune lock: ${file} has errors; fix them, then lock it`);
    return false;
  }
  let state: LockState;
  try {
    state = lockState(program);
  } catch (error) {
    if (!(error instanceof LockFileError)) throw error;
    if (mode !== "update") {
      console.error(
        `atune lock: ${displayPath(error.path)} cannot be read: ${error.message}\n` +
          `'atune lock --update ${file}' writes a new one.`,
      );
      return false;
    }
    console.error(
      `atune lock: ${displayPath(error.path)} could not be read (${error.message}); writing a new one`,
    );
    state = lockState(program, { ignoreLockFile: true });
  }
  const lockFile = displayPath(state.lockPath);
  if (mode === "check") return checkOnly(state, file, lockFile);

  const missing = state.inputs.filter((i) => i.sha256 === null);
  const comparison = compareWithLock(state, file);
  const sources = withLock(program.sources, comparison.lockSource);
  // Plain `lock` only adds pins; a changed, missing or unused pin needs a deliberate --update.
  const blocking = comparison.diagnostics.filter((d) =>
    mode === "lock" ? d.code !== "ATN3021" : d.code === "ATN3022",
  );
  if (missing.length > 0 || blocking.length > 0) {
    print(blocking, sources);
    console.error(
      missing.length > 0
        ? `atune lock: ${file} reads files that do not exist; create them or fix the paths, then lock again`
        : `atune lock: ${file}'s inputs differ from ${lockFile}; if the changes are intended, run 'atune lock --update ${file}'`,
    );
    return false;
  }

  const entries = lockEntries(state.inputs);
  const sections: LockSections = new Map(state.lock?.sections ?? []);
  sections.set(state.section, entries);
  // A section whose recipe file is gone pins nothing: drop it while the lock is rewritten anyway.
  const gone = [...sections.keys()].filter((name) => !existsSync(join(dirname(state.lockPath), name)));
  for (const name of gone) sections.delete(name);
  const before = state.lock?.text ?? "";
  if (formatLock(sections) === before) {
    console.log(`${lockFile} is up to date: ${count(entries.size)} of ${file} pinned`);
    return true;
  }
  writeLockFile(state.lockPath, sections);
  for (const line of changes(state.locked, entries)) console.log(line);
  for (const name of gone) console.log(`  - ${name} (the recipe file is gone)`);
  console.log(`${state.lock ? "updated" : "wrote"} ${lockFile}: ${count(entries.size)} of ${file} pinned`);
  return true;
}

function checkOnly(state: LockState, file: string, lockFile: string): boolean {
  if (!state.lock) {
    console.error(`atune lock: there is no ${lockFile}; create it with 'atune lock ${file}'`);
    return false;
  }
  const { diagnostics, lockSource } = compareWithLock(state, file);
  if (diagnostics.length > 0) {
    print(diagnostics, withLock(new Map(), lockSource));
    console.error(`atune lock: ${file} does not match ${lockFile}`);
    return false;
  }
  console.log(`${file}: ${count(state.inputs.length)} match ${lockFile}`);
  return true;
}

/** `+ id`, `~ id (old → new)`, `- id`: how the pins change. */
function changes(before: Map<string, LockEntry>, after: Map<string, LockEntry>): string[] {
  const lines: string[] = [];
  for (const [id, entry] of after) {
    const old = before.get(id);
    if (!old) lines.push(`  + ${id}  ${entry.sha256.slice(0, 12)}`);
    else if (old.sha256 !== entry.sha256 || old.version !== entry.version) {
      const version =
        old.version === entry.version ? "" : `  (${old.version ?? "?"} → ${entry.version ?? "?"})`;
      lines.push(`  ~ ${id}  ${old.sha256.slice(0, 12)} → ${entry.sha256.slice(0, 12)}${version}`);
    }
  }
  for (const id of before.keys()) if (!after.has(id)) lines.push(`  - ${id}`);
  return lines;
}

function count(n: number): string {
  return `${n} input${n === 1 ? "" : "s"}`;
}

function withLock(
  sources: Map<string, string>,
  lock: { file: string; text: string } | null,
): Map<string, string> {
  return lock ? new Map([...sources, [lock.file, lock.text]]) : sources;
}

function print(diagnostics: Diagnostic[], sources: Map<string, string>): void {
  const color = useColor(process.stderr);
  for (const d of diagnostics)
    console.error(`${renderDiagnostic(d, sources.get(d.span.file) ?? "", color)}\n`);
}
