/**
 * Kernels the GPU model needs beyond part A's set (runtime/train/kernels/), in the same style:
 * record into a Step, shapes as uniform params, buffers bound in WGSL order, no read-backs.
 *
 * - kvCacheWrite:    copies the new tokens' keys or values into a per-row cache at their positions.
 * - cachedAttention: causal GQA attention of new queries over a row's cached keys/values (decode).
 * - guardedAdamw:    AdamW (torch semantics) that leaves parameter and moments untouched when the
 *                    global gradient norm is not finite, so a diverged step changes nothing.
 *
 * Cache layout: [rows, capacity, kvHeads·hd] per layer; `positions` [rows·tokensPerRow] is the
 * absolute position of each new token in its row (the same buffer RoPE reads).
 */
import type { Step } from "../device/step.ts";
import { f32, u32 } from "../device/step.ts";
import { assertDims, assertHolds, GRID_BUILTINS, grid1d, LINEAR_INDEX } from "../kernels/common.ts";

const WG = 64;

export interface CacheShape {
  /** Sequences decoded together. */
  rows: number;
  /** New tokens per row in this call (the prompt length at prefill, 1 when decoding). */
  tokensPerRow: number;
  capacity: number;
  heads: number;
  kvHeads: number;
  headDim: number;
}

export function kvCacheWrite(
  step: Step,
  args: { source: GPUBuffer; cache: GPUBuffer; positions: GPUBuffer; shape: CacheShape },
): void {
  const { rows, tokensPerRow, capacity, kvHeads, headDim } = args.shape;
  assertDims("kvCacheWrite", { rows, tokensPerRow, capacity, kvHeads, headDim });
  const kvDim = kvHeads * headDim;
  assertHolds("kvCacheWrite", "cache", args.cache, rows * capacity * kvDim);
  const pipeline = step.gpu.pipelines.get("gpu-model:kv-cache-write", () => KV_WRITE);
  const count = rows * tokensPerRow * kvDim;
  step.dispatch(
    pipeline,
    [args.source, args.positions, args.cache],
    [u32(count), u32(tokensPerRow), u32(kvDim), u32(capacity)],
    grid1d(step, count, WG),
  );
}

const KV_WRITE = `
struct Params { count: u32, tokens_per_row: u32, kv_dim: u32, capacity: u32 }
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> source: array<f32>;
@group(0) @binding(2) var<storage, read> positions: array<u32>;
@group(0) @binding(3) var<storage, read_write> cache: array<f32>;
@compute @workgroup_size(${WG})
fn main(${GRID_BUILTINS}) {
  let i = ${LINEAR_INDEX(WG)};
  if (i >= p.count) { return; }
  let n = i / p.kv_dim;
  let j = i % p.kv_dim;
  let row = n / p.tokens_per_row;
  cache[(row * p.capacity + positions[n]) * p.kv_dim + j] = source[i];
}`;

/** out [rows·tokensPerRow, heads·hd] = softmax(q·Kᵀ/√hd)·V over cache positions 0..position. */
export function cachedAttention(
  step: Step,
  args: {
    q: GPUBuffer;
    keys: GPUBuffer;
    values: GPUBuffer;
    positions: GPUBuffer;
    out: GPUBuffer;
    shape: CacheShape;
  },
): void {
  const { rows, tokensPerRow, capacity, heads, kvHeads, headDim } = args.shape;
  assertDims("cachedAttention", { rows, tokensPerRow, capacity, heads, kvHeads, headDim });
  if (heads % kvHeads !== 0) {
    throw new Error(`cachedAttention: heads (${heads}) must be a multiple of kv heads (${kvHeads}).`);
  }
  const queries = rows * tokensPerRow;
  assertHolds("cachedAttention", "out", args.out, queries * heads * headDim);
  const pipeline = step.gpu.pipelines.get(`gpu-model:cached-attention:${headDim}`, () =>
    cachedAttentionWgsl(headDim),
  );
  step.dispatch(
    pipeline,
    [args.q, args.keys, args.values, args.positions, args.out],
    [u32(queries), u32(tokensPerRow), u32(heads), u32(kvHeads), u32(capacity), f32(1 / Math.sqrt(headDim))],
    grid1d(step, queries * heads, WG),
  );
}

function cachedAttentionWgsl(hd: number): string {
  return `
struct Params { queries: u32, tokens_per_row: u32, heads: u32, kv_heads: u32, capacity: u32, scale: f32 }
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> q: array<f32>;
@group(0) @binding(2) var<storage, read> keys: array<f32>;
@group(0) @binding(3) var<storage, read> vals: array<f32>;
@group(0) @binding(4) var<storage, read> positions: array<u32>;
@group(0) @binding(5) var<storage, read_write> out: array<f32>;
@compute @workgroup_size(${WG})
fn main(${GRID_BUILTINS}) {
  let index = ${LINEAR_INDEX(WG)};
  if (index >= p.queries * p.heads) { return; }
  let n = index / p.heads;
  let h = index % p.heads;
  let row = n / p.tokens_per_row;
  let g = h / (p.heads / p.kv_heads);
  let kv_dim = p.kv_heads * ${hd}u;
  let q_base = (n * p.heads + h) * ${hd}u;
  var qs: array<f32, ${hd}>;
  var acc: array<f32, ${hd}>;
  for (var d = 0u; d < ${hd}u; d++) { qs[d] = q[q_base + d] * p.scale; acc[d] = 0.0; }
  var running_max = -3.402823e38;
  var denom = 0.0;
  let last = positions[n];
  for (var u = 0u; u <= last; u++) {
    let kv_base = (row * p.capacity + u) * kv_dim + g * ${hd}u;
    var score = 0.0;
    for (var d = 0u; d < ${hd}u; d++) { score += qs[d] * keys[kv_base + d]; }
    let new_max = max(running_max, score);
    let correction = exp(running_max - new_max);
    let weight = exp(score - new_max);
    denom = denom * correction + weight;
    for (var d = 0u; d < ${hd}u; d++) { acc[d] = acc[d] * correction + weight * vals[kv_base + d]; }
    running_max = new_max;
  }
  for (var d = 0u; d < ${hd}u; d++) { out[q_base + d] = acc[d] / denom; }
}`;
}

export interface GuardedAdamwArgs {
  param: GPUBuffer;
  grad: GPUBuffer;
  m: GPUBuffer;
  v: GPUBuffer;
  /** [norm, scale] written by part A's clipGradNorm: the gradient is multiplied by scale. */
  clip: GPUBuffer;
  length: number;
  /** 1-based step count, for the bias corrections. */
  t: number;
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
  /** 0 for parameters that do not decay (norm weights). */
  weightDecay: number;
}

export function guardedAdamw(step: Step, args: GuardedAdamwArgs): void {
  const { length, t } = args;
  assertDims("guardedAdamw", { length, t });
  for (const name of ["param", "grad", "m", "v"] as const)
    assertHolds("guardedAdamw", name, args[name], length);
  const pipeline = step.gpu.pipelines.get("gpu-model:adamw-guarded", () => GUARDED_ADAMW);
  step.dispatch(
    pipeline,
    [args.grad, args.clip, args.param, args.m, args.v],
    [
      u32(length),
      f32(args.lr),
      f32(args.beta1),
      f32(args.beta2),
      f32(args.eps),
      f32(args.weightDecay),
      f32(1 - args.beta1 ** t),
      f32(1 - args.beta2 ** t),
    ],
    grid1d(step, length, WG),
  );
}

// Non-finite is tested on the bits (exponent all ones): compilers may fold x != x away.
const GUARDED_ADAMW = `
struct Params { length: u32, lr: f32, beta1: f32, beta2: f32, eps: f32, weight_decay: f32, bc1: f32, bc2: f32 }
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> grad: array<f32>;
@group(0) @binding(2) var<storage, read> clip: array<f32>;
@group(0) @binding(3) var<storage, read_write> param: array<f32>;
@group(0) @binding(4) var<storage, read_write> m: array<f32>;
@group(0) @binding(5) var<storage, read_write> v: array<f32>;
@compute @workgroup_size(${WG})
fn main(${GRID_BUILTINS}) {
  let i = ${LINEAR_INDEX(WG)};
  if (i >= p.length) { return; }
  if ((bitcast<u32>(clip[0]) & 0x7f800000u) == 0x7f800000u) { return; }
  let g = grad[i] * clip[1];
  let decayed = param[i] * (1.0 - p.lr * p.weight_decay);
  let m_new = p.beta1 * m[i] + (1.0 - p.beta1) * g;
  let v_new = p.beta2 * v[i] + (1.0 - p.beta2) * g * g;
  m[i] = m_new;
  v[i] = v_new;
  param[i] = decayed - p.lr * (m_new / p.bc1) / (sqrt(v_new / p.bc2) + p.eps);
}`;

/**
 * out [cols, rows] = inᵀ for in [rows, cols]. The model transposes dy before each weight gradient so
 * dW = (dyᵀ)·x runs as a plain A·B matmul: part A's Aᵀ·B form is the slowest on lavapipe (measured at
 * the tiny preset's shapes, batch 8 × T 128: dyᵀ·x 140 ms vs transpose + A·B 68 ms for gate/up_proj,
 * 41 vs 15 ms for q_proj). Each invocation moves a 4×4 block.
 */
export function transpose(
  step: Step,
  args: { input: GPUBuffer; output: GPUBuffer; rows: number; cols: number },
): void {
  const { rows, cols } = args;
  assertDims("transpose", { rows, cols });
  assertHolds("transpose", "output", args.output, rows * cols);
  const pipeline = step.gpu.pipelines.get("gpu-model:transpose", () => TRANSPOSE);
  const blocks = Math.ceil(rows / 4) * Math.ceil(cols / 4);
  step.dispatch(pipeline, [args.input, args.output], [u32(rows), u32(cols)], grid1d(step, blocks, WG));
}

const TRANSPOSE = `
struct Params { rows: u32, cols: u32 }
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> input: array<f32>;
@group(0) @binding(2) var<storage, read_write> output: array<f32>;
@compute @workgroup_size(${WG})
fn main(${GRID_BUILTINS}) {
  let block = ${LINEAR_INDEX(WG)};
  let col_blocks = (p.cols + 3u) / 4u;
  if (block >= ((p.rows + 3u) / 4u) * col_blocks) { return; }
  let r0 = (block / col_blocks) * 4u;
  let c0 = (block % col_blocks) * 4u;
  for (var i = 0u; i < 4u; i++) {
    let r = r0 + i;
    if (r >= p.rows) { break; }
    for (var j = 0u; j < 4u; j++) {
      let c = c0 + j;
      if (c < p.cols) { output[c * p.rows + r] = input[r * p.cols + c]; }
    }
  }
}`;
