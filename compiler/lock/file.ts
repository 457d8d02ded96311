/**
 * atune.lock: one JSON file in a recipe's folder, with a section per recipe file of that folder
 * and an entry per input. Written with every key in a fixed order, so rewriting an unchanged lock
 * gives the same bytes and a changed input shows as a one-line diff.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import type { Span } from "../ast/nodes.ts";
import type { InputKind } from "./inputs.ts";

export const LOCK_FILE_NAME = "atune.lock";
export const LOCK_FORMAT_VERSION = 1;

export interface LockEntry {
  kind: InputKind;
  /** For a file of an installed package: the package's name and version when it was locked. */
  package?: string;
  version?: string;
  sha256: string;
}

/** Recipe file name → input id → entry. */
export type LockSections = Map<string, Map<string, LockEntry>>;

export interface LockFile {
  /** Absolute path. */
  path: string;
  text: string;
  sections: LockSections;
}

/** A lock file that is not what atune writes: where, and what is wrong. */
export class LockFileError extends Error {
  constructor(
    readonly path: string,
    readonly text: string,
    readonly offset: number,
    message: string,
  ) {
    super(message);
  }
}

/** Where a recipe's lock lives: beside it. */
export function lockPathFor(recipeFile: string): string {
  return join(dirname(resolve(recipeFile)), LOCK_FILE_NAME);
}

/** The recipe's section name in its lock: its file name. */
export function sectionNameFor(recipeFile: string): string {
  return basename(recipeFile);
}

const kinds: InputKind[] = ["import", "package", "data", "model", "module"];

/** The lock file, or null when there is none. Throws LockFileError when it cannot be understood. */
export function readLockFile(path: string): LockFile | null {
  if (!existsSync(path)) return null;
  const text = readFileSync(path, "utf8");
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    const position = /position (\d+)/.exec(String(error))?.[1];
    throw new LockFileError(
      path,
      text,
      Number(position ?? 0),
      `it is not valid JSON (${(error as Error).message})`,
    );
  }
  const fail = (message: string, near = ""): never => {
    throw new LockFileError(path, text, Math.max(0, near ? text.indexOf(near) : 0), message);
  };
  if (!isRecord(json)) return fail("it must be a JSON object");
  if (json.lockfileVersion !== LOCK_FORMAT_VERSION)
    fail(`lockfileVersion must be ${LOCK_FORMAT_VERSION}, not ${JSON.stringify(json.lockfileVersion)}`);
  if (!isRecord(json.recipes)) fail('it needs a "recipes" object', '"recipes"');
  const sections: LockSections = new Map();
  for (const [recipe, inputs] of Object.entries(json.recipes as Record<string, unknown>)) {
    if (!isRecord(inputs)) fail(`the section of ${recipe} must be an object`, JSON.stringify(recipe));
    const entries = new Map<string, LockEntry>();
    for (const [id, entry] of Object.entries(inputs as Record<string, unknown>)) {
      const near = JSON.stringify(id);
      if (!isRecord(entry)) return fail(`the entry '${id}' must be an object`, near);
      if (!kinds.includes(entry.kind as InputKind))
        fail(`the entry '${id}' has kind ${JSON.stringify(entry.kind)}; kinds are ${kinds.join(", ")}`, near);
      if (typeof entry.sha256 !== "string" || !/^[0-9a-f]{64}$/.test(entry.sha256))
        fail(`the entry '${id}' needs a sha256 of 64 hex digits`, near);
      entries.set(id, {
        kind: entry.kind as InputKind,
        ...(typeof entry.package === "string" ? { package: entry.package } : {}),
        ...(typeof entry.version === "string" ? { version: entry.version } : {}),
        sha256: entry.sha256 as string,
      });
    }
    sections.set(recipe, entries);
  }
  return { path, text, sections };
}

/** The lock's text: sections and entries sorted, each entry's fields in one order. */
export function formatLock(sections: LockSections): string {
  const recipes: Record<string, Record<string, LockEntry>> = {};
  for (const recipe of [...sections.keys()].sort(byCodePoint)) {
    const entries = sections.get(recipe) as Map<string, LockEntry>;
    const inputs: Record<string, LockEntry> = {};
    for (const id of [...entries.keys()].sort(byCodePoint)) {
      const { kind, package: pkg, version, sha256 } = entries.get(id) as LockEntry;
      inputs[id] = {
        kind,
        ...(pkg === undefined ? {} : { package: pkg }),
        ...(version === undefined ? {} : { version }),
        sha256,
      };
    }
    recipes[recipe] = inputs;
  }
  return `${JSON.stringify({ lockfileVersion: LOCK_FORMAT_VERSION, recipes }, null, 2)}\n`;
}

export function writeLockFile(path: string, sections: LockSections): void {
  writeFileSync(path, formatLock(sections));
}

/** A span of `length` characters at `offset` in a file's text (for diagnostics that point into the lock). */
export function spanIn(file: string, text: string, offset: number, length = 1): Span {
  const start = Math.min(Math.max(0, offset), text.length);
  const before = text.slice(0, start);
  const line = before.split("\n").length;
  const column = start - (before.lastIndexOf("\n") + 1) + 1;
  const end = Math.min(text.length, start + Math.max(1, length));
  return { file, start, end, line, column, endLine: line, endColumn: column + (end - start) - 1 };
}

/** Where an entry's key is written in the lock text (within its recipe's section). */
export function entryOffset(text: string, recipe: string, id: string): number {
  const section = text.indexOf(`${JSON.stringify(recipe)}:`);
  const at = text.indexOf(`${JSON.stringify(id)}:`, Math.max(0, section));
  return at < 0 ? Math.max(0, section) : at;
}

function byCodePoint(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
