import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TfLlama, tfjsTrainingThroughput } from "../../bench/baselines/tfjs-llama.ts";
import { openTfWebGpu, type TfWebGpu } from "../../bench/baselines/tfjs-webgpu.ts";
import type { Batch } from "../../runtime/train/model/batch.ts";
import type { LlamaConfig } from "../../runtime/train/model/config.ts";
import { initWeights, type Weights } from "../../runtime/train/model/params.ts";
import { ReferenceLlama } from "../../runtime/train/reference/model.ts";
import { AdamW } from "../../runtime/train/reference/optim.ts";
import { trainStep } from "../../runtime/train/reference/train-step.ts";

const micro = (tieWordEmbeddings: boolean): LlamaConfig => ({
  modelType: "llama",
  vocabSize: 64,
  hiddenSize: 32,
  intermediateSize: 48,
  numLayers: 2,
  numHeads: 4,
  numKvHeads: 2,
  headDim: 8,
  ropeTheta: 10000,
  rmsNormEps: 1e-5,
  tieWordEmbeddings,
  maxPositionEmbeddings: 64,
});

/** Large enough weights (and norm weights away from 1) that a wrong convention moves the loss. */
function distinctWeights(config: LlamaConfig, seed: number): Weights {
  const weights = initWeights(config, seed, 0.3);
  for (const { shape, data } of weights.values()) {
    if (shape.length === 1) for (let i = 0; i < data.length; i++) data[i] = 1 + 0.5 * Math.sin(i + seed);
  }
  return weights;
}

const B = 2;
const T = 16;
/** Fixed tokens; every fifth position untrained so the mask matters. */
const batch: Batch = {
  inputs: Int32Array.from({ length: B * T }, (_, i) => (i * 13 + 5) % 64),
  targets: Int32Array.from({ length: B * T }, (_, i) => (i * 7 + 3) % 64),
  mask: Uint8Array.from({ length: B * T }, (_, i) => (i % 5 === 0 ? 0 : 1)),
  batchSize: B,
  seqLen: T,
};

const relative = (a: number, b: number) => Math.abs(a - b) / Math.abs(b);

describe("TF.js Llama baseline against the reference model", () => {
  let session: TfWebGpu;
  beforeAll(async () => {
    session = await openTfWebGpu();
  });
  afterAll(() => session?.close());

  it("runs on TF.js's WebGPU backend", () => {
    expect(session.tf.getBackend()).toBe("webgpu");
  });

  for (const tied of [false, true]) {
    it(`computes the reference's logits and masked loss (${tied ? "tied" : "untied"} lm_head)`, async () => {
      const config = micro(tied);
      const weights = distinctWeights(config, tied ? 3 : 4);
      const expected = ReferenceLlama.fromWeights(config, weights).forward(batch);
      const model = new TfLlama(session.tf, config, weights);
      const device = model.upload(batch);
      try {
        const loss = session.tf.tidy(() => model.loss(device));
        const logits = session.tf.tidy(() => model.logits(device));
        const lossValue = (await loss.data())[0];
        const logitValues = await logits.data();
        session.tf.dispose([loss, logits]);
        // Far from ln(64) ≈ 4.16, so the comparison is not between two near-uniform predictions.
        expect(Math.abs(expected.loss - Math.log(64))).toBeGreaterThan(0.3);
        expect(relative(lossValue, expected.loss)).toBeLessThan(1e-4);
        let worst = 0;
        for (let i = 0; i < logitValues.length; i++) {
          worst = Math.max(worst, Math.abs(logitValues[i] - expected.logits[i]));
        }
        expect(worst).toBeLessThan(1e-4);
        session.assertNoErrors("the forward pass");
      } finally {
        session.tf.dispose([device.inputs, device.targets, device.mask]);
        model.dispose();
      }
    });
  }

  it("trains like the reference's trainStep (global-norm clip, AdamW with decoupled decay)", async () => {
    const config = micro(true);
    const weights = distinctWeights(config, 5);
    const reference = ReferenceLlama.fromWeights(config, weights);
    const optimizer = new AdamW(reference.trainableParameters());
    const tensorsBefore = session.tf.memory().numTensors;
    const model = new TfLlama(session.tf, config, weights, { lr: 1e-2, weightDecay: 0.1, maxGradNorm: 1 });
    const device = model.upload(batch);
    try {
      const losses: number[] = [];
      for (let step = 0; step < 3; step++) {
        const expected = trainStep(reference, optimizer, batch, 1e-2, 1.0);
        // Clipping is active: the reference's gradient norm is well above 1 here.
        if (step === 0) expect(expected.gradNorm).toBeGreaterThan(2);
        const loss = model.trainStep(device);
        losses.push((await loss.data())[0]);
        loss.dispose();
        expect(relative(losses[step], expected.loss)).toBeLessThan(1e-4);
      }
      expect(losses[2]).toBeLessThan(losses[0] - 0.5);
      const trained = await model.exportWeights();
      for (const [name, tensor] of reference.exportWeights()) {
        const ours = trained.get(name)!.data;
        let worst = 0;
        for (let i = 0; i < ours.length; i++) worst = Math.max(worst, Math.abs(ours[i] - tensor.data[i]));
        expect(worst, name).toBeLessThan(1e-4);
      }
      session.assertNoErrors("the training steps");
      // A step keeps nothing but its returned loss (a long benchmark must not grow).
      const tensorsBetweenSteps = session.tf.memory().numTensors;
      model.trainStep(device).dispose();
      expect(session.tf.memory().numTensors).toBe(tensorsBetweenSteps);
    } finally {
      session.tf.dispose([device.inputs, device.targets, device.mask]);
      model.dispose();
    }
    expect(session.tf.memory().numTensors).toBe(tensorsBefore);
  });

  it("names the tensor when the weights do not fit the config", () => {
    const config = micro(false);
    const weights = initWeights(config, 1);
    weights.delete("model.layers.1.mlp.up_proj.weight");
    expect(() => new TfLlama(session.tf, config, weights)).toThrow(
      /tensor 'model\.layers\.1\.mlp\.up_proj\.weight' is missing/,
    );
  });

  it("rejects a token id outside the vocabulary, naming the position", () => {
    const config = micro(false);
    const model = new TfLlama(session.tf, config, initWeights(config, 1));
    try {
      const inputs = Int32Array.from(batch.inputs);
      inputs[7] = 64;
      expect(() => model.upload({ ...batch, inputs })).toThrow(
        /input id 64 at position 7 is not in \[0, 64\)/,
      );
    } finally {
      model.dispose();
    }
  });
});

describe("tfjsTrainingThroughput", () => {
  it("times training steps and returns every step's loss", async () => {
    const config = micro(true);
    const result = await tfjsTrainingThroughput(config, distinctWeights(config, 6), {
      batch: B,
      seqLen: T,
      steps: 3,
      warmup: 1,
      lr: 1e-2,
      batches: [batch],
    });
    expect(result.losses).toHaveLength(4);
    expect(result.losses[3]).toBeLessThan(result.losses[0] - 0.5);
    expect(Number.isFinite(result.tokensPerSecond)).toBe(true);
    expect(result.tokensPerSecond).toBeGreaterThan(0);
  });

  it("rejects bad options before opening the device", async () => {
    const config = micro(true);
    const weights = initWeights(config, 1);
    await expect(
      tfjsTrainingThroughput(config, weights, { batch: 2, seqLen: 16, steps: 0, warmup: 0 }),
    ).rejects.toThrow(/steps must be a positive integer, got 0/);
    await expect(
      tfjsTrainingThroughput(config, weights, { batch: 2, seqLen: 8, steps: 1, warmup: 0, batches: [batch] }),
    ).rejects.toThrow(/batches\[0\] is 2×16; the options say 2×8/);
  });

  it("lets the process exit after the session closes", () => {
    const dir = mkdtempSync(join(tmpdir(), "atune-tfjs-"));
    try {
      const script = join(dir, "exit.mts");
      const module = fileURLToPath(new URL("../../bench/baselines/tfjs-webgpu.ts", import.meta.url));
      writeFileSync(
        script,
        `import { openTfWebGpu } from ${JSON.stringify(module)};\n` +
          "const session = await openTfWebGpu();\n" +
          "const x = session.tf.tensor1d([1, 2, 3]);\n" +
          "console.log((await session.tf.sum(x).data())[0]);\n" +
          "session.close();\n",
      );
      const child = spawnSync(process.execPath, ["--import", "tsx", script], {
        encoding: "utf8",
        timeout: 60_000,
        env: { ...process.env, XDG_RUNTIME_DIR: process.env.XDG_RUNTIME_DIR ?? "/tmp" },
      });
      expect(child.error, "the child did not exit within 60 s").toBeUndefined();
      expect(child.status, child.stderr).toBe(0);
      expect(child.stdout.trim()).toBe("6");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
