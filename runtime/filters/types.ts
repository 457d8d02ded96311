import type { ConversationRecord } from "../data/record.ts";

/**
 * One filter, made fresh for each pass over a dataset (dedupe remembers what it has seen).
 * `check` returns undefined to keep the record, or the reason it is dropped.
 */
export interface RecordFilter {
  /** How the filter is named in reports, e.g. "reward >= 1". */
  label: string;
  check(record: ConversationRecord): string | undefined;
}

/** The records of an episode that belong to the episode itself, past the shared prompt turns. */
export function episodeTurns(record: ConversationRecord) {
  return record.conversations.slice(record.meta?.promptTurns ?? 0);
}
