import { join } from "node:path";
import { readJsonl } from "../data/jsonl.ts";
import { type ConversationRecord, toRecord } from "../data/record.ts";
import type { EnvTask } from "../env/types.ts";
import { writeFileAtomic } from "../executor/files.ts";

/** Every dataset stage writes its records here, one JSON record a line. */
export const RECORDS_FILE = "records.jsonl";
/** Every tasks stage writes its tasks here. */
export const TASKS_FILE = "tasks.jsonl";

const toJsonl = (items: unknown[]) => items.map((item) => `${JSON.stringify(item)}\n`).join("");

export function writeRecords(dir: string, records: ConversationRecord[]): void {
  writeFileAtomic(join(dir, RECORDS_FILE), toJsonl(records));
}

export function readRecords(dir: string): ConversationRecord[] {
  const { items, errors } = readJsonl(join(dir, RECORDS_FILE), toRecord);
  // Our own stage outputs: a bad line means the cache was damaged, not a user data error.
  if (errors.length > 0)
    throw new Error(`damaged cache entry ${dir}: ${errors[0].message}; rerun with --force`);
  return items;
}

export function writeTasks(dir: string, tasks: EnvTask[]): void {
  writeFileAtomic(join(dir, TASKS_FILE), toJsonl(tasks));
}

export function readTasks(dir: string): EnvTask[] {
  const { items, errors } = readJsonl(join(dir, TASKS_FILE), (value) => value as EnvTask);
  if (errors.length > 0)
    throw new Error(`damaged cache entry ${dir}: ${errors[0].message}; rerun with --force`);
  return items;
}
