import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { ConversationRecord } from "../../runtime/data/record.ts";
import { MixError, mix, quotas } from "../../runtime/mix/mix.ts";

const records = (prefix: string, n: number, chars = 10): ConversationRecord[] =>
  Array.from({ length: n }, (_, i) => ({
    id: `${prefix}${i}`,
    conversations: [{ from: "gpt", value: "x".repeat(chars), loss: null }],
  }));

describe("quotas", () => {
  it("sum to the total and each is within 1 of its exact share", () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 0.001, max: 10, noNaN: true }), { minLength: 1, maxLength: 6 }),
        fc.nat(100_000),
        (weights, total) => {
          const q = quotas(weights, total);
          const sum = weights.reduce((a, b) => a + b, 0);
          expect(q.reduce((a, b) => a + b, 0)).toBe(total);
          for (const [i, n] of q.entries()) expect(Math.abs(n - (weights[i] / sum) * total)).toBeLessThan(1);
        },
      ),
    );
  });
});

describe("mix", () => {
  it("realises the declared η within one example, for any η and seed", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 100 }),
        fc.integer(),
        fc.integer({ min: 1, max: 3000 }),
        (percent, seed, total) => {
          const eta = percent / 100;
          const result = mix(
            [
              { name: "agent", weight: eta, records: records("a", 500) },
              { name: "general", weight: 1 - eta, records: records("g", 4000) },
            ],
            { stop: "total", total, unit: "examples", seed },
          );
          expect(result.records).toHaveLength(total);
          const agent = result.records.filter((r) => r.id.startsWith("a")).length;
          expect(Math.abs(agent - eta * total)).toBeLessThan(1);
          expect(result.report[0].count).toBe(agent);
        },
      ),
      { numRuns: 200 },
    );
  });

  it("is deterministic for a seed and different across seeds", () => {
    const sources = [
      { name: "a", weight: 0.2, records: records("a", 50) },
      { name: "g", weight: 0.8, records: records("g", 200) },
    ];
    const ids = (seed: number) =>
      mix(sources, { stop: "total", total: 100, unit: "examples", seed }).records.map((r) => r.id);
    expect(ids(1)).toEqual(ids(1));
    expect(ids(1)).not.toEqual(ids(2));
  });

  it("repeats a source smaller than its quota and says how often", () => {
    const result = mix(
      [
        { name: "agent", weight: 0.5, records: records("a", 10) },
        { name: "general", weight: 0.5, records: records("g", 100) },
      ],
      { stop: "total", total: 50, unit: "examples", seed: 3 },
    );
    expect(result.report[0]).toMatchObject({ available: 10, count: 25, repeated: 15, share: 0.5 });
    expect(new Set(result.records.filter((r) => r.id.startsWith("a")).map((r) => r.id)).size).toBe(10);
  });

  it("first_exhausted stops before any source repeats; all_exhausted uses every example", () => {
    const sources = [
      { name: "agent", weight: 0.2, records: records("a", 30) },
      { name: "general", weight: 0.8, records: records("g", 400) },
    ];
    const first = mix(sources, { stop: "first_exhausted", unit: "examples", seed: 1 });
    expect(first.total).toBe(150); // 30 agent examples are 20% of 150
    expect(first.report.map((r) => r.repeated)).toEqual([0, 0]);
    const all = mix(sources, { stop: "all_exhausted", unit: "examples", seed: 1 });
    expect(all.total).toBe(500); // 400 general examples are 80% of 500; the 30 agent examples repeat
    expect(new Set(all.records.map((r) => r.id)).size).toBe(430);
  });

  it("mixes by tokens", () => {
    const result = mix(
      [
        { name: "long", weight: 0.5, records: records("l", 100, 100) },
        { name: "short", weight: 0.5, records: records("s", 100, 10) },
      ],
      {
        stop: "total",
        total: 2000,
        unit: "tokens",
        seed: 1,
        countTokens: (r) => r.conversations[0].value.length,
      },
    );
    expect(result.report.map((r) => r.tokens)).toEqual([1000, 1000]);
    expect(result.report.map((r) => r.count)).toEqual([10, 100]);
  });

  it("explains bad mixes", () => {
    const opts = { stop: "total" as const, total: 10, unit: "examples" as const, seed: 0 };
    expect(() => mix([{ name: "a", weight: 0.5, records: [] }], opts)).toThrow(MixError);
    expect(() => mix([{ name: "a", weight: 0.5, records: [] }], opts)).toThrow(
      "source 'a' has weight 0.5 but no examples",
    );
    expect(() => mix([{ name: "a", weight: 0, records: records("a", 1) }], opts)).toThrow(
      "every weight is 0",
    );
    expect(() => mix([{ name: "a", weight: 1, records: records("a", 1) }], { ...opts, total: 0 })).toThrow(
      "needs a positive total",
    );
  });
});
