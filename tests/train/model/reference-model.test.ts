import { describe, expect, it } from "vitest";
import type { LlamaConfig } from "../../../runtime/train/model/config.ts";
import { initLoraAdapter } from "../../../runtime/train/model/lora.ts";
import { presetConfig } from "../../../runtime/train/model/presets.ts";
import { createRng } from "../../../runtime/train/model/random.ts";
import { generate, generateBatch } from "../../../runtime/train/reference/generate.ts";
import { type Batch, ReferenceLlama } from "../../../runtime/train/reference/model.ts";
import { AdamW, clipGradNorm, cosineLr } from "../../../runtime/train/reference/optim.ts";
import { expectGradientMatches } from "./gradcheck.ts";

function microConfig(overrides: Partial<LlamaConfig> = {}): LlamaConfig {
  return {
    modelType: "llama",
    vocabSize: 11,
    hiddenSize: 8,
    intermediateSize: 12,
    numLayers: 2,
    numHeads: 4,
    numKvHeads: 2,
    headDim: 2,
    ropeTheta: 10000,
    rmsNormEps: 1e-5,
    tieWordEmbeddings: false,
    maxPositionEmbeddings: 32,
    ...overrides,
  };
}

function randomBatch(config: LlamaConfig, batchSize: number, seqLen: number, seed: number): Batch {
  const rng = createRng(seed);
  const count = batchSize * seqLen;
  const token = () => Math.floor(rng.uniform() * config.vocabSize);
  return {
    inputs: Array.from({ length: count }, token),
    targets: Array.from({ length: count }, token),
    mask: Array.from({ length: count }, (_, n) => (n % 5 === 1 ? 0 : 1)),
    batchSize,
    seqLen,
  };
}

/** A few indices spread over a tensor, so every parameter is checked without checking every entry. */
function sampleIndices(length: number, count: number, seed: number): number[] {
  const rng = createRng(seed);
  return Array.from({ length: Math.min(count, length) }, () => Math.floor(rng.uniform() * length));
}

describe("reference Llama model", () => {
  for (const tied of [false, true]) {
    it(`whole-model gradients match finite differences (d=8, 2 layers, GQA 4/2, ${tied ? "tied" : "untied"})`, () => {
      const config = microConfig({ tieWordEmbeddings: tied });
      // Larger weights than HF's 0.02 so every path carries a gradient well above rounding noise.
      const model = ReferenceLlama.initialize(config, 1);
      for (const value of model.params.values())
        for (let i = 0; i < value.length; i++) value[i] *= value.length > 8 ? 15 : 1;
      const batch = randomBatch(config, 2, 5, 2);
      model.forward(batch);
      model.backward();
      const loss = () => model.forward(batch).loss;
      for (const [name, value] of model.params) {
        expectGradientMatches(loss, value, model.grads.get(name)!, {
          indices: sampleIndices(value.length, 6, name.length),
        });
      }
      expect(model.params.has("lm_head.weight")).toBe(!tied);
      const exported = model.exportGradients().get("model.layers.1.mlp.up_proj.weight")!;
      expect(exported.shape).toEqual([12, 8]);
      expect(exported.data).toEqual(Float32Array.from(model.grads.get("model.layers.1.mlp.up_proj.weight")!));
    });
  }

  it("LoRA gradients match finite differences and leave the base untouched", () => {
    const config = microConfig();
    const model = ReferenceLlama.initialize(config, 3);
    const adapter = initLoraAdapter(
      config,
      { r: 2, alpha: 4, dropout: 0, targetModules: ["q_proj", "v_proj", "down_proj"], baseModel: "micro" },
      4,
    );
    // Non-zero B so A receives a gradient too.
    for (const pair of adapter.pairs.values())
      for (let i = 0; i < pair.b.data.length; i++) pair.b.data[i] = 0.3 * Math.sin(i + 1);
    model.attachLora(adapter);
    const batch = randomBatch(config, 1, 6, 5);
    model.forward(batch);
    model.backward();
    const loss = () => model.forward(batch).loss;
    const trainable = model.trainableParameters();
    expect(trainable.map((p) => p.name)).toContain("model.layers.1.mlp.down_proj.lora_B.weight");
    expect(trainable.length).toBe(2 * 3 * 2);
    for (const parameter of trainable) {
      expectGradientMatches(loss, parameter.value, parameter.grad, {
        indices: sampleIndices(parameter.value.length, 5, 7),
      });
    }
    for (const grad of model.grads.values()) expect(grad.every((g) => g === 0)).toBe(true);
  });

  it("a freshly initialised model's loss is close to ln(vocab)", () => {
    const config = presetConfig("tiny");
    const model = ReferenceLlama.initialize(config, 7);
    const batch = randomBatch(config, 1, 32, 8);
    const { loss } = model.forward(batch);
    expect(Math.abs(loss - Math.log(config.vocabSize))).toBeLessThan(0.05);
    expect(() =>
      model.forward({ ...batch, inputs: Array.from(batch.inputs).fill(config.vocabSize, 3, 4) }),
    ).toThrow(/token id 262 at position 3 is outside the vocabulary/);
    expect(() => model.forward({ ...batch, targets: Array.from(batch.targets!).fill(-1, 0, 1) })).toThrow(
      /target id -1/,
    );
  });

  it("20 AdamW steps with clipping and a cosine schedule decrease the loss on a fixed batch", () => {
    const config = microConfig({ vocabSize: 16, hiddenSize: 16, intermediateSize: 32 });
    const model = ReferenceLlama.initialize(config, 9);
    const optimizer = new AdamW(model.trainableParameters());
    const batch = randomBatch(config, 2, 8, 10);
    const losses: number[] = [];
    for (let step = 0; step < 20; step++) {
      losses.push(model.forward(batch).loss);
      model.backward();
      clipGradNorm(optimizer.parameters, 1.0);
      optimizer.update(cosineLr(step, { maxLr: 1e-2, warmupSteps: 2, totalSteps: 20 }));
    }
    expect(losses[19]).toBeLessThan(losses[0] - 0.3);
  });

  it("overfits a tiny fixed set to loss < 0.05", () => {
    const config = microConfig({ vocabSize: 12, hiddenSize: 16, intermediateSize: 32, numLayers: 1 });
    const model = ReferenceLlama.initialize(config, 11);
    const optimizer = new AdamW(model.trainableParameters(), { weightDecay: 0 });
    const sequence = [0, 3, 7, 1, 9, 4, 4, 2, 11, 5, 8, 6, 10];
    const batch: Batch = {
      inputs: sequence.slice(0, -1),
      targets: sequence.slice(1),
      batchSize: 1,
      seqLen: 12,
    };
    let loss = Number.POSITIVE_INFINITY;
    for (let step = 0; step < 200 && loss >= 0.05; step++) {
      loss = model.forward(batch).loss;
      model.backward();
      clipGradNorm(optimizer.parameters, 1.0);
      optimizer.update(3e-2);
    }
    expect(loss).toBeLessThan(0.05);
  });

  it("a LoRA training step leaves the base weights bit-identical and changes the output", () => {
    const config = microConfig();
    const model = ReferenceLlama.initialize(config, 12);
    const before = new Map([...model.params].map(([name, value]) => [name, Float64Array.from(value)]));
    model.attachLora(
      initLoraAdapter(
        config,
        { r: 2, alpha: 2, dropout: 0, targetModules: ["q_proj", "o_proj", "up_proj"], baseModel: "micro" },
        13,
      ),
    );
    const optimizer = new AdamW(model.trainableParameters());
    const batch = randomBatch(config, 1, 8, 14);
    const initial = model.forward(batch).loss;
    for (let step = 0; step < 3; step++) {
      model.forward(batch);
      model.backward();
      optimizer.update(1e-2);
    }
    for (const [name, value] of model.params) expect(value).toEqual(before.get(name));
    expect(model.forward(batch).loss).not.toBe(initial);
    const exported = model.exportLora();
    expect([...exported.pairs.values()].some((pair) => pair.b.data.some((x) => x !== 0))).toBe(true);
  });

  it("generation with the KV cache equals generation without it (greedy, several prompts, batched)", () => {
    const config = microConfig({
      vocabSize: 16,
      hiddenSize: 16,
      intermediateSize: 24,
      maxPositionEmbeddings: 40,
    });
    const model = ReferenceLlama.initialize(config, 15);
    // Scale weights up so greedy choices vary rather than repeating one token.
    for (const value of model.params.values())
      for (let i = 0; i < value.length; i++) value[i] *= value.length > 16 ? 40 : 1;
    const prompts = [[1], [3, 9, 2], [5, 5, 5, 5, 0, 7], [15, 14]];
    for (const prompt of prompts) {
      const cached = generate(model, prompt, { maxNewTokens: 12 });
      const uncached = generate(model, prompt, { maxNewTokens: 12, useKvCache: false });
      expect(cached.ids).toEqual(uncached.ids);
      expect(cached.ids.length).toBe(12);
      expect(cached.stopReason).toBe("max_tokens");
    }
    expect(
      new Set(prompts.map((prompt) => generate(model, prompt, { maxNewTokens: 12 }).ids.join())).size,
    ).toBe(prompts.length);
    // Batched (lockstep) generation equals one prompt at a time, cached or not, greedy or sampled.
    const batched = generateBatch(model, prompts, { maxNewTokens: 12 });
    const batchedUncached = generateBatch(model, prompts, { maxNewTokens: 12, useKvCache: false });
    prompts.forEach((prompt, row) => {
      expect(batched[row]).toEqual(generate(model, prompt, { maxNewTokens: 12 }));
      expect(batchedUncached[row]).toEqual(batched[row]);
    });
    const sampled = generateBatch(model, prompts, {
      maxNewTokens: 8,
      temperature: 0.8,
      topP: 0.9,
      seed: 3,
      stopTokenIds: [0],
    });
    prompts.forEach((prompt, row) => {
      const alone = generate(model, prompt, {
        maxNewTokens: 8,
        temperature: 0.8,
        topP: 0.9,
        seed: 3 + row,
        stopTokenIds: [0],
      });
      expect(sampled[row]).toEqual(alone);
    });
    // The cached path's logits match the full forward's at every position.
    const sequence = [2, 7, 1, 8, 2, 8];
    const full = model.forward({ inputs: sequence, batchSize: 1, seqLen: sequence.length }).logits;
    const cache = model.createKvCache();
    const stepwise = [
      ...model.forwardCached(sequence.slice(0, 4), cache),
      ...model.forwardCached(sequence.slice(4, 5), cache),
      ...model.forwardCached(sequence.slice(5), cache),
    ];
    expect(stepwise.length).toBe(full.length);
    const worst = Math.max(...stepwise.map((value, i) => Math.abs(value - full[i])));
    expect(worst).toBeLessThan(1e-10);
  });
});
