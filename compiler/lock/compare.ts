/**
 * The lock check every compiling command runs: when a recipe's folder has an atune.lock, each input
 * must match its pinned hash (ATN3020), be pinned (ATN3021) and exist (ATN3022), and every pin
 * must still be read (ATN3023). A lock that cannot be read is ATN3024. No lock file, no check.
 */

import { existsSync } from "node:fs";
import { type Diagnostic, diagnostic } from "../diagnostics/diagnostic.ts";
import type { Program } from "../resolve/program.ts";
import { entryOffset, LOCK_FILE_NAME, LockFileError, lockPathFor, spanIn } from "./file.ts";
import type { InputKind } from "./inputs.ts";
import { displayPath, type HashedInput, type LockState, lockState } from "./lock.ts";

export interface LockCheck {
  diagnostics: Diagnostic[];
  /** The lock's text by its display path, when a diagnostic points into it (for the code frame). */
  lockSource: { file: string; text: string } | null;
}

const kindWords: Record<InputKind, string> = {
  import: "imported recipe module",
  package: "package module",
  data: "data file",
  model: "model file",
  module: "TypeScript module",
};

/** Hash prefixes long enough to tell two versions apart at a glance. */
const short = (sha256: string) => `${sha256.slice(0, 12)}…`;

export function checkLock(program: Program): LockCheck {
  // Without a lock there is nothing to compare: hash nothing.
  if (!existsSync(lockPathFor(program.file))) return { diagnostics: [], lockSource: null };
  let state: LockState;
  try {
    state = lockState(program);
  } catch (error) {
    if (!(error instanceof LockFileError)) throw error;
    const file = displayPath(error.path);
    return {
      diagnostics: [
        diagnostic("ATN3024", spanIn(file, error.text, error.offset), {
          message: `${file} cannot be read: ${error.message}`,
          help: `atune writes this file; recreate it with 'atune lock --update ${displayPath(program.file)}'`,
        }),
      ],
      lockSource: { file, text: error.text },
    };
  }
  if (!state.lock) return { diagnostics: [], lockSource: null };
  // An import that no longer resolves is reported as such (ATN3001), not as an unused pin.
  const importsResolved = !program.diagnostics.some((d) => d.code === "ATN3001");
  return compareWithLock(state, displayPath(program.file), importsResolved);
}

/** Every difference between the inputs read now and the recipe's pins, as diagnostics. */
export function compareWithLock(state: LockState, recipe: string, reportUnused = true): LockCheck {
  // Messages name the lock as "atune.lock" (it is always beside the recipe); spans need its path.
  const lockFile = LOCK_FILE_NAME;
  const lockPath = displayPath(state.lockPath);
  const fix = `atune lock --update ${recipe}`;
  const diagnostics: Diagnostic[] = [];
  for (const input of state.inputs) {
    const pinned = state.locked.get(input.id);
    const what = `${kindWords[input.kind]} '${input.id}'`;
    if (input.sha256 === null) {
      diagnostics.push(
        diagnostic("ATN3022", input.span, {
          message: pinned
            ? `the ${what} is pinned in ${lockFile} (sha256 ${short(pinned.sha256)}) but the file is missing`
            : `the ${what} does not exist, so ${lockFile} cannot pin it`,
          help: pinned
            ? `restore the file; or, if the recipe should read another file, fix the path and run '${fix}'`
            : `create the file or fix the path, then run '${fix}'`,
        }),
      );
    } else if (!pinned) {
      diagnostics.push(
        diagnostic("ATN3021", input.span, {
          message: `the ${what} (sha256 ${short(input.sha256)}) is not pinned in ${lockFile}`,
          help: `pin it with '${fix}' and commit ${lockFile}`,
        }),
      );
    } else if (pinned.sha256 !== input.sha256 || pinned.version !== input.package?.version) {
      diagnostics.push(
        diagnostic("ATN3020", input.span, {
          message: `the ${what} changed since it was locked: ${change(input, pinned.sha256, pinned.version, lockFile)}`,
          help: changeHelp(input, pinned.version, fix, lockFile),
        }),
      );
    }
  }
  const read = new Set(state.inputs.map((i) => i.id));
  const unused = reportUnused ? [...state.locked.keys()].filter((id) => !read.has(id)) : [];
  const text = state.lock?.text ?? "";
  for (const id of unused) {
    diagnostics.push(
      diagnostic("ATN3023", spanIn(lockPath, text, entryOffset(text, state.section, id), id.length + 2), {
        message: `${lockFile} pins '${id}' for ${state.section}, which no longer reads it`,
        help: `drop the pin with '${fix}' and commit ${lockFile}`,
      }),
    );
  }
  return { diagnostics, lockSource: unused.length > 0 ? { file: lockPath, text } : null };
}

/** What differs: the content, the package version, or both. */
function change(
  input: HashedInput,
  lockedSha: string,
  lockedVersion: string | undefined,
  lockFile: string,
): string {
  const content =
    lockedSha === input.sha256
      ? "the file's content is the same"
      : `${lockFile} expects sha256 ${short(lockedSha)}, the file has ${short(input.sha256 as string)}`;
  if (!input.package || lockedVersion === input.package.version) return content;
  return `${content} (package ${input.package.name} ${lockedVersion ?? "of unknown version"} → ${input.package.version})`;
}

function changeHelp(
  input: HashedInput,
  lockedVersion: string | undefined,
  fix: string,
  lockFile: string,
): string {
  const accept = `if the change is intended, run '${fix}' and commit ${lockFile}`;
  if (input.package && lockedVersion && lockedVersion !== "unknown")
    return `${accept}; otherwise install the locked version: npm install ${input.package.name}@${lockedVersion}`;
  return `${accept}; otherwise restore the ${kindWords[input.kind]}`;
}
