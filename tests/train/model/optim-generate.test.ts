import { describe, expect, it } from "vitest";
import type { LlamaConfig } from "../../../runtime/train/model/config.ts";
import { createRng } from "../../../runtime/train/model/random.ts";
import { generate, sampleToken } from "../../../runtime/train/reference/generate.ts";
import { ReferenceLlama, type TrainableParameter } from "../../../runtime/train/reference/model.ts";
import { AdamW, clipGradNorm, cosineLr } from "../../../runtime/train/reference/optim.ts";
import { ByteTokenizer } from "../../../runtime/train/tokenizer/byte.ts";

function parameter(values: number[], grads: number[], decay: boolean): TrainableParameter {
  return { name: "p", value: Float64Array.from(values), grad: Float64Array.from(grads), decay };
}

describe("AdamW, clipping, schedule", () => {
  it("matches torch.optim.AdamW's update, decaying only parameters marked for decay", () => {
    const matrix = parameter([1, -2], [0.5, -0.25], true);
    const norm = parameter([1, -2], [0.5, -0.25], false);
    const optimizer = new AdamW([matrix, norm]);
    optimizer.update(0.1);
    // Step 1: m̂ = g, v̂ = g², so the Adam step is lr·g/(|g| + eps) = ±lr (up to eps).
    expect(norm.value[0]).toBeCloseTo(1 - 0.1, 7);
    expect(norm.value[1]).toBeCloseTo(-2 + 0.1, 7);
    expect(matrix.value[0]).toBeCloseTo(1 * (1 - 0.1 * 0.1) - 0.1, 7);
    expect(matrix.value[1]).toBeCloseTo(-2 * (1 - 0.1 * 0.1) + 0.1, 7);
    // Step 2 with a new gradient, written out from the moment recurrences.
    norm.grad.set([1, 0]);
    optimizer.update(0.1);
    const m = 0.9 * 0.1 * 0.5 + 0.1 * 1;
    const v = 0.95 * 0.05 * 0.25 + 0.05 * 1;
    const step = (0.1 / (1 - 0.9 ** 2)) * (m / (Math.sqrt(v) / Math.sqrt(1 - 0.95 ** 2) + 1e-8));
    const afterFirst = 1 - (0.1 * 0.5) / (0.5 + 1e-8);
    expect(norm.value[0]).toBeCloseTo(afterFirst - step, 12);
  });

  it("clips the global gradient norm to 1.0 and leaves small gradients alone", () => {
    const parameters = [parameter([0, 0], [3, 0], true), parameter([0], [4], false)];
    expect(clipGradNorm(parameters, 1.0)).toBeCloseTo(5, 12);
    expect(Math.hypot(...parameters.flatMap((p) => [...p.grad]))).toBeCloseTo(1, 6);
    const small = [parameter([0], [0.5], true)];
    expect(clipGradNorm(small, 1.0)).toBe(0.5);
    expect(small[0].grad[0]).toBe(0.5);
  });

  it("warms up linearly, then follows a half cosine to minLr", () => {
    const schedule = { maxLr: 1e-3, warmupSteps: 4, totalSteps: 104, minLr: 1e-4 };
    expect(cosineLr(0, schedule)).toBeCloseTo(2.5e-4, 15);
    expect(cosineLr(3, schedule)).toBeCloseTo(1e-3, 15);
    expect(cosineLr(54, schedule)).toBeCloseTo(5.5e-4, 15);
    expect(cosineLr(104, schedule)).toBeCloseTo(1e-4, 15);
    expect(cosineLr(500, schedule)).toBeCloseTo(1e-4, 15);
  });
});

describe("sampling and generation", () => {
  it("greedy picks the argmax; top-p samples only from the nucleus, reproducibly per seed", () => {
    const logits = [Math.log(0.5), Math.log(0.3), Math.log(0.15), Math.log(0.05)];
    expect(sampleToken(logits, 0, 1, createRng(0))).toBe(0);
    const draw = (seed: number, topP: number) => {
      const rng = createRng(seed);
      return Array.from({ length: 2000 }, () => sampleToken(logits, 1, topP, rng));
    };
    const counts = (tokens: number[]) =>
      [0, 1, 2, 3].map((id) => tokens.filter((t) => t === id).length / tokens.length);
    const nucleus = counts(draw(1, 0.75));
    expect(nucleus[2]).toBe(0);
    expect(nucleus[3]).toBe(0);
    expect(nucleus[0]).toBeCloseTo(0.5 / 0.8, 1);
    const full = counts(draw(1, 1));
    expect(full[3]).toBeGreaterThan(0.02);
    expect(draw(7, 0.9)).toEqual(draw(7, 0.9));
    expect(draw(7, 0.9)).not.toEqual(draw(8, 0.9));
  });

  const config: LlamaConfig = {
    modelType: "llama",
    vocabSize: 262,
    hiddenSize: 16,
    intermediateSize: 24,
    numLayers: 1,
    numHeads: 2,
    numKvHeads: 1,
    headDim: 8,
    ropeTheta: 10000,
    rmsNormEps: 1e-5,
    tieWordEmbeddings: true,
    maxPositionEmbeddings: 24,
  };

  it("stops at stop tokens, stop strings, max tokens and the context limit", () => {
    const model = ReferenceLlama.initialize(config, 3);
    const tokenizer = new ByteTokenizer();
    const decode = (ids: readonly number[]) => tokenizer.decode(ids);
    const prompt = tokenizer.encode("<|bos|><|user|>hi<|eos|><|assistant|>");
    const sampled = generate(model, prompt, {
      maxNewTokens: 10,
      temperature: 1,
      topP: 0.95,
      seed: 5,
      decode,
    });
    expect(sampled.ids).toHaveLength(10);
    expect(sampled.stopReason).toBe("max_tokens");
    expect(generate(model, prompt, { maxNewTokens: 10, temperature: 1, topP: 0.95, seed: 5 }).ids).toEqual(
      sampled.ids,
    );

    const first = sampled.ids[0];
    const stopped = generate(model, prompt, {
      maxNewTokens: 10,
      temperature: 1,
      topP: 0.95,
      seed: 5,
      stopTokenIds: [first],
    });
    expect(stopped).toEqual({ ids: [], stopReason: "stop_token" });

    const stopString = decode(sampled.ids.slice(2, 4));
    const cut = generate(model, prompt, {
      maxNewTokens: 10,
      temperature: 1,
      topP: 0.95,
      seed: 5,
      decode,
      stopStrings: [stopString],
    });
    expect(cut.stopReason).toBe("stop_string");
    expect(cut.text).toBe(sampled.text!.slice(0, sampled.text!.indexOf(stopString)));

    const long = generate(model, prompt, { maxNewTokens: 100 });
    expect(long.stopReason).toBe("context_full");
    expect(prompt.length + long.ids.length).toBe(config.maxPositionEmbeddings);
    expect(() => generate(model, prompt, { maxNewTokens: 1, stopStrings: ["x"] })).toThrow(
      /need a decode function/,
    );
  });
});
