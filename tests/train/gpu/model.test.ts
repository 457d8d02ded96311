// The GPU model against part B's f64 ReferenceLlama: loss, every gradient, 20 AdamW steps, LoRA.
import { describe, expect, it } from "vitest";
import { GpuLlama } from "../../../runtime/train/gpu/model.ts";
import { initLoraAdapter } from "../../../runtime/train/model/lora.ts";
import { initWeights } from "../../../runtime/train/model/params.ts";
import { ReferenceLlama } from "../../../runtime/train/reference/model.ts";
import { AdamW, cosineLr } from "../../../runtime/train/reference/optim.ts";
import { trainStep } from "../../../runtime/train/reference/train-step.ts";
import { microConfig, randomBatch, relError, useGpu } from "./helpers.ts";

const gpu = useGpu();
// f32 on the device vs the f64 reference, sums over ≤ 64 terms: losses agree to 1e-5 relative, each
// gradient tensor to 2e-5 of its largest entry (measured: 5e-8 and 8e-7).
const LOSS_TOL = 1e-5;
const GRAD_TOL = 2e-5;

describe("GpuLlama forward and backward", () => {
  for (const tied of [false, true]) {
    it(`matches the reference loss and all gradients (${tied ? "tied" : "untied"} head)`, async () => {
      const config = microConfig({ tieWordEmbeddings: tied });
      const weights = initWeights(config, 7, 0.1);
      const batch = randomBatch(config, 2, 12, 3);
      const reference = ReferenceLlama.fromWeights(config, weights);
      const want = reference.forward(batch);
      reference.backward();
      const model = new GpuLlama(gpu(), config, weights);
      const { loss, logits } = await model.forward(batch);
      expect(Math.abs(loss - want.loss) / want.loss).toBeLessThan(LOSS_TOL);
      expect(relError(logits, want.logits)).toBeLessThan(LOSS_TOL);
      const gradLoss = await model.gradients(batch);
      expect(gradLoss).toBeCloseTo(loss, 6);
      const grads = await model.exportGradients();
      const wantGrads = reference.exportGradients();
      expect([...grads.keys()].sort()).toEqual([...wantGrads.keys()].sort());
      for (const [name, grad] of grads) {
        expect(relError(grad.data, wantGrads.get(name)!.data), name).toBeLessThan(GRAD_TOL);
      }
      model.release();
    });
  }

  it("follows the reference trajectory for 20 AdamW steps (clip 1.0, cosine schedule)", async () => {
    const config = microConfig();
    const weights = initWeights(config, 11, 0.1);
    const reference = ReferenceLlama.fromWeights(config, weights);
    const optimizer = new AdamW(reference.trainableParameters());
    const model = new GpuLlama(gpu(), config, weights);
    const schedule = { maxLr: 3e-3, warmupSteps: 3, totalSteps: 20 };
    for (let s = 0; s < 20; s++) {
      const batch = randomBatch(config, 2, 8, 100 + (s % 4));
      const lr = cosineLr(s, schedule);
      const want = trainStep(reference, optimizer, batch, lr, 1.0);
      const got = await model.trainStep(batch, { lr, maxGradNorm: 1.0 });
      expect(got.finite).toBe(true);
      expect(Math.abs(got.loss - want.loss) / want.loss, `step ${s} loss`).toBeLessThan(1e-4);
      expect(Math.abs(got.gradNorm - want.gradNorm) / want.gradNorm, `step ${s} norm`).toBeLessThan(1e-3);
    }
    // Adam normalises each update, so f32 rounding differences grow a little per step: 2e-4 of each
    // tensor's scale after 20 steps (measured 1e-5).
    const final = await model.exportWeights();
    for (const [name, tensor] of reference.exportWeights()) {
      expect(relError(final.get(name)!.data, tensor.data), name).toBeLessThan(2e-4);
    }
    expect(model.optimizerStep).toBe(20);
    model.release();
  });
});

describe("GpuLlama with LoRA", () => {
  it("trains only A and B: base weights stay bit-identical, LoRA gradients match the reference", async () => {
    const config = microConfig();
    const weights = initWeights(config, 5, 0.1);
    const adapter = initLoraAdapter(
      config,
      { r: 4, alpha: 8, dropout: 0, targetModules: ["q_proj", "v_proj", "down_proj"], baseModel: "micro" },
      9,
    );
    // B starts at zero (PEFT); give it values so every LoRA gradient path is exercised.
    for (const pair of adapter.pairs.values())
      for (let i = 0; i < pair.b.data.length; i++) pair.b.data[i] = Math.sin(i) * 0.05;
    const batch = randomBatch(config, 2, 8, 21);
    const reference = ReferenceLlama.fromWeights(config, weights);
    reference.attachLora(adapter);
    const want = reference.forward(batch);
    reference.backward();
    const wantGrads = new Map(reference.trainableParameters().map((p) => [p.name, p.grad]));

    const model = new GpuLlama(gpu(), config, weights);
    model.attachLora(adapter);
    expect(
      model
        .trainable()
        .map((t) => t.name)
        .sort(),
    ).toEqual([...wantGrads.keys()].sort());
    const loss = await model.gradients(batch);
    expect(Math.abs(loss - want.loss) / want.loss).toBeLessThan(LOSS_TOL);
    for (const [name, grad] of await model.exportGradients()) {
      expect(relError(grad.data, wantGrads.get(name)!), name).toBeLessThan(GRAD_TOL);
    }
    const before = await model.exportWeights();
    const loraBefore = await model.exportLora();
    await model.trainStep(batch, { lr: 1e-2 });
    await model.trainStep(batch, { lr: 1e-2 });
    const after = await model.exportWeights();
    for (const [name, tensor] of before) {
      expect(Buffer.from(after.get(name)!.data.buffer).equals(Buffer.from(tensor.data.buffer)), name).toBe(
        true,
      );
    }
    const loraAfter = await model.exportLora();
    const moved = [...loraAfter.pairs].some(
      ([name, pair]) => relError(pair.b.data, loraBefore.pairs.get(name)!.b.data) > 0,
    );
    expect(moved).toBe(true);
    model.release();
  });
});
