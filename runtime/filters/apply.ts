import type { ConversationRecord } from "../data/record.ts";
import type { RecordFilter } from "./types.ts";

export interface FilterReport {
  label: string;
  /** Records that reached this filter. */
  seen: number;
  dropped: number;
  /** Drop reasons with their counts, most frequent first. */
  reasons: Array<{ reason: string; count: number }>;
}

export interface FilterResult {
  kept: ConversationRecord[];
  dropped: Array<{ id: string; filter: string; reason: string }>;
  report: FilterReport[];
}

/**
 * Runs the filters in order; a record is dropped by the first filter that rejects it, so each
 * report counts exactly the records that filter removed.
 */
export function applyFilters(records: ConversationRecord[], filters: RecordFilter[]): FilterResult {
  const reasonCounts = filters.map(() => new Map<string, number>());
  const seen = filters.map(() => 0);
  const kept: ConversationRecord[] = [];
  const dropped: FilterResult["dropped"] = [];
  for (const record of records) {
    let rejected = false;
    for (const [index, filter] of filters.entries()) {
      seen[index]++;
      const reason = filter.check(record);
      if (reason !== undefined) {
        // Group reasons by their wording without numbers, so reports stay short.
        const group = reason.replace(/\d+(\.\d+)?/g, "N");
        reasonCounts[index].set(group, (reasonCounts[index].get(group) ?? 0) + 1);
        dropped.push({ id: record.id, filter: filter.label, reason });
        rejected = true;
        break;
      }
    }
    if (!rejected) kept.push(record);
  }
  const report = filters.map((filter, index) => ({
    label: filter.label,
    seen: seen[index],
    dropped: [...reasonCounts[index].values()].reduce((a, b) => a + b, 0),
    reasons: [...reasonCounts[index]]
      .map(([reason, count]) => ({ reason, count }))
      .sort((a, b) => b.count - a.count),
  }));
  return { kept, dropped, report };
}
