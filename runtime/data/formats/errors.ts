import { RecordError } from "../record.ts";

/** How a file's items are counted: JSONL and CSV by line, JSON arrays and Parquet by row. */
export type Unit = "line" | "row";

/** A problem in one row of a JSON array or Parquet file (rows count from 1). */
export class RowError extends RecordError {
  constructor(file: string, row: number, problem: string) {
    super(file, row, problem);
    this.message = `${file}: row ${row}: ${problem}`;
  }
}

/** A problem with a file as a whole: missing, unreadable, or not in any format we know. */
export class FileError extends RecordError {
  constructor(file: string, problem: string) {
    super(file, 0, problem);
    this.message = `${file}: ${problem}`;
  }
}

/** The error for one item, worded by line or by row as the file counts them. */
export function errorAt(file: string, unit: Unit, position: number, problem: string): RecordError {
  return unit === "row" ? new RowError(file, position, problem) : new RecordError(file, position, problem);
}

const shown = 5;

/** A file with bad lines or rows, read without skipBadLines: every problem, the first few in the message. */
export class BadDataError extends Error {
  constructor(
    readonly file: string,
    readonly errors: RecordError[],
    unit: Unit,
  ) {
    const more = errors.length > shown ? [`  … and ${errors.length - shown} more`] : [];
    super(
      [
        `${file}: ${errors.length} bad ${unit}${errors.length === 1 ? "" : "s"}:`,
        ...errors.slice(0, shown).map((e) => `  ${e.message}`),
        ...more,
        `Fix the ${unit}s above, or skip and count them with --skip-bad-lines (skipBadLines: true).`,
      ].join("\n"),
    );
  }
}
