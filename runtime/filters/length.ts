import type { ConversationRecord } from "../data/record.ts";
import type { RecordFilter } from "./types.ts";

export interface Bounds {
  min?: number;
  max?: number;
}

function bounded(
  label: string,
  measure: (record: ConversationRecord) => number,
  bounds: Bounds,
): RecordFilter {
  const parts = [
    bounds.min !== undefined ? `>= ${bounds.min}` : "",
    bounds.max !== undefined ? `<= ${bounds.max}` : "",
  ];
  return {
    label: `${label} ${parts.filter(Boolean).join(" and ")}`,
    check(record) {
      const value = measure(record);
      if (bounds.min !== undefined && value < bounds.min) return `${label} ${value} < ${bounds.min}`;
      if (bounds.max !== undefined && value > bounds.max) return `${label} ${value} > ${bounds.max}`;
      return undefined;
    },
  };
}

/** Bounds on the number of agent turns (gpt replies) in the episode. */
export function turnsFilter(bounds: Bounds): RecordFilter {
  return bounded(
    "turns",
    (record) => record.meta?.turns ?? record.conversations.filter((t) => t.from === "gpt").length,
    bounds,
  );
}

/**
 * Bounds on the whole conversation's length in tokens, as counted by the caller's tokenizer
 * (the target model's, so the bound means what the training sequence length means).
 */
export function tokensFilter(bounds: Bounds, countTokens: (text: string) => number): RecordFilter {
  return bounded(
    "tokens",
    (record) => record.conversations.reduce((n, turn) => n + countTokens(turn.value), 0),
    bounds,
  );
}
