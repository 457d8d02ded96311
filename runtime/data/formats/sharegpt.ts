import { type ConversationRecord, toRecord } from "../record.ts";
import { withId } from "./agentinstruct.ts";
import { isObject, type RecordFormat } from "./format.ts";

/**
 * ShareGPT: {"id": "…", "conversations": [{"from": "human"|"gpt"|"system", "value": "…"}]}, as
 * JSONL or as one JSON array. It has no loss flags: turns read as `loss: null` (gpt turns trained
 * on; a stray "loss" field is kept), and writing drops the flags.
 */
export const shareGpt: RecordFormat = {
  name: "sharegpt",
  summary: "ShareGPT: id, conversations[{from: human|gpt|system, value}] (JSONL or a JSON array)",
  matches: (row) => isObject(row) && Array.isArray(row.conversations),
  read: (row, where) => toRecord(withId(row, where.fallbackId), where.file, where.position),
  write: (record: ConversationRecord) => ({
    id: record.id,
    conversations: record.conversations.map((turn) => ({ from: turn.from, value: turn.value })),
  }),
};
