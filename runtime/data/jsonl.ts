import {
  appendFileSync,
  closeSync,
  existsSync,
  fsyncSync,
  ftruncateSync,
  openSync,
  readFileSync,
} from "node:fs";
import { RecordError } from "./record.ts";

/** Parses a JSONL file. Bad lines are collected with their line numbers, never silently skipped. */
export function readJsonl<T>(
  file: string,
  convert: (value: unknown, file: string, line: number) => T,
): { items: T[]; errors: RecordError[] } {
  if (!existsSync(file)) {
    throw new RecordError(
      file,
      0,
      "file not found; check the path in the recipe (it is relative to the recipe file)",
    );
  }
  const items: T[] = [];
  const errors: RecordError[] = [];
  const lines = readFileSync(file, "utf8").split("\n");
  lines.forEach((text, index) => {
    const line = index + 1;
    if (text.trim() === "") return;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      errors.push(new RecordError(file, line, `not valid JSON (${(error as Error).message})`));
      return;
    }
    try {
      items.push(convert(value, file, line));
    } catch (error) {
      if (error instanceof RecordError) errors.push(error);
      else throw error;
    }
  });
  return { items, errors };
}

/**
 * An append-only JSONL log that survives `kill -9`: each item is one write of one whole line,
 * and reopening drops a torn last line (a write cut off mid-way) so the log stays parseable.
 */
export class JsonlLog<T> {
  constructor(readonly file: string) {}

  /** Everything written so far, after dropping a torn final line. */
  recover(): T[] {
    if (!existsSync(this.file)) return [];
    const text = readFileSync(this.file, "utf8");
    const complete = text.endsWith("\n") ? text : text.slice(0, text.lastIndexOf("\n") + 1);
    if (complete.length !== text.length) {
      const fd = openSync(this.file, "r+");
      ftruncateSync(fd, Buffer.byteLength(complete));
      fsyncSync(fd);
      closeSync(fd);
    }
    return complete
      .split("\n")
      .filter((line) => line.trim() !== "")
      .map((line) => JSON.parse(line) as T);
  }

  append(item: T): void {
    appendFileSync(this.file, `${JSON.stringify(item)}\n`);
  }
}
