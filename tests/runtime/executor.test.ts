import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { executePlan, StageFailure, type StageHandlers } from "../../runtime/executor/executor.ts";
import type { Progress } from "../../runtime/executor/progress.ts";
import { canonicalJson, planProblems, stageKey } from "../../runtime/plan/key.ts";
import type { Plan, PlanStage, StageKind } from "../../runtime/plan/types.ts";

const quiet = (): Progress => ({ start() {}, advance() {}, finish() {} });

function stage(
  id: string,
  kind: StageKind,
  config: Record<string, unknown>,
  inputs: PlanStage[] = [],
): PlanStage {
  return {
    id,
    kind,
    config,
    inputs: inputs.map((s) => s.id),
    files: [],
    key: stageKey({
      kind,
      config,
      inputs: inputs.map((s) => s.id),
      inputKeys: inputs.map((s) => s.key),
      files: [],
      atuneVersion: "test",
    }),
  };
}

function planOf(count: number): Plan {
  const tasks = stage("tasks.t", "tasks", { count });
  const collect = stage("collect.c", "collect", { shots: 1 }, [tasks]);
  return {
    version: 1,
    atune: "test",
    recipe: { name: "r", file: "r.atune", sha256: "0" },
    params: {},
    stages: [tasks, collect],
  };
}

function countingHandlers(calls: string[], failCollect = false): StageHandlers {
  return {
    tasks: {
      async run({ stage, dir }) {
        calls.push(stage.id);
        writeFileSync(join(dir, "tasks.json"), JSON.stringify({ n: stage.config.count }));
        return { tasks: stage.config.count };
      },
    },
    collect: {
      async run({ stage, dir, inputs }) {
        calls.push(stage.id);
        writeFileSync(join(dir, "progress.txt"), "half");
        if (failCollect) throw new Error("teacher endpoint unreachable");
        const n = JSON.parse(readFileSync(join(inputs["tasks.t"].dir, "tasks.json"), "utf8")).n;
        return { episodes: n };
      },
    },
  };
}

describe("stage keys", () => {
  it("canonical JSON ignores key order and rejects non-finite numbers", () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.oneof(fc.integer(), fc.string(), fc.boolean())), (obj) => {
        const reversed = Object.fromEntries(Object.entries(obj).reverse());
        expect(canonicalJson(reversed)).toBe(canonicalJson(obj));
      }),
    );
    expect(() => canonicalJson({ a: Number.NaN })).toThrow("non-finite");
  });

  it("a changed field changes that stage's key and its dependants' keys, nothing else", () => {
    const a = planOf(3);
    const b = planOf(4);
    expect(b.stages[0].key).not.toBe(a.stages[0].key);
    expect(b.stages[1].key).not.toBe(a.stages[1].key);
    expect(planProblems(a.stages, "test")).toEqual([]);
    const tampered = [{ ...a.stages[0] }, { ...a.stages[1], config: { shots: 2 } }];
    expect(planProblems(tampered, "test")[0]).toMatch(/stage collect.c has key .* but its content hashes to/);
  });
});

describe("executePlan", () => {
  it("reuses finished stages by key and reruns a forced one", async () => {
    const root = mkdtempSync(join(tmpdir(), "atune-exec-"));
    const calls: string[] = [];
    const first = await executePlan(planOf(3), {
      root,
      handlers: countingHandlers(calls),
      progress: quiet,
      runId: "one",
    });
    expect(first.stages.map((s) => [s.id, s.status])).toEqual([
      ["tasks.t", "ran"],
      ["collect.c", "ran"],
    ]);
    const second = await executePlan(planOf(3), {
      root,
      handlers: countingHandlers(calls),
      progress: quiet,
      runId: "two",
    });
    expect(second.stages.map((s) => s.status)).toEqual(["cached", "cached"]);
    expect(second.stages[1].summary).toEqual({ episodes: 3 });
    await executePlan(planOf(3), {
      root,
      handlers: countingHandlers(calls),
      progress: quiet,
      runId: "three",
      force: ["collect.c"],
    });
    expect(calls).toEqual(["tasks.t", "collect.c", "collect.c"]);
    const manifest = JSON.parse(readFileSync(join(root, "runs", "two", "manifest.json"), "utf8"));
    expect(manifest).toMatchObject({ status: "succeeded", runId: "two" });
  });

  it("on failure names the stage, keeps its partial work and records the manifest", async () => {
    const root = mkdtempSync(join(tmpdir(), "atune-fail-"));
    const plan = planOf(2);
    const run = executePlan(plan, {
      root,
      handlers: countingHandlers([], true),
      progress: quiet,
      runId: "bad",
    });
    await expect(run).rejects.toThrow(StageFailure);
    await expect(run).rejects.toThrow("stage collect.c failed: teacher endpoint unreachable");
    expect(existsSync(join(root, "cache", `${plan.stages[1].key}.partial`, "progress.txt"))).toBe(true);
    const manifest = JSON.parse(readFileSync(join(root, "runs", "bad", "manifest.json"), "utf8"));
    expect(manifest.status).toBe("failed");
    expect(manifest.stages.map((s: { status: string }) => s.status)).toEqual(["ran", "failed"]);
    // The finished first stage is reused by the next run.
    const calls: string[] = [];
    await executePlan(plan, { root, handlers: countingHandlers(calls), progress: quiet });
    expect(calls).toEqual(["collect.c"]);
    expect(readdirSync(join(root, "cache")).some((d) => d.endsWith(".partial"))).toBe(false);
  });

  it("refuses unknown --force stages and stage kinds without a handler", async () => {
    const root = mkdtempSync(join(tmpdir(), "atune-bad-"));
    await expect(
      executePlan(planOf(1), { root, handlers: countingHandlers([]), force: ["nope"] }),
    ).rejects.toThrow("--force names no stage of this plan: nope");
    await expect(executePlan(planOf(1), { root, handlers: {} })).rejects.toThrow(
      "cannot run stages of kind tasks, collect",
    );
  });
});
