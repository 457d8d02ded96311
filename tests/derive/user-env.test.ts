import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { guessEnv } from "../../examples/envs/template.ts";
import { testSplitCheck } from "../../runtime/derive/contamination.ts";
import type { EnvTask } from "../../runtime/env/types.ts";
import { deriveConfig, derivePlan, jsonl, runPlan, stageDir } from "./helpers.ts";

const template = fileURLToPath(new URL("../../examples/envs/template.ts", import.meta.url));
const never = async () => {
  throw new Error("not reached");
};

describe("a user environment's derivation hooks (examples/envs/template.ts)", () => {
  it("derives verified tasks from a module environment, solved twice by the expert", async () => {
    const root = mkdtempSync(join(tmpdir(), "atune-derive-user-"));
    const seeds = {
      env: { module: { path: template, export: "guessEnv" } },
      split: "train" as const,
      count: 3,
      seed: 1,
      options: {},
    };
    const manifest = await runPlan(derivePlan(seeds, deriveConfig("self_instruct", 6)), root);
    const tasks = jsonl<EnvTask>(join(stageDir(root, manifest, "derive.new"), "tasks.jsonl"));
    expect(tasks).toHaveLength(6);
    expect(tasks.every((t) => t.id.startsWith("guess/self_instruct/"))).toBe(true);
    const summary = manifest.stages[1].summary as any;
    expect(summary.taskSets["tasks.seed"].collection).toMatchObject({ episodes: 6, success: 6 });
  });

  it("without inTestSplit, compares candidates with the test split drawn like the seed set", () => {
    const env = { ...guessEnv, derivation: { verify: guessEnv.derivation!.verify } };
    const query = { env: { builtin: "guess" }, split: "train" as const, count: 20, seed: 9, options: {} };
    const check = testSplitCheck(env, query);
    expect(check.method).toBe("sampled");
    const [test] = guessEnv.tasks({ split: "test", count: 1, seed: 9 });
    expect(check.inTestSplit(test)).toBe(true);
    expect(check.inTestSplit({ ...test, data: { ...(test.data as object), secret: -1 } })).toBe(true);
    expect(
      check.inTestSplit({ instruction: "Find my number: 1 to 3.", data: { low: 1, high: 3, secret: 2 } }),
    ).toBe(false);
  });

  it("rejects unsound candidates with the environment's own reasons", async () => {
    const task = (high: number, secret: number): EnvTask => ({
      id: "guess/derive/x",
      family: "guess",
      split: "train",
      ...guessEnv.derivation!.writing!.fromJson({ high, secret }, {} as EnvTask),
    });
    expect(await guessEnv.derivation!.verify(task(10, 11), { solve: never })).toMatchObject({
      reason: "no_solution",
    });
    expect(await guessEnv.derivation!.verify(task(5000, 3), { solve: never })).toMatchObject({
      reason: "out_of_range",
    });
    expect(() => guessEnv.derivation!.writing!.fromJson({ high: "ten" }, {} as EnvTask)).toThrow(
      /whole numbers/,
    );
  });
});
