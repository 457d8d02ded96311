/** Judges an os episode: an answer against the expected one, or the home directory against the goal state. */
import { lstatSync, readFileSync, realpathSync } from "node:fs";
import { join, sep } from "node:path";
import type { FileCheck } from "./tasks.ts";

/** Strips what people wrap answers in: quotes, backticks, a trailing period, a leading "./". */
export function normaliseAnswer(text: string): string {
  let out = text.trim();
  out = out.replace(/^[`'"]+|[`'"]+$/g, "").trim();
  out = out.replace(/\.$/, "").trim();
  out = out.replace(/^\.\//, "");
  return out.toLowerCase();
}

export function answerMatches(given: string, expected: string, type: "number" | "text"): boolean {
  const a = normaliseAnswer(given);
  const b = normaliseAnswer(expected);
  if (type === "number") {
    const n = Number(a.replace(/,/g, ""));
    return a !== "" && Number.isFinite(n) && Math.abs(n - Number(b)) < 1e-9;
  }
  return a === b;
}

/** Files larger than this are never read by the judge (the goal files are a few lines). */
const MAX_JUDGED_BYTES = 1 << 20;

/**
 * Looks at a goal file the way the sandbox user left it, without trusting it: the judge runs on
 * the host, so a symlink (to /dev/zero, a FIFO, or a host file) or a path that leaves the home
 * directory is treated as "not a regular file" rather than followed.
 */
function inspect(
  home: string,
  relative: string,
): { kind: "absent" } | { kind: "other" } | { kind: "file"; path: string } {
  const path = join(home, relative);
  let real: string;
  try {
    lstatSync(path);
    real = realpathSync(path);
  } catch {
    // Nothing there, or a link that leads nowhere (it still counts as something being there).
    try {
      lstatSync(path);
      return { kind: "other" };
    } catch {
      return { kind: "absent" };
    }
  }
  const inside = real.startsWith(`${realpathSync(home)}${sep}`);
  const stat = lstatSync(path);
  if (!inside || !stat.isFile() || stat.size > MAX_JUDGED_BYTES) return { kind: "other" };
  return { kind: "file", path: real };
}

/** The first check the directory fails, in words, or undefined when every check passes. */
export function firstFailedCheck(home: string, checks: FileCheck[]): string | undefined {
  for (const check of checks) {
    const found = inspect(home, check.path);
    if (check.type === "absent") {
      if (found.kind !== "absent") return `${check.path} should not exist`;
      continue;
    }
    if (found.kind === "absent") return `${check.path} is missing`;
    if (found.kind === "other") return `${check.path} is not a regular file inside the home directory`;
    if (check.type === "content") {
      let content: string;
      try {
        content = readFileSync(found.path, "utf8");
      } catch {
        return `${check.path} cannot be read`;
      }
      if (content !== check.content) return `${check.path} has the wrong content`;
    } else {
      const mode = lstatSync(found.path).mode & 0o777;
      if (mode !== check.mode)
        return `${check.path} has mode ${mode.toString(8)}, not ${check.mode.toString(8)}`;
    }
  }
  return undefined;
}
