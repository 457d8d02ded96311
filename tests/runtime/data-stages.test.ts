import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { executePlan, StageFailure } from "../../runtime/executor/executor.ts";
import type { Progress } from "../../runtime/executor/progress.ts";
import { PlanBuilder } from "../../runtime/plan/build.ts";
import { stageHandlers } from "../../runtime/stages/handlers.ts";
import { readRecords } from "../../runtime/stages/records.ts";

const quiet = (): Progress => ({ start() {}, advance() {}, finish() {} });
const recipe = { name: "d", file: "d.atune", sha256: "0" };

describe("data stages", () => {
  it("mixes the built-in general set with a user's ShareGPT file", async () => {
    const dir = mkdtempSync(join(tmpdir(), "atune-data-"));
    const file = join(dir, "chats.jsonl");
    const chat = (i: number) =>
      JSON.stringify({
        id: `c${i}`,
        conversations: [
          { from: "human", value: `hi ${i}` },
          { from: "gpt", value: "hello" },
        ],
      });
    writeFileSync(file, `${Array.from({ length: 20 }, (_, i) => chat(i)).join("\n")}\n`);

    const plan = new PlanBuilder("test");
    plan.add("builtin_data.general", "builtin_data", { name: "general", split: "train", count: 80, seed: 1 });
    plan.add(
      "load.chats",
      "load",
      { path: file, format: "sharegpt", skipBadLines: false },
      [],
      [{ path: file, sha256: "x" }],
    );
    plan.add(
      "mix.m",
      "mix",
      {
        weights: { "builtin_data.general": 0.75, "load.chats": 0.25 },
        stop: "first_exhausted",
        unit: "examples",
        seed: 3,
      },
      ["builtin_data.general", "load.chats"],
    );
    const root = join(dir, ".atune");
    const manifest = await executePlan(plan.build(recipe, {}), {
      root,
      handlers: stageHandlers,
      progress: quiet,
    });
    expect(manifest.stages.map((s) => s.summary?.records ?? s.summary?.total)).toEqual([80, 20, 80]);
    const mixed = readRecords(join(root, "cache", manifest.stages[2].key));
    expect(mixed.filter((r) => r.id.startsWith("c")).length).toBe(20);
    expect(mixed.find((r) => r.meta?.family === "general")?.conversations.map((t) => t.from)).toEqual([
      "human",
      "gpt",
    ]);
  });

  it("reports a malformed data line by file and line, or skips and counts it when asked", async () => {
    const dir = mkdtempSync(join(tmpdir(), "atune-bad-"));
    const file = join(dir, "bad.jsonl");
    writeFileSync(file, '{"id": "a", "conversations": [{"from": "human", "value": "x"}]}\n{oops\n');
    const plan = (skipBadLines: boolean) => {
      const builder = new PlanBuilder("test");
      builder.add("load.bad", "load", { path: file, format: "sharegpt", skipBadLines });
      return builder.build(recipe, {});
    };
    const root = join(dir, ".atune");
    const failing = executePlan(plan(false), { root, handlers: stageHandlers, progress: quiet });
    await expect(failing).rejects.toThrow(StageFailure);
    await expect(failing).rejects.toThrow(/bad\.jsonl.*2/);
    const manifest = await executePlan(plan(true), { root, handlers: stageHandlers, progress: quiet });
    expect(manifest.stages[0].summary).toMatchObject({ records: 1, skipped: 1 });
  });
});
