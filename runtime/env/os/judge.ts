/** Judges an os episode: an answer against the expected one, or the home directory against the goal state. */
import { existsSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
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

/** The first check the directory fails, in words, or undefined when every check passes. */
export function firstFailedCheck(home: string, checks: FileCheck[]): string | undefined {
  for (const check of checks) {
    const path = join(home, check.path);
    if (check.type === "absent") {
      if (existsSync(path)) return `${check.path} should not exist`;
      continue;
    }
    if (!existsSync(path) || !statSync(path).isFile()) return `${check.path} is missing`;
    if (check.type === "content") {
      if (readFileSync(path, "utf8") !== check.content) return `${check.path} has the wrong content`;
    } else if ((statSync(path).mode & 0o777) !== check.mode) {
      return `${check.path} has mode ${(statSync(path).mode & 0o777).toString(8)}, not ${check.mode.toString(8)}`;
    }
  }
  return undefined;
}
