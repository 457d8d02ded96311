import { constants as bufferLimits } from "node:buffer";
import { existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { extname } from "node:path";
import { parquetReadObjects } from "hyparquet";
import { compressors } from "hyparquet-compressors";
import { RecordError } from "../record.ts";
import { parseCsv } from "./csv.ts";
import { errorAt, FileError, type Unit } from "./errors.ts";
import { jsonErrorOffset, lineAt } from "./json-position.ts";

export type FileKind = "jsonl" | "json" | "parquet" | "csv";
export const fileKinds: readonly FileKind[] = ["jsonl", "json", "parquet", "csv"];

/** One item of a file before it is interpreted: the parsed value and where it came from. */
export interface SourceRow {
  value: unknown;
  /** Line (JSONL, CSV) or row (JSON array, Parquet), counting from 1. */
  position: number;
}

export interface FileRows {
  kind: FileKind;
  unit: Unit;
  rows: SourceRow[];
  /** Items that could not even be parsed (bad JSON lines, broken CSV rows). */
  errors: RecordError[];
}

const extensionKinds: Record<string, FileKind> = {
  ".jsonl": "jsonl",
  ".ndjson": "jsonl",
  ".json": "json",
  ".parquet": "parquet",
  ".csv": "csv",
};

/** The kind of a file to write, from its extension. */
export function kindFromExtension(file: string): FileKind | undefined {
  return extensionKinds[extname(file).toLowerCase()];
}

/** The kind of an existing file: from its extension, else from its first bytes. */
function sniffKind(file: string, bytes: Buffer): FileKind {
  const byExtension = kindFromExtension(file);
  if (byExtension) return byExtension;
  if (bytes.subarray(0, 4).toString("latin1") === "PAR1") return "parquet";
  const first = bytes.toString("utf8", 0, 256).trimStart()[0];
  if (first === "[") return "json";
  if (first === "{") return "jsonl";
  throw new FileError(file, "cannot tell the file type; name it .jsonl, .json, .parquet or .csv");
}

/** Reads a data file into rows. Whole-file problems throw a FileError; bad items are collected. */
export async function readRows(file: string, kind?: FileKind): Promise<FileRows> {
  if (!existsSync(file)) throw new FileError(file, "file not found; check the path");
  const bytes = withoutByteOrderMark(readFileSync(file));
  const fileKind = kind ?? sniffKind(file, bytes);
  switch (fileKind) {
    case "jsonl":
      return jsonlRows(file, bytes);
    case "json":
      return jsonRows(file, bytes);
    case "parquet":
      return parquetRows(file, bytes);
    case "csv":
      return csvRows(file, bytes.toString("utf8"));
  }
}

/** Text exported by spreadsheet tools often starts with a UTF-8 byte-order mark, which JSON.parse rejects. */
function withoutByteOrderMark(bytes: Buffer): Buffer {
  return bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? bytes.subarray(3) : bytes;
}

/** JSON Lines, decoded a line at a time so files larger than the biggest JS string still read. */
function jsonlRows(file: string, bytes: Buffer): FileRows {
  const rows: SourceRow[] = [];
  const errors: RecordError[] = [];
  let line = 0;
  for (let start = 0; start < bytes.length; ) {
    const newline = bytes.indexOf(10, start);
    const end = newline < 0 ? bytes.length : newline;
    const lineText = bytes.toString("utf8", start, end);
    line++;
    start = end + 1;
    if (lineText.trim() === "") continue;
    try {
      rows.push({ value: JSON.parse(lineText), position: line });
    } catch (error) {
      errors.push(new RecordError(file, line, `not valid JSON (${(error as Error).message})`));
    }
  }
  return { kind: "jsonl", unit: "line", rows, errors };
}

function jsonRows(file: string, bytes: Buffer): FileRows {
  // Many ".json" files on dataset hubs are really JSON Lines.
  if (firstLineIsObject(bytes)) return jsonlRows(file, bytes);
  if (bytes.length >= bufferLimits.MAX_STRING_LENGTH) {
    throw new FileError(
      file,
      "is too large to read as one JSON array; convert it to JSON Lines (one row per line) first",
    );
  }
  const text = bytes.toString("utf8");
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    const line = lineAt(text, jsonErrorOffset(text));
    throw new RecordError(file, line, `not valid JSON (${(error as Error).message})`);
  }
  if (Array.isArray(value)) {
    return {
      kind: "json",
      unit: "row",
      rows: value.map((v, i) => ({ value: v, position: i + 1 })),
      errors: [],
    };
  }
  if (typeof value === "object" && value !== null) {
    return { kind: "json", unit: "row", rows: [{ value, position: 1 }], errors: [] };
  }
  throw new FileError(file, "expected a JSON array of records (or one record per line in a .jsonl file)");
}

/** Whether the text before the first newline is a whole JSON object and more text follows. */
function firstLineIsObject(bytes: Buffer): boolean {
  const newline = bytes.indexOf(10);
  if (newline < 0) return false;
  let next = newline;
  while (next < bytes.length && [9, 10, 13, 32].includes(bytes[next])) next++;
  if (next === bytes.length) return false;
  try {
    const first = JSON.parse(bytes.toString("utf8", 0, newline));
    return typeof first === "object" && first !== null && !Array.isArray(first);
  } catch {
    return false;
  }
}

async function parquetRows(file: string, bytes: Buffer): Promise<FileRows> {
  const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  let objects: Record<string, unknown>[];
  try {
    objects = await parquetReadObjects({ file: buffer, compressors });
  } catch (error) {
    throw new FileError(file, `not a readable Parquet file (${(error as Error).message})`);
  }
  return {
    kind: "parquet",
    unit: "row",
    rows: objects.map((object, i) => ({ value: plainJson(object), position: i + 1 })),
    errors: [],
  };
}

/** Parquet values as JSON values: 64-bit integers become numbers (or strings when too large), dates ISO text. */
function plainJson(value: unknown): unknown {
  if (typeof value === "bigint") {
    return value <= BigInt(Number.MAX_SAFE_INTEGER) && value >= BigInt(Number.MIN_SAFE_INTEGER)
      ? Number(value)
      : value.toString();
  }
  if (value instanceof Date) return value.toISOString();
  if (value instanceof Uint8Array) return new TextDecoder().decode(value);
  if (Array.isArray(value) || ArrayBuffer.isView(value))
    return Array.from(value as ArrayLike<unknown>, plainJson);
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plainJson(v)]));
  }
  return value;
}

function csvRows(file: string, text: string): FileRows {
  const rows = parseCsv(text, file).map((row) => ({ value: row.fields, position: row.line }));
  return { kind: "csv", unit: "line", rows, errors: [] };
}

/** Converts every row, collecting the RecordErrors it throws, worded by line or row. */
export function convertRows<T>(
  file: string,
  source: FileRows,
  convert: (value: unknown, position: number) => T,
): { items: T[]; errors: RecordError[] } {
  const items: T[] = [];
  const errors: RecordError[] = [...source.errors];
  for (const row of source.rows) {
    try {
      items.push(convert(row.value, row.position));
    } catch (error) {
      if (!(error instanceof RecordError)) throw error;
      errors.push(errorAt(file, source.unit, row.position, error.problem));
    }
  }
  errors.sort((a, b) => a.line - b.line);
  return { items, errors };
}

/** Writes JSON values as JSONL or a JSON array; via a temporary file, so a crash never leaves half a file. */
export function writeValues(file: string, values: readonly unknown[], kind: FileKind): void {
  let text: string;
  if (kind === "jsonl") text = values.map((v) => `${JSON.stringify(v)}\n`).join("");
  else if (kind === "json") text = `${JSON.stringify(values, null, 2)}\n`;
  else throw new FileError(file, `cannot write ${kind} files; write .jsonl or .json`);
  const temporary = `${file}.tmp-${process.pid}`;
  writeFileSync(temporary, text);
  renameSync(temporary, file);
}
