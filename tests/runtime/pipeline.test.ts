import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { executePlan } from "../../runtime/executor/executor.ts";
import type { Progress } from "../../runtime/executor/progress.ts";
import { PlanBuilder } from "../../runtime/plan/build.ts";
import type { CollectConfig, FilterStageConfig, MixConfig, TasksConfig } from "../../runtime/plan/config.ts";
import { stageHandlers } from "../../runtime/stages/handlers.ts";
import { readRecords } from "../../runtime/stages/records.ts";

const quiet = (): Progress => ({ start() {}, advance() {}, finish() {} });
const tasks = (split: "train" | "test", count: number, seed: number) =>
  ({
    env: { builtin: "household" },
    split,
    count,
    seed,
    options: {},
  }) satisfies TasksConfig as unknown as Record<string, unknown>;
const collect = {
  generator: { type: "expert" },
  shots: 1,
  maxTurns: 30,
  invalidActions: "error",
  concurrency: 2,
} satisfies CollectConfig;

/** household train tasks → expert trajectories → reward/decontamination filters → η mix with a second set. */
function pipelinePlan(eta: number, seed: number) {
  const plan = new PlanBuilder("test");
  plan.add("tasks.train", "tasks", tasks("train", 12, 1));
  plan.add("tasks.other", "tasks", tasks("train", 30, 2));
  plan.add("tasks.test", "tasks", tasks("test", 10, 1));
  plan.add("collect.agent", "collect", collect as unknown as Record<string, unknown>, ["tasks.train"]);
  plan.add("collect.other", "collect", collect as unknown as Record<string, unknown>, ["tasks.other"]);
  const filters: FilterStageConfig = {
    filters: [
      { type: "reward", op: "==", value: 1 },
      { type: "decontaminate", against: ["tasks.test"], n: 10, tolerance: 0 },
    ],
  };
  plan.add("filter.agent", "filter", filters as unknown as Record<string, unknown>, [
    "collect.agent",
    "tasks.test",
  ]);
  const mixConfig: MixConfig = {
    weights: { "filter.agent": eta, "collect.other": 1 - eta },
    stop: "total",
    total: 40,
    unit: "examples",
    seed,
  };
  plan.add("mix.tuning", "mix", mixConfig as unknown as Record<string, unknown>, [
    "filter.agent",
    "collect.other",
  ]);
  return plan.build({ name: "t", file: "t.atune", sha256: "0" }, { eta });
}

describe("collect → filter → mix on a real environment", () => {
  const root = mkdtempSync(join(tmpdir(), "atune-pipeline-"));

  it("builds an AgentInstruct-style dataset and the declared mixture", async () => {
    const manifest = await executePlan(pipelinePlan(0.2, 7), {
      root,
      handlers: stageHandlers,
      progress: quiet,
    });
    const byId = Object.fromEntries(manifest.stages.map((s) => [s.id, s]));
    expect(byId["collect.agent"].summary).toMatchObject({ records: 12 });
    expect(byId["filter.agent"].summary).toMatchObject({ input: 12, kept: 12, dropped: 0 });
    expect(byId["mix.tuning"].summary).toMatchObject({ total: 40 });
    const mixed = readRecords(join(root, "cache", byId["mix.tuning"].key));
    expect(mixed.filter((r) => r.id.startsWith("household/train/1/")).length).toBe(8);
    const first = JSON.parse(
      readFileSync(join(root, "cache", byId["collect.agent"].key, "records.jsonl"), "utf8").split("\n")[0],
    );
    expect(first.conversations.at(-1)).toMatchObject({ from: "gpt", loss: true });
    expect(first.meta).toMatchObject({ family: "household", reward: 1, success: true, finishReason: "done" });
  });

  it("realises any η and seed within one example, reusing everything upstream of the mix", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 100 }),
        fc.integer({ min: 0, max: 1000 }),
        async (percent, seed) => {
          const eta = percent / 100;
          const manifest = await executePlan(pipelinePlan(eta, seed), {
            root,
            handlers: stageHandlers,
            progress: quiet,
          });
          // Everything upstream of the mix was computed by the first test and is reused.
          const upstream = manifest.stages.filter((s) => s.id !== "mix.tuning");
          expect(upstream.every((s) => s.status === "cached")).toBe(true);
          const mixStage = manifest.stages.find((s) => s.id === "mix.tuning")!;
          const agent = readRecords(join(root, "cache", mixStage.key)).filter((r) =>
            r.id.startsWith("household/train/1/"),
          ).length;
          expect(Math.abs(agent - eta * 40)).toBeLessThan(1);
        },
      ),
      { numRuns: 15 },
    );
  });
});
