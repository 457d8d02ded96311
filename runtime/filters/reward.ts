import type { RecordFilter } from "./types.ts";

export type Comparison = "==" | "!=" | ">=" | ">" | "<=" | "<";

const compare: Record<Comparison, (a: number, b: number) => boolean> = {
  // Rewards such as 2/3 are computed in floating point; compare with a small tolerance.
  "==": (a, b) => Math.abs(a - b) <= 1e-9,
  "!=": (a, b) => Math.abs(a - b) > 1e-9,
  ">=": (a, b) => a >= b - 1e-9,
  ">": (a, b) => a > b + 1e-9,
  "<=": (a, b) => a <= b + 1e-9,
  "<": (a, b) => a < b - 1e-9,
};

/** Keep a trajectory only when its reward compares as declared (AgentTuning: reward == 1). */
export function rewardFilter(op: Comparison, value: number): RecordFilter {
  return {
    label: `reward ${op} ${+value.toFixed(6)}`,
    check(record) {
      const reward = record.meta?.reward;
      if (typeof reward !== "number") return "no reward recorded (not a collected trajectory)";
      return compare[op](reward, value)
        ? undefined
        : `reward ${+reward.toFixed(6)} fails ${op} ${+value.toFixed(6)}`;
    },
  };
}
