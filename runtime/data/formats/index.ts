import { basename } from "node:path";
import type { ChoiceItem, GeneralItem } from "../general/types.ts";
import type { ConversationRecord, RecordError } from "../record.ts";
import { agentInstruct } from "./agentinstruct.ts";
import { alpaca } from "./alpaca.ts";
import { BadDataError, FileError, type Unit } from "./errors.ts";
import {
  convertRows,
  type FileKind,
  type FileRows,
  kindFromExtension,
  readRows,
  writeValues,
} from "./files.ts";
import {
  type FormatName,
  isObject,
  type RecordFormat,
  type RowContext,
  UnwritableRecordError,
} from "./format.ts";
import { gsm8k, gsm8kItem } from "./gsm8k.ts";
import { llamaFactory } from "./llamafactory.ts";
import { mmlu, mmluItem } from "./mmlu.ts";
import { openAi } from "./openai.ts";
import { shareGpt } from "./sharegpt.ts";

export { BadDataError, FileError, RowError } from "./errors.ts";
export { type FileKind, fileKinds, kindFromExtension } from "./files.ts";
export type { FormatName, RecordFormat } from "./format.ts";

/** Other names recipes use for the same formats. */
const formatAliases: Record<string, FormatName> = { openai_chat: "openai", llama_factory: "llamafactory" };

/** Every format, in the order content detection tries them (most specific first). */
export const formats: readonly RecordFormat[] = [
  openAi,
  llamaFactory,
  agentInstruct,
  alpaca,
  gsm8k,
  mmlu,
  shareGpt,
];
export const formatNames: readonly FormatName[] = [
  "agentinstruct",
  "sharegpt",
  "openai",
  "llamafactory",
  "alpaca",
  "gsm8k",
  "mmlu",
];
export const writableFormatNames: readonly FormatName[] = formatNames.filter(
  (name) => formatByName(name)?.write,
);

export function formatByName(name: string): RecordFormat | undefined {
  const canonical = formatAliases[name] ?? name;
  return formats.find((f) => f.name === canonical);
}

/** Rows looked at to infer a format: enough to see a rare loss flag or tool turn near the top. */
const detectionWindow = 200;

/** Infers the format from a file's rows; CSV files are MMLU. */
export function detectFormat(file: string, source: FileRows): RecordFormat {
  if (source.kind === "csv") return mmlu;
  const sample = source.rows.slice(0, detectionWindow).map((row) => row.value);
  for (const format of formats) if (sample.some((row) => format.matches(row))) return format;
  const first = sample.find(isObject);
  const keys = first
    ? `its rows have the keys ${Object.keys(first).join(", ")}`
    : "it has no JSON object rows";
  throw new FileError(
    file,
    `cannot tell which data format this is (${keys}); pass --from ${formatNames.join("|")}`,
  );
}

export interface ReadOptions {
  /** The format (a name from formatNames, or an alias such as openai_chat); inferred from the content when absent. */
  from?: string;
  /** The file type; inferred from the extension (then the content) when absent. */
  kind?: FileKind;
  /** Skip malformed lines or rows and count them, instead of failing on them. */
  skipBadLines?: boolean;
}

export interface ReadResult<T> {
  items: T[];
  format: FormatName;
  kind: FileKind;
  unit: Unit;
  /** How many lines or rows were skipped as malformed (only with skipBadLines; else reading throws). */
  skipped: number;
  /** Why each was skipped, in file order. */
  skippedErrors: RecordError[];
}

async function readWith<T>(
  file: string,
  options: ReadOptions,
  choose: (source: FileRows) => RecordFormat,
  convert: (format: RecordFormat, row: unknown, where: RowContext) => T,
): Promise<ReadResult<T>> {
  const source = await readRows(file, options.kind);
  const format = choose(source);
  if (format.name === "mmlu" && source.kind === "csv" && isMmluHeader(source.rows[0]?.value))
    source.rows.shift();
  const stem = basename(file).replace(/\.[^.]*$/, "");
  const { items, errors } = convertRows(file, source, (value, position) =>
    convert(format, value, { file, position, fallbackId: `${stem}_${position}` }),
  );
  if (errors.length > 0 && !options.skipBadLines) throw new BadDataError(file, errors, source.unit);
  return {
    items,
    format: format.name,
    kind: source.kind,
    unit: source.unit,
    skipped: errors.length,
    skippedErrors: errors,
  };
}

/** The original MMLU CSVs have no header, but re-exported ones often do. */
function isMmluHeader(fields: unknown): boolean {
  return (
    Array.isArray(fields) &&
    fields.map((f) => String(f).trim().toLowerCase()).join(",") === "question,a,b,c,d,answer"
  );
}

function chooseFormat(file: string, from: string | undefined): (source: FileRows) => RecordFormat {
  return (source) => {
    if (from === undefined) return detectFormat(file, source);
    const format = formatByName(from);
    if (!format)
      throw new FileError(file, `unknown format "${from}"; expected one of ${formatNames.join(", ")}`);
    return format;
  };
}

/** Reads conversation records from a JSONL, JSON, Parquet or CSV file in any known format. */
export function readRecords(
  file: string,
  options: ReadOptions = {},
): Promise<ReadResult<ConversationRecord>> {
  return readWith(file, options, chooseFormat(file, options.from), (format, row, where) =>
    format.read(row, where),
  );
}

/** Loads MMLU questions (CSV, or Hugging Face JSONL/Parquet rows) as multiple-choice items. */
export function loadMmlu(
  file: string,
  options: Omit<ReadOptions, "from"> = {},
): Promise<ReadResult<ChoiceItem>> {
  return readWith(
    file,
    options,
    () => mmlu,
    (_, row, where) => mmluItem(row, where),
  );
}

/** Loads GSM8K problems (JSONL or Parquet) as items with a final-number checker. */
export function loadGsm8k(
  file: string,
  options: Omit<ReadOptions, "from"> = {},
): Promise<ReadResult<GeneralItem>> {
  return readWith(
    file,
    options,
    () => gsm8k,
    (_, row, where) => gsm8kItem(row, where),
  );
}

export interface WriteOptions {
  /** The format to write (default agentinstruct, atune's own); aliases as for reading. */
  to?: string;
  /** jsonl or json; from the file's extension when absent. */
  kind?: FileKind;
}

/** Writes records in a format, as JSONL or as one JSON array; returns what it wrote. */
export function writeRecords(
  file: string,
  records: readonly ConversationRecord[],
  options: WriteOptions = {},
): { format: FormatName; kind: FileKind } {
  const name = options.to ?? "agentinstruct";
  const format = formatByName(name);
  if (!format?.write) {
    throw new FileError(
      file,
      `cannot write the "${name}" format; writable formats are ${writableFormatNames.join(", ")}`,
    );
  }
  const kind = options.kind ?? kindFromExtension(file);
  if (kind !== "jsonl" && kind !== "json") {
    throw new FileError(file, "output files must end in .jsonl or .json (Parquet and CSV are read only)");
  }
  const write = format.write;
  let rows: unknown[];
  try {
    rows = records.map((record) => write(record));
  } catch (error) {
    if (error instanceof UnwritableRecordError) throw new FileError(file, error.message);
    throw error;
  }
  writeValues(file, rows, kind);
  return { format: format.name, kind };
}
