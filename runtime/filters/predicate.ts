import type { ConversationRecord } from "../data/record.ts";
import type { RecordFilter } from "./types.ts";

/**
 * The signature of a user's TypeScript filter: return true to keep, false to drop, or a string
 * to drop with that reason.
 */
export type RecordPredicate = (record: ConversationRecord) => boolean | string;

export function predicateFilter(name: string, predicate: RecordPredicate): RecordFilter {
  return {
    label: name,
    check(record) {
      let verdict: boolean | string;
      try {
        verdict = predicate(record);
      } catch (error) {
        throw new Error(`filter ${name} threw on record ${record.id}: ${(error as Error).message}`);
      }
      if (verdict === true) return undefined;
      return verdict === false ? `rejected by ${name}` : String(verdict);
    },
  };
}
