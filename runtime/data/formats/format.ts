import type { ConversationRecord } from "../record.ts";

export type FormatName =
  | "agentinstruct"
  | "sharegpt"
  | "openai"
  | "llamafactory"
  | "alpaca"
  | "gsm8k"
  | "mmlu";

/** Where a row sits in its file, for error messages and for ids of rows that carry none. */
export interface RowContext {
  file: string;
  /** Line or row number, counting from 1. */
  position: number;
  /** An id for rows without one: the file's name and the position. */
  fallbackId: string;
}

/** One conversation data format: how to recognise a row, read it into a record and write one back. */
export interface RecordFormat {
  name: FormatName;
  summary: string;
  /** Whether a parsed row is evidence of this format (used when no --from is given). */
  matches(row: unknown): boolean;
  /** Reads one row; throws a RecordError saying what is wrong. */
  read(row: unknown, where: RowContext): ConversationRecord;
  /** Writes one record as a row of this format; absent for read-only formats (gsm8k, mmlu). */
  write?(record: ConversationRecord): unknown;
}

export const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** A record that a format cannot hold (e.g. a multi-turn tool episode as Alpaca); writeRecords names the file. */
export class UnwritableRecordError extends Error {}
