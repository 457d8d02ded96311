import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
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

describe("scoped filters and unions", () => {
  it("applies a scoped filter only to its task sets' records, over a union of datasets", async () => {
    const plan = new PlanBuilder("test");
    const tasks = (split: "train" | "test", seed: number) => ({
      env: { builtin: "household" },
      split,
      count: 3,
      seed,
      options: {},
    });
    plan.add("tasks.a", "tasks", tasks("train", 1));
    plan.add("tasks.b", "tasks", tasks("train", 2));
    const collect = {
      generator: { type: "expert" },
      shots: 0,
      maxTurns: 1,
      invalidActions: "error",
      concurrency: 1,
    };
    plan.add("collect.a", "collect", collect, ["tasks.a"]);
    plan.add("collect.b", "collect", collect, ["tasks.b"]);
    // With one turn no household episode succeeds: reward 0 everywhere. Only set a is filtered.
    plan.add(
      "filter.union",
      "filter",
      { filters: [{ type: "reward", op: "==", value: 1, for: ["tasks.a"] }] },
      ["collect.a", "collect.b", "tasks.a"],
    );
    plan.add("load.some", "load", { path: "/nonexistent-for-this-test", skipBadLines: false }, []);
    const root = mkdtempSync(join(tmpdir(), "atune-scope-"));
    const run = executePlan(plan.build(recipe, {}), { root, handlers: stageHandlers, progress: quiet });
    await expect(run).rejects.toThrow(/load\.some failed: .*nonexistent-for-this-test/);
    const manifest = JSON.parse(
      readFileSync(join(root, "runs", readdirSync(join(root, "runs"))[0], "manifest.json"), "utf8"),
    );
    const filter = manifest.stages.find((s: { id: string }) => s.id === "filter.union");
    expect(filter.summary).toMatchObject({ input: 6, kept: 3, dropped: 3 });
    expect(filter.summary.filters[0].label).toBe("reward == 1 for [tasks.a]");
  });

  it("takes a seeded sample of a loaded file", async () => {
    const dir = mkdtempSync(join(tmpdir(), "atune-sample-"));
    const file = join(dir, "chats.jsonl");
    const chat = (i: number) =>
      JSON.stringify({
        id: `c${i}`,
        conversations: [
          { from: "human", value: `hi ${i}` },
          { from: "gpt", value: "hello" },
        ],
      });
    writeFileSync(file, `${Array.from({ length: 30 }, (_, i) => chat(i)).join("\n")}\n`);
    const plan = new PlanBuilder("test");
    plan.add("load.s", "load", {
      path: file,
      format: "sharegpt",
      skipBadLines: false,
      count: 5,
      shuffle: true,
      seed: 9,
    });
    const root = join(dir, ".atune");
    const manifest = await executePlan(plan.build(recipe, {}), {
      root,
      handlers: stageHandlers,
      progress: quiet,
    });
    expect(manifest.stages[0].summary).toMatchObject({ records: 5, available: 30 });
    const ids = readRecords(join(root, "cache", manifest.stages[0].key)).map((r) => r.id);
    expect(ids).not.toEqual(["c0", "c1", "c2", "c3", "c4"]);
    expect(new Set(ids).size).toBe(5);
  });
});
