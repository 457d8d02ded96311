import { describe, expect, it } from "vitest";
import type { ConversationRecord, RecordMeta } from "../../runtime/data/record.ts";
import { applyFilters } from "../../runtime/filters/apply.ts";
import { decontaminateFilter, wordNgrams } from "../../runtime/filters/decontaminate.ts";
import { dedupeFilter } from "../../runtime/filters/dedupe.ts";
import { finishReasonFilter } from "../../runtime/filters/finish-reason.ts";
import { formatFilter } from "../../runtime/filters/format.ts";
import { tokensFilter, turnsFilter } from "../../runtime/filters/length.ts";
import { predicateFilter } from "../../runtime/filters/predicate.ts";
import { rewardFilter } from "../../runtime/filters/reward.ts";

const record = (id: string, meta: RecordMeta, replies = ["Thought: t\nAction: a"]): ConversationRecord => ({
  id,
  conversations: [
    { from: "human", value: "shared prompt", loss: false },
    { from: "human", value: `Task: ${id}`, loss: false },
    ...replies.map((value) => ({ from: "gpt" as const, value, loss: true })),
  ],
  meta: { promptTurns: 1, ...meta },
});

describe("filters", () => {
  it("keeps reward == 1 and >= 2/3 with floating-point tolerance", () => {
    const records = [
      record("a", { reward: 1 }),
      record("b", { reward: 2 / 3 }),
      record("c", { reward: 0.5 }),
    ];
    expect(applyFilters(records, [rewardFilter("==", 1)]).kept.map((r) => r.id)).toEqual(["a"]);
    expect(applyFilters(records, [rewardFilter(">=", 2 / 3)]).kept.map((r) => r.id)).toEqual(["a", "b"]);
  });

  it("reports each filter's drops with grouped reasons, first rejecting filter only", () => {
    const records = [
      record("a", { reward: 1, finishReason: "done" }),
      record("b", { reward: 0, finishReason: "max_turns" }),
      record("c", { reward: 0.2, finishReason: "repetition" }),
      record("d", { reward: 1, finishReason: "repetition" }),
    ];
    const result = applyFilters(records, [rewardFilter("==", 1), finishReasonFilter(["done"])]);
    expect(result.kept.map((r) => r.id)).toEqual(["a"]);
    expect(result.report).toEqual([
      { label: "reward == 1", seen: 4, dropped: 2, reasons: [{ reason: "reward N fails == N", count: 2 }] },
      {
        label: "finish_reason in [done]",
        seen: 2,
        dropped: 1,
        reasons: [{ reason: "finished by repetition", count: 1 }],
      },
    ]);
    expect(result.dropped.map((d) => d.id)).toEqual(["b", "c", "d"]);
  });

  it("checks the format of trained-on replies only", () => {
    const good = record("a", {}, ["Thought: x\nAction: y"]);
    const bad = record("b", {}, ["Thought: x\nAction: y", "I will now answer"]);
    const result = applyFilters([good, bad], [formatFilter()]);
    expect(result.kept.map((r) => r.id)).toEqual(["a"]);
    expect(result.dropped[0].reason).toBe("reply 2 is not in Thought/Action format");
  });

  it("bounds turns and tokens", () => {
    const records = [record("a", { turns: 1 }), record("b", { turns: 5 })];
    expect(applyFilters(records, [turnsFilter({ max: 3 })]).kept.map((r) => r.id)).toEqual(["a"]);
    const byChars = tokensFilter({ min: 100 }, (text) => text.length);
    expect(applyFilters(records, [byChars]).kept).toHaveLength(0);
  });

  it("dedupes on the episode, ignoring the shared prompt", () => {
    const a = record("a", {});
    const b = {
      ...record("a", {}),
      id: "b",
      conversations: [
        { from: "human" as const, value: "other prompt", loss: false },
        ...a.conversations.slice(1),
      ],
    };
    const result = applyFilters([a, b, record("c", {})], [dedupeFilter()]);
    expect(result.kept.map((r) => r.id)).toEqual(["a", "c"]);
    expect(result.dropped[0].reason).toBe("duplicate of a");
  });

  it("drops records sharing 10-grams with evaluation tasks", () => {
    const evalText = "put a clean mug in the coffee machine and then turn on the desk lamp";
    const leaked = record("leak", {}, [`Thought: The task says: ${evalText}.\nAction: look`]);
    const clean = record("clean", {}, ["Thought: I need to find the apple first.\nAction: go to fridge 1"]);
    const result = applyFilters([leaked, clean], [decontaminateFilter([evalText], 10, 0)]);
    expect(result.kept.map((r) => r.id)).toEqual(["clean"]);
    expect(wordNgrams("A b, c d", 2)).toEqual(["a b", "b c", "c d"]);
  });

  it("runs a user predicate and names it when it throws", () => {
    const short = predicateFilter("short_only", (r) => (r.conversations.length <= 3 ? true : "too long"));
    const result = applyFilters([record("a", {}), record("b", {}, ["x", "y"])], [short]);
    expect(result.dropped).toEqual([{ id: "b", filter: "short_only", reason: "too long" }]);
    const broken = predicateFilter("broken", () => {
      throw new Error("boom");
    });
    expect(() => applyFilters([record("a", {})], [broken])).toThrow("filter broken threw on record a: boom");
  });
});
