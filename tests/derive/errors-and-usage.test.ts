import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { StageFailure } from "../../runtime/executor/executor.ts";
import { runTokens, stageTokens } from "../../runtime/executor/usage.ts";
import { meterGenerator } from "../../runtime/generators/meter.ts";
import type { Generator } from "../../runtime/generators/types.ts";
import { byteTokenizerFiles } from "../../runtime/train/tokenizer/byte.ts";
import { deriveConfig, derivePlan, runPlan, seedTasks } from "./helpers.ts";

const failure = async (plan: ReturnType<typeof derivePlan>) => {
  const error = await runPlan(plan, mkdtempSync(join(tmpdir(), "atune-derive-err-"))).catch((e) => e);
  expect(error).toBeInstanceOf(StageFailure);
  return (error as StageFailure).message;
};

describe("derive stage errors", () => {
  it("names a family without derivation hooks and says how to fix it", async () => {
    const message = await failure(derivePlan(seedTasks("household", 2), deriveConfig("derive", 2)));
    expect(message).toContain("'household' family, which has no task derivation hooks");
    expect(message).toContain("docs/derive.md");
  });

  it("refuses to derive training tasks from test-split seeds", async () => {
    const tasks = { ...seedTasks("db", 2), split: "test" as const };
    const message = await failure(derivePlan(tasks, deriveConfig("derive", 2)));
    expect(message).toMatch(/holds test-split tasks.*split = train/);
  });
});

describe("token counts for the manifest", () => {
  const expert = { generator: { type: "expert" } };
  const openai = { generator: { type: "openai", model: "m" } };

  it("takes a stage's reported usage, counts the expert as 0, and lists generator stages that report none", () => {
    const usage = { promptTokens: 120, completionTokens: 30 };
    expect(stageTokens(openai, { usage })).toEqual(usage);
    expect(stageTokens(expert, {})).toEqual({ promptTokens: 0, completionTokens: 0 });
    expect(stageTokens({ ...expert, verifier: { type: "openai" } }, {})).toBe("unreported");
    expect(stageTokens({ models: [{ name: "a", generator: { type: "model" } }] }, {})).toBe("unreported");
    expect(stageTokens({ filters: [] }, { records: 3 })).toBeUndefined();

    const totals = runTokens([
      { id: "derive.a", status: "ran", tokens: usage },
      { id: "derive.b", status: "cached", tokens: { promptTokens: 1, completionTokens: 2 } },
      { id: "collect.c", status: "ran", tokens: "unreported" },
      { id: "filter.d", status: "ran" },
    ]);
    expect(totals).toEqual({
      promptTokens: 121,
      completionTokens: 32,
      totalTokens: 153,
      spentThisRun: usage,
      unreported: ["collect.c"],
      cost: "unpriced",
    });
  });

  it("counts a local model's prompts and replies with the model's own tokenizer", async () => {
    const modelDir = join(mkdtempSync(join(tmpdir(), "atune-meter-")), "model");
    mkdirSync(modelDir);
    for (const [name, content] of Object.entries(byteTokenizerFiles()))
      writeFileSync(join(modelDir, name), JSON.stringify(content));
    const inner: Generator = {
      name: "model:m",
      startEpisode: () => ({ act: async () => "Thought: ok\nAction: look" }),
    };
    const inputs = { "model.m": { dir: modelDir, config: {}, summary: { path: modelDir } } };
    const metered = meterGenerator(
      inner,
      { type: "model", stage: "model.m", temperature: 0, maxTokens: 8 },
      inputs,
    );
    const session = metered.generator.startEpisode({} as never, {} as never);
    const messages = [{ role: "user" as const, content: "hello" }];
    await session.act(messages, "");
    await session.act(messages, "");
    const usage = metered.usage();
    // The byte tokenizer: one token per byte of the reply; the prompt adds the template's markers.
    expect(usage.completionTokens).toBe(2 * "Thought: ok\nAction: look".length);
    expect(usage.promptTokens).toBeGreaterThan(2 * "hello".length);
    expect(usage.promptTokens % 2).toBe(0);
  });
});
