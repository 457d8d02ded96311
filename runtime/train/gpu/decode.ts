/**
 * Incremental decoding with a KV cache on the GPU, for several sequences at once.
 *
 * The cache holds each layer's keys and values as [rows, capacity, kvHeads·hd]. A call appends
 * `tokensPerRow` new tokens to every row, each at its own absolute position (rows may be at
 * different lengths: prompts of different lengths are right-padded at prefill, and a row's padding
 * sits past its length, where it is overwritten before anything reads it — attention for a token at
 * position p reads cache positions 0..p only). Only the logits of one chosen token per row (its last
 * real token) go through the head and come back.
 */
import type { Step } from "../device/step.ts";
import { embeddingForward } from "../kernels/embedding.ts";
import { residualAdd } from "../kernels/residual.ts";
import { rmsnormForward } from "../kernels/rmsnorm.ts";
import { ropeForward } from "../kernels/rope.ts";
import { swigluForward } from "../kernels/swiglu.ts";
import { BufferSet } from "./buffers.ts";
import { type CacheShape, cachedAttention, kvCacheWrite } from "./kernels.ts";
import { type GpuLlama, recordLinear } from "./model.ts";

export class GpuKvCache {
  readonly keys: GPUBuffer[] = [];
  readonly values: GPUBuffer[] = [];
  private readonly set: BufferSet;

  constructor(
    readonly model: GpuLlama,
    readonly rows: number,
    readonly capacity: number,
  ) {
    const c = model.config;
    if (!(rows > 0 && capacity > 0)) throw new Error("A KV cache needs at least one row and one position.");
    this.set = new BufferSet(model.gpu);
    const elements = rows * capacity * c.numKvHeads * c.headDim;
    for (let layer = 0; layer < c.numLayers; layer++) {
      this.keys.push(this.set.f32(elements, `kv cache keys ${layer}`));
      this.values.push(this.set.f32(elements, `kv cache values ${layer}`));
    }
  }

  release(): void {
    this.set.release();
  }

  /** Puts the first `length` positions of `prefix` into row `row` (recorded on `step`). */
  loadRow(step: Step, row: number, prefix: GpuKvPrefix, length: number): void {
    const bytes = this.positionBytes(length);
    for (let layer = 0; bytes > 0 && layer < this.keys.length; layer++) {
      step.copy(prefix.keys[layer], 0, this.keys[layer], this.rowOffset(row), bytes);
      step.copy(prefix.values[layer], 0, this.values[layer], this.rowOffset(row), bytes);
    }
  }

  /** Keeps the first `length` positions of row `row` in `prefix` (recorded on `step`). */
  saveRow(step: Step, row: number, prefix: GpuKvPrefix, length: number): void {
    const bytes = this.positionBytes(length);
    for (let layer = 0; bytes > 0 && layer < this.keys.length; layer++) {
      step.copy(this.keys[layer], this.rowOffset(row), prefix.keys[layer], 0, bytes);
      step.copy(this.values[layer], this.rowOffset(row), prefix.values[layer], 0, bytes);
    }
  }

  private positionBytes(positions: number): number {
    return Math.max(0, positions) * this.model.config.numKvHeads * this.model.config.headDim * 4;
  }

  private rowOffset(row: number): number {
    return row * this.positionBytes(this.capacity);
  }
}

/**
 * One conversation's keys and values, kept between generate calls: its next prompt shares a prefix
 * with what was run before (the earlier turns), so only the new tokens need running. `ids` are the
 * tokens whose keys and values it holds, from position 0.
 */
export class GpuKvPrefix {
  readonly keys: GPUBuffer[] = [];
  readonly values: GPUBuffer[] = [];
  ids: number[] = [];
  private readonly set: BufferSet;

  constructor(
    readonly model: GpuLlama,
    readonly capacity = model.config.maxPositionEmbeddings,
  ) {
    const c = model.config;
    this.set = new BufferSet(model.gpu);
    for (let layer = 0; layer < c.numLayers; layer++) {
      this.keys.push(this.set.f32(capacity * c.numKvHeads * c.headDim, `kv prefix keys ${layer}`));
      this.values.push(this.set.f32(capacity * c.numKvHeads * c.headDim, `kv prefix values ${layer}`));
    }
  }

  /** How many leading tokens of `prompt` already have their keys and values here. */
  reusable(prompt: readonly number[]): number {
    const limit = Math.min(this.ids.length, prompt.length);
    let n = 0;
    while (n < limit && this.ids[n] === prompt[n]) n++;
    return n;
  }

  release(): void {
    this.set.release();
    this.ids = [];
  }
}

/**
 * Runs `tokens` ([rows · tokensPerRow], row-major) at `positions` (same layout) through the model,
 * writing their keys and values into the cache, and returns the logits [rows, vocab] of the token
 * at flat index `pick[row]` of each row.
 */
export async function forwardCached(
  cache: GpuKvCache,
  tokens: ArrayLike<number>,
  positions: ArrayLike<number>,
  tokensPerRow: number,
  pick: ArrayLike<number>,
): Promise<Float32Array> {
  const model = cache.model;
  const c = model.config;
  const n = cache.rows * tokensPerRow;
  if (tokens.length !== n || positions.length !== n || pick.length !== cache.rows) {
    throw new Error(`forwardCached: expected ${n} tokens and positions and ${cache.rows} picks.`);
  }
  for (let i = 0; i < n; i++) {
    if (!(positions[i] >= 0 && positions[i] < cache.capacity)) {
      throw new Error(
        `forwardCached: position ${positions[i]} is outside the cache (${cache.capacity} positions).`,
      );
    }
  }
  const d = c.hiddenSize;
  const qDim = c.numHeads * c.headDim;
  const kvDim = c.numKvHeads * c.headDim;
  const set = new BufferSet(model.gpu);
  const f = (elements: number, label: string) => set.f32(elements, label);
  const ids = set.upload(Uint32Array.from(tokens), "decode ids");
  const pos = set.upload(Uint32Array.from(positions), "decode positions");
  const pickBuffer = set.upload(Uint32Array.from(pick), "decode picks");
  let x = f(n * d, "x");
  let next = f(n * d, "x next");
  const norm = f(n * d, "norm");
  const rstd = f(n, "rstd");
  const qRaw = f(n * qDim, "q raw");
  const kRaw = f(n * kvDim, "k raw");
  const q = f(n * qDim, "q");
  const k = f(n * kvDim, "k");
  const v = f(n * kvDim, "v");
  const attn = f(n * qDim, "attn");
  const branch = f(n * d, "branch");
  const mid = f(n * d, "mid");
  const gate = f(n * c.intermediateSize, "gate");
  const up = f(n * c.intermediateSize, "up");
  const act = f(n * c.intermediateSize, "act");
  const hidden = model.loraRank() > 0 ? f(n * model.loraRank(), "lora h") : undefined;
  const picked = f(cache.rows * d, "picked");
  const logits = f(cache.rows * c.vocabSize, "logits");
  const shape: CacheShape = {
    rows: cache.rows,
    tokensPerRow,
    capacity: cache.capacity,
    heads: c.numHeads,
    kvHeads: c.numKvHeads,
    headDim: c.headDim,
  };
  const rope = { positions: pos, rows: n, headDim: c.headDim, theta: c.ropeTheta };

  const step = model.gpu.step({ label: "decode" });
  embeddingForward(step, {
    table: model.weight("model.embed_tokens.weight"),
    ids,
    out: x,
    tokens: n,
    dim: d,
  });
  for (let layer = 0; layer < c.numLayers; layer++) {
    const prefix = `model.layers.${layer}.`;
    const norm1 = { rows: n, dim: d, eps: c.rmsNormEps, y: norm, rstd };
    rmsnormForward(step, { ...norm1, x, w: model.weight(`${prefix}input_layernorm.weight`) });
    model.recordProjection(step, layer, "q_proj", norm, qRaw, n, hidden);
    model.recordProjection(step, layer, "k_proj", norm, kRaw, n, hidden);
    model.recordProjection(step, layer, "v_proj", norm, v, n, hidden);
    ropeForward(step, { ...rope, x: qRaw, y: q, heads: c.numHeads });
    ropeForward(step, { ...rope, x: kRaw, y: k, heads: c.numKvHeads });
    kvCacheWrite(step, { source: k, cache: cache.keys[layer], positions: pos, shape });
    kvCacheWrite(step, { source: v, cache: cache.values[layer], positions: pos, shape });
    cachedAttention(step, {
      q,
      keys: cache.keys[layer],
      values: cache.values[layer],
      positions: pos,
      out: attn,
      shape,
    });
    model.recordProjection(step, layer, "o_proj", attn, branch, n, hidden);
    residualAdd(step, { a: x, b: branch, out: mid, length: n * d });
    rmsnormForward(step, { ...norm1, x: mid, w: model.weight(`${prefix}post_attention_layernorm.weight`) });
    model.recordProjection(step, layer, "gate_proj", norm, gate, n, hidden);
    model.recordProjection(step, layer, "up_proj", norm, up, n, hidden);
    swigluForward(step, { gate, up, out: act, length: n * c.intermediateSize });
    model.recordProjection(step, layer, "down_proj", act, branch, n, hidden);
    residualAdd(step, { a: mid, b: branch, out: next, length: n * d });
    [x, next] = [next, x];
  }
  // The embedding kernel is a row gather: picked[r] = x[pick[r]].
  embeddingForward(step, { table: x, ids: pickBuffer, out: picked, tokens: cache.rows, dim: d });
  const finalNorm = f(cache.rows * d, "final norm");
  rmsnormForward(step, {
    x: picked,
    w: model.weight("model.norm.weight"),
    y: finalNorm,
    rstd,
    rows: cache.rows,
    dim: d,
    eps: c.rmsNormEps,
  });
  recordLinear(step, finalNorm, model.headWeight(), logits, cache.rows, d, c.vocabSize);
  await step.submit();
  const result = await model.gpu.download(logits, cache.rows * c.vocabSize);
  set.release();
  return result;
}
