import { createHash } from "node:crypto";
import { episodeTurns, type RecordFilter } from "./types.ts";

/** Drop exact duplicates of an earlier record's episode (same turns, same text, same speakers). */
export function dedupeFilter(): RecordFilter {
  const seen = new Map<string, string>();
  return {
    label: "dedupe",
    check(record) {
      const key = createHash("sha256")
        .update(JSON.stringify(episodeTurns(record).map((turn) => [turn.from, turn.value])))
        .digest("hex");
      const first = seen.get(key);
      if (first !== undefined) return `duplicate of ${first}`;
      seen.set(key, record.id);
      return undefined;
    },
  };
}
