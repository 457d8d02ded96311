import { type ConversationRecord, toRecord } from "../record.ts";
import { isObject, type RecordFormat } from "./format.ts";

/**
 * The public AgentInstruct dataset's rows (and atune's own records):
 * {"id": "os_0", "conversations": [{"from": "human", "loss": null, "value": "…"}, …]}.
 * Loss flags are kept exactly; `meta` travels along when present.
 */
export const agentInstruct: RecordFormat = {
  name: "agentinstruct",
  summary: "AgentInstruct / FastChat records: id, conversations[{from, value, loss}], meta",
  matches: (row) =>
    isObject(row) &&
    Array.isArray(row.conversations) &&
    row.conversations.some((turn) => isObject(turn) && "loss" in turn),
  read: (row, where) => toRecord(withId(row, where.fallbackId), where.file, where.position),
  write: (record: ConversationRecord) => {
    const row: Record<string, unknown> = {
      id: record.id,
      conversations: record.conversations.map((turn) => ({
        from: turn.from,
        value: turn.value,
        loss: turn.loss,
      })),
    };
    if (record.meta !== undefined) row.meta = record.meta;
    return row;
  },
};

/** The row with an id filled in when it has none (ShareGPT exports and Parquet shards often lack one). */
export function withId(row: unknown, fallbackId: string): unknown {
  return isObject(row) && row.id === undefined ? { ...row, id: fallbackId } : row;
}
