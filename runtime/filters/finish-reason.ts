import type { RecordFilter } from "./types.ts";

/** Keep trajectories whose episode ended for one of the allowed reasons (e.g. only "done"). */
export function finishReasonFilter(allowed: string[]): RecordFilter {
  const allowedSet = new Set(allowed);
  return {
    label: `finish_reason in [${allowed.join(", ")}]`,
    check(record) {
      const reason = record.meta?.finishReason ?? "unknown";
      return allowedSet.has(reason) ? undefined : `finished by ${reason}`;
    },
  };
}
