import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { asEpisode, invalidStep } from "../../runtime/env/common/episode.ts";
import { EnvQueryError } from "../../runtime/env/common/errors.ts";
import { resolveOptions } from "../../runtime/env/common/options.ts";
import { generateTasks, splitOf, taskSignature } from "../../runtime/env/common/tasks.ts";
import { hashString, Rng } from "../../runtime/util/random.ts";

describe("seeded randomness", () => {
  it("repeats the same stream for the same seed and stays in range", () => {
    fc.assert(
      fc.property(fc.oneof(fc.integer(), fc.string()), fc.integer({ min: 1, max: 1000 }), (seed, n) => {
        const a = new Rng(seed);
        const b = new Rng(seed);
        for (let i = 0; i < 20; i++) {
          const x = a.int(n);
          expect(x).toBe(b.int(n));
          expect(x).toBeGreaterThanOrEqual(0);
          expect(x).toBeLessThan(n);
        }
      }),
    );
    expect(new Rng("a").next()).not.toBe(new Rng("b").next());
    expect(hashString("household")).toBe(hashString("household"));
  });

  it("samples distinct items and shuffles without losing any", () => {
    const rng = new Rng(3);
    const items = Array.from({ length: 30 }, (_, i) => i);
    expect(new Set(rng.sample(items, 10)).size).toBe(10);
    expect([...rng.shuffle(items)].sort((a, b) => a - b)).toEqual(items);
    expect(() => rng.pick([])).toThrow(/empty list/);
  });
});

describe("task generation", () => {
  const make = (rng: Rng) => ({ instruction: `task ${rng.int(50)}`, data: { n: 1 } });

  it("puts every content signature in exactly one split", () => {
    const signatures = Array.from({ length: 200 }, (_, i) =>
      taskSignature({ instruction: `t${i}`, data: {} }),
    );
    const splits = signatures.map((s) => splitOf("toy", s));
    expect(splits).toContain("train");
    expect(splits).toContain("test");
    for (const s of signatures) expect(splitOf("toy", s)).toBe(splitOf("toy", s));
  });

  it("says plainly when the content space cannot supply the tasks asked for", () => {
    // 50 distinct instructions, about half of them in each split.
    expect(() => generateTasks("toy", { split: "train", count: 40, seed: 1 }, {}, make)).toThrow(
      /toy: only \d+ distinct train tasks could be made with these options \(asked for 40\)/,
    );
    const tasks = generateTasks("toy", { split: "test", count: 10, seed: 1 }, {}, make);
    expect(tasks.map((t) => t.id)).toEqual(Array.from({ length: 10 }, (_, i) => `toy/test/1/${i}`));
    expect(() => generateTasks("toy", { split: "train", count: -1, seed: 1 }, {}, make)).toThrow(
      EnvQueryError,
    );
  });
});

describe("options", () => {
  const specs = {
    difficulty: { description: "how hard", default: "medium", choices: ["easy", "medium", "hard"] },
    size: { description: "how big", default: 4, min: 2, max: 8 },
  };

  it("merges the given options over the defaults", () => {
    expect(resolveOptions("toy", specs, { size: 6 })).toEqual({ difficulty: "medium", size: 6 });
  });

  it("names the option and the allowed values in every error", () => {
    expect(() => resolveOptions("toy", specs, { colour: "red" })).toThrow(
      "toy: unknown option 'colour'. Known options: difficulty, size.",
    );
    expect(() => resolveOptions("toy", specs, { difficulty: "brutal" })).toThrow(
      /must be one of "easy", "medium", "hard"/,
    );
    expect(() => resolveOptions("toy", specs, { size: 9 })).toThrow(/between 2 and 8/);
    expect(() => resolveOptions("toy", specs, { size: 2.5 })).toThrow(/whole number/);
    expect(() => resolveOptions("toy", specs, { size: "4" })).toThrow(/must be a number/);
  });
});

describe("episodes", () => {
  it("resets on a first step and refuses steps after the end", async () => {
    let resets = 0;
    const episode = asEpisode({
      reset: () => {
        resets++;
        return { observation: "start" };
      },
      step: (action) =>
        action === "win"
          ? { observation: "won", reward: 1, done: true, info: { valid: true, success: true } }
          : invalidStep("no"),
    });
    expect((await episode.step("x")).info.valid).toBe(false);
    expect(resets).toBe(1);
    expect((await episode.step("win")).reward).toBe(1);
    const after = await episode.step("win");
    expect(after.info.valid).toBe(false);
    expect(after.observation).toMatch(/episode is over/);
    await episode.close();
    await episode.close();
  });
});
