/**
 * A recipe against its atune.lock: the inputs it reads now, hashed, beside the entries pinned when
 * it was locked. `atune compile`, `check`, `plan` and `run` compare them (checkLock); `atune lock`
 * writes the entries (lockEntries).
 */
import { dirname, relative } from "node:path";
import type { Program } from "../resolve/program.ts";
import { type LockEntry, type LockFile, lockPathFor, readLockFile, sectionNameFor } from "./file.ts";
import { hashFile } from "./hash.ts";
import { type RecipeInput, recipeInputs } from "./inputs.ts";

export interface HashedInput extends RecipeInput {
  /** Null when the file does not exist. */
  sha256: string | null;
}

export interface LockState {
  /** Absolute path of the lock file (which may not exist yet). */
  lockPath: string;
  /** The lock file, or null when there is none. Throws LockFileError when it is unreadable. */
  lock: LockFile | null;
  /** The recipe's section name in the lock (its file name). */
  section: string;
  /** The recipe's entries in the lock (empty when the lock has no section for it). */
  locked: Map<string, LockEntry>;
  inputs: HashedInput[];
}

/**
 * Reads the lock beside the program's root file and hashes every input the program reads now.
 * `ignoreLockFile` treats the lock as absent (for replacing one that cannot be read).
 */
export function lockState(program: Program, options: { ignoreLockFile?: boolean } = {}): LockState {
  const lockPath = lockPathFor(program.file);
  const lock = options.ignoreLockFile ? null : readLockFile(lockPath);
  const section = sectionNameFor(program.file);
  const hashes = new Map<string, string | null>();
  const inputs = recipeInputs(program, dirname(lockPath)).map((input) => {
    if (!hashes.has(input.path)) hashes.set(input.path, hashFile(input.path));
    return { ...input, sha256: hashes.get(input.path) ?? null };
  });
  return { lockPath, lock, section, locked: lock?.sections.get(section) ?? new Map(), inputs };
}

/** The lock entries for inputs that exist (a missing file cannot be pinned). */
export function lockEntries(inputs: HashedInput[]): Map<string, LockEntry> {
  const entries = new Map<string, LockEntry>();
  for (const input of inputs) {
    if (input.sha256 === null) continue;
    entries.set(input.id, {
      kind: input.kind,
      ...(input.package ? { package: input.package.name, version: input.package.version } : {}),
      sha256: input.sha256,
    });
  }
  return entries;
}

/** A path as the user would type it from where they are. */
export function displayPath(path: string): string {
  return relative(process.cwd(), path) || path;
}
