import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { executePlan } from "../../runtime/executor/executor.ts";
import type { Progress } from "../../runtime/executor/progress.ts";
import { PlanBuilder } from "../../runtime/plan/build.ts";
import type { TrainStageConfig } from "../../runtime/plan/config.ts";
import type { FamilyResult } from "../../runtime/stages/eval-stage.ts";
import { closeRunGpu } from "../../runtime/stages/gpu.ts";
import { stageHandlers } from "../../runtime/stages/handlers.ts";
import { saveCheckpoint } from "../../runtime/train/io/checkpoint.ts";
import { initWeights } from "../../runtime/train/model/params.ts";
import { presetConfig } from "../../runtime/train/model/presets.ts";
import { byteTokenizerFiles } from "../../runtime/train/tokenizer/byte.ts";

const quiet = (): Progress => ({ start() {}, advance() {}, finish() {} });
const counterModule = {
  path: fileURLToPath(new URL("./counter-env.ts", import.meta.url)),
  export: "counter",
};

afterAll(closeRunGpu);

/** A micro byte-level Llama written as a Hugging Face directory, so the test trains in seconds. */
function microModelDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "atune-micro-"));
  const config = {
    ...presetConfig("tiny"),
    hiddenSize: 32,
    intermediateSize: 64,
    numLayers: 2,
    numHeads: 4,
    numKvHeads: 2,
    headDim: 8,
  };
  saveCheckpoint(dir, { config, weights: initWeights(config, 1), extraFiles: byteTokenizerFiles() });
  return dir;
}

describe("model → train (LoRA) → eval with the tuned model as a generator", () => {
  it("runs on the GPU, saves HF and PEFT layouts, and evaluates base and tuned", async () => {
    const plan = new PlanBuilder("test");
    plan.add("model.base", "model", { source: "hf", path: microModelDir() });
    plan.add("builtin_data.general", "builtin_data", { name: "general", split: "train", count: 8, seed: 1 });
    const train: TrainStageConfig = {
      base: "model.base",
      data: "builtin_data.general",
      method: { type: "lora", r: 4, alpha: 8, dropout: 0, targets: ["q_proj", "v_proj"] },
      optimizer: { lr: 1e-3, betas: [0.9, 0.95], eps: 1e-8, weightDecay: 0.1 },
      warmup: 0.02,
      steps: 3,
      batch: 4,
      gradAccum: 1,
      seqLen: 96,
      gradClip: 1,
      lossMask: "assistant_only",
      seed: 1,
      checkpointEvery: 2,
    };
    plan.add("train.tuned", "train", train as unknown as Record<string, unknown>, [
      "model.base",
      "builtin_data.general",
    ]);
    plan.add("tasks.counter", "tasks", {
      env: { module: counterModule },
      split: "test",
      count: 2,
      seed: 1,
      options: {},
    });
    const model = (stage: string) => ({
      name: stage,
      generator: { type: "model", stage, temperature: 0, maxTokens: 6 },
    });
    plan.add(
      "eval.compare",
      "eval",
      {
        models: [model("model.base"), model("train.tuned")],
        sets: [{ stage: "tasks.counter", group: "held_in" }],
        shots: 1,
        maxTurns: 2,
        invalidActions: "error",
        concurrency: 2,
      },
      ["model.base", "train.tuned", "tasks.counter"],
    );
    const root = mkdtempSync(join(tmpdir(), "atune-train-"));
    const manifest = await executePlan(plan.build({ name: "t", file: "t.atune", sha256: "0" }, {}), {
      root,
      handlers: stageHandlers,
      progress: quiet,
    });
    const stage = (id: string) => manifest.stages.find((s) => s.id === id)!;

    const trained = stage("train.tuned");
    expect(trained.summary).toMatchObject({ steps: 3 });
    expect((trained.summary!.losses as number[]).every(Number.isFinite)).toBe(true);
    const trainDir = join(root, "cache", trained.key);
    for (const file of [
      "model/config.json",
      "model/model.safetensors",
      "model/tokenizer.json",
      "adapter/adapter_config.json",
      "adapter/adapter_model.safetensors",
    ]) {
      expect(existsSync(join(trainDir, file)), file).toBe(true);
    }

    const families = (stage("eval.compare").summary as { families: FamilyResult[] }).families;
    expect(families.map((f) => [f.model, f.family, f.episodes])).toEqual([
      ["model.base", "counter", 2],
      ["train.tuned", "counter", 2],
    ]);
  });
});
