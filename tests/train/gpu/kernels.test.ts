// The GPU model's own kernels (runtime/train/gpu/kernels.ts) against plain TypeScript references.
import { describe, expect, it } from "vitest";
import type { Gpu } from "../../../runtime/train/device/index.ts";
import {
  type CacheShape,
  cachedAttention,
  guardedAdamw,
  kvCacheWrite,
  transpose,
} from "../../../runtime/train/gpu/kernels.ts";
import { createRng } from "../../../runtime/train/model/random.ts";
import { AdamW } from "../../../runtime/train/reference/optim.ts";
import { relError, useGpu } from "./helpers.ts";

const gpu = useGpu();

function random(length: number, seed: number): Float32Array {
  const rng = createRng(seed);
  return Float32Array.from({ length }, () => rng.uniform() * 2 - 1);
}

async function run(
  g: Gpu,
  buffers: Record<string, Float32Array | Uint32Array>,
  record: (step: ReturnType<Gpu["step"]>, b: Record<string, GPUBuffer>) => void,
  read: string[],
): Promise<Record<string, Float32Array>> {
  const gpuBuffers: Record<string, GPUBuffer> = {};
  for (const [name, data] of Object.entries(buffers)) gpuBuffers[name] = g.upload(data, name);
  const step = g.step();
  record(step, gpuBuffers);
  await step.submit();
  const out: Record<string, Float32Array> = {};
  for (const name of read) out[name] = await g.download(gpuBuffers[name], buffers[name].length);
  for (const buffer of Object.values(gpuBuffers)) g.release(buffer);
  return out;
}

describe("transpose", () => {
  it("transposes any shape, including sizes that are not multiples of 4", async () => {
    for (const [rows, cols] of [
      [1, 1],
      [5, 7],
      [16, 262],
    ]) {
      const input = random(rows * cols, rows + cols);
      const { output } = await run(
        gpu(),
        { input, output: new Float32Array(rows * cols) },
        (step, b) => transpose(step, { input: b.input, output: b.output, rows, cols }),
        ["output"],
      );
      for (let r = 0; r < rows; r++)
        for (let c = 0; c < cols; c++) expect(output[c * rows + r]).toBe(input[r * cols + c]);
    }
  });
});

describe("KV cache write and cached attention", () => {
  it("matches softmax attention over each row's cached prefix, rows at different positions", async () => {
    const shape: CacheShape = { rows: 3, tokensPerRow: 2, capacity: 9, heads: 4, kvHeads: 2, headDim: 8 };
    const { rows, tokensPerRow: T, capacity, heads, kvHeads, headDim: hd } = shape;
    const kvDim = kvHeads * hd;
    const starts = [0, 3, 6];
    const positions = Uint32Array.from({ length: rows * T }, (_, n) => starts[Math.floor(n / T)] + (n % T));
    const keysBefore = random(rows * capacity * kvDim, 1);
    const valuesBefore = random(rows * capacity * kvDim, 2);
    const k = random(rows * T * kvDim, 3);
    const v = random(rows * T * kvDim, 4);
    const q = random(rows * T * heads * hd, 5);
    const got = await run(
      gpu(),
      {
        keys: keysBefore,
        values: valuesBefore,
        k,
        v,
        q,
        positions,
        out: new Float32Array(rows * T * heads * hd),
      },
      (step, b) => {
        kvCacheWrite(step, { source: b.k, cache: b.keys, positions: b.positions, shape });
        kvCacheWrite(step, { source: b.v, cache: b.values, positions: b.positions, shape });
        cachedAttention(step, {
          q: b.q,
          keys: b.keys,
          values: b.values,
          positions: b.positions,
          out: b.out,
          shape,
        });
      },
      ["keys", "values", "out"],
    );
    // Reference: the cache after the write, then attention in f64.
    const keys = Float64Array.from(keysBefore);
    const values = Float64Array.from(valuesBefore);
    for (let n = 0; n < rows * T; n++) {
      const at = (Math.floor(n / T) * capacity + positions[n]) * kvDim;
      keys.set(k.subarray(n * kvDim, (n + 1) * kvDim), at);
      values.set(v.subarray(n * kvDim, (n + 1) * kvDim), at);
    }
    expect(got.keys).toEqual(Float32Array.from(keys));
    expect(got.values).toEqual(Float32Array.from(values));
    const want = new Float64Array(rows * T * heads * hd);
    for (let n = 0; n < rows * T; n++) {
      const row = Math.floor(n / T);
      for (let h = 0; h < heads; h++) {
        const g = Math.floor(h / (heads / kvHeads));
        const scores: number[] = [];
        for (let u = 0; u <= positions[n]; u++) {
          let dot = 0;
          for (let d = 0; d < hd; d++)
            dot += q[(n * heads + h) * hd + d] * keys[(row * capacity + u) * kvDim + g * hd + d];
          scores.push(dot / Math.sqrt(hd));
        }
        const max = Math.max(...scores);
        const weights = scores.map((s) => Math.exp(s - max));
        const total = weights.reduce((a, b) => a + b, 0);
        for (let u = 0; u < weights.length; u++) {
          for (let d = 0; d < hd; d++) {
            want[(n * heads + h) * hd + d] +=
              (weights[u] / total) * values[(row * capacity + u) * kvDim + g * hd + d];
          }
        }
      }
    }
    expect(relError(got.out, want)).toBeLessThan(1e-5);
  });
});

describe("guarded AdamW", () => {
  it("equals the reference AdamW with the clip scale applied, and skips a non-finite norm", async () => {
    const length = 300;
    const param = random(length, 7);
    const grad = random(length, 8);
    const scale = 0.5;
    const reference = {
      name: "w",
      value: Float64Array.from(param),
      grad: Float64Array.from(grad, (g) => g * scale),
      decay: true,
    };
    const optimizer = new AdamW([reference]);
    optimizer.update(1e-2);
    const hyper = { lr: 1e-2, beta1: 0.9, beta2: 0.95, eps: 1e-8, weightDecay: 0.1, length, t: 1 };
    const finite = await run(
      gpu(),
      {
        param,
        grad,
        m: new Float32Array(length),
        v: new Float32Array(length),
        clip: Float32Array.of(2, scale),
      },
      (step, b) =>
        guardedAdamw(step, { ...hyper, param: b.param, grad: b.grad, m: b.m, v: b.v, clip: b.clip }),
      ["param"],
    );
    expect(relError(finite.param, reference.value)).toBeLessThan(1e-6);
    for (const norm of [Number.NaN, Number.POSITIVE_INFINITY]) {
      const skipped = await run(
        gpu(),
        {
          param,
          grad,
          m: new Float32Array(length),
          v: new Float32Array(length),
          clip: Float32Array.of(norm, scale),
        },
        (step, b) =>
          guardedAdamw(step, { ...hyper, param: b.param, grad: b.grad, m: b.m, v: b.v, clip: b.clip }),
        ["param", "m", "v"],
      );
      expect(skipped.param).toEqual(param);
      expect(skipped.m).toEqual(new Float32Array(length));
      expect(skipped.v).toEqual(new Float32Array(length));
    }
  });
});
