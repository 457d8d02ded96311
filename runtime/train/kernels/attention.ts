/**
 * Causal self-attention with grouped-query heads (GQA), forward and backward, flash-attention style:
 * the T×T probabilities are never stored; the forward keeps one log-sum-exp per query row and the
 * backward recomputes the probabilities from it.
 *
 * Layout (after the q/k/v projections and RoPE): q, out: [batch·seq, heads·hd]; k, v:
 * [batch·seq, kvHeads·hd]. Query head h reads kv head h / (heads / kvHeads) (HF `repeat_kv`).
 * Scores are q·kᵀ/√hd; row t of a sequence sees keys 0..t of the same sequence only.
 * lse: [batch, heads, seq] log-sum-exp of each query row's scores (saved by the forward).
 *
 * Backward (with D_t = Σ_d dO_t·O_t, P_tu = exp(s_tu − lse_t), dS_tu = P_tu·(dO_t·v_u − D_t)):
 *   dQ_t = Σ_u dS_tu · k_u / √hd       one invocation per query row
 *   dK_u = Σ_{h in group} Σ_{t≥u} dS_tu · q_t / √hd,   dV_u = Σ_h Σ_{t≥u} P_tu · dO_t
 *                                       one invocation per key row and kv head
 * Every sum runs in a fixed order in one invocation: no atomics, deterministic results.
 * Pipelines are specialised on hd: head sizes divisible by 4 get straight-line vec4 code (below),
 * others a loop over private arrays.
 */
import type { Step } from "../device/step.ts";
import { f32, u32 } from "../device/step.ts";
import { assertDims, assertHolds, GRID_BUILTINS, grid1d, LINEAR_INDEX } from "./common.ts";

const WG = 64;

export interface AttentionShape {
  batch: number;
  seq: number;
  heads: number;
  kvHeads: number;
  headDim: number;
}

function checkShape(kernel: string, s: AttentionShape): void {
  assertDims(kernel, { ...s });
  if (s.heads % s.kvHeads !== 0) {
    throw new Error(
      `${kernel}: num_attention_heads (${s.heads}) must be a multiple of num_key_value_heads (${s.kvHeads}).`,
    );
  }
}

function shapeParams(s: AttentionShape) {
  return [u32(s.batch), u32(s.seq), u32(s.heads), u32(s.kvHeads), f32(1 / Math.sqrt(s.headDim))];
}

export function attentionForward(
  step: Step,
  args: { q: GPUBuffer; k: GPUBuffer; v: GPUBuffer; out: GPUBuffer; lse: GPUBuffer; shape: AttentionShape },
): void {
  const s = args.shape;
  checkShape("attentionForward", s);
  assertHolds("attentionForward", "out", args.out, s.batch * s.seq * s.heads * s.headDim);
  assertHolds("attentionForward", "lse", args.lse, s.batch * s.heads * s.seq);
  const pipeline = step.gpu.pipelines.get(`attention:forward:${s.headDim}`, () => forwardWgsl(s.headDim));
  step.dispatch(
    pipeline,
    [args.q, args.k, args.v, args.out, args.lse],
    shapeParams(s),
    grid1d(step, s.batch * s.heads * s.seq, WG),
  );
}

export function attentionBackward(
  step: Step,
  args: {
    q: GPUBuffer;
    k: GPUBuffer;
    v: GPUBuffer;
    out: GPUBuffer;
    lse: GPUBuffer;
    dOut: GPUBuffer;
    dq: GPUBuffer;
    dk: GPUBuffer;
    dv: GPUBuffer;
    /** [batch, heads, seq] scratch for D_t. */
    rowDot: GPUBuffer;
    shape: AttentionShape;
  },
): void {
  const s = args.shape;
  checkShape("attentionBackward", s);
  assertHolds("attentionBackward", "dq", args.dq, s.batch * s.seq * s.heads * s.headDim);
  assertHolds("attentionBackward", "dk", args.dk, s.batch * s.seq * s.kvHeads * s.headDim);
  assertHolds("attentionBackward", "dv", args.dv, s.batch * s.seq * s.kvHeads * s.headDim);
  assertHolds("attentionBackward", "rowDot", args.rowDot, s.batch * s.heads * s.seq);
  const dqPipeline = step.gpu.pipelines.get(`attention:backward-dq:${s.headDim}`, () =>
    backwardDqWgsl(s.headDim),
  );
  step.dispatch(
    dqPipeline,
    [args.q, args.k, args.v, args.out, args.lse, args.dOut, args.dq, args.rowDot],
    shapeParams(s),
    grid1d(step, s.batch * s.heads * s.seq, WG),
  );
  const dkvPipeline = step.gpu.pipelines.get(`attention:backward-dkv:${s.headDim}`, () =>
    backwardDkvWgsl(s.headDim),
  );
  step.dispatch(
    dkvPipeline,
    [args.q, args.k, args.v, args.lse, args.dOut, args.rowDot, args.dk, args.dv],
    shapeParams(s),
    grid1d(step, s.batch * s.kvHeads * s.seq, WG),
  );
}

const PARAMS = `
struct Params { batch: u32, seq: u32, heads: u32, kv_heads: u32, scale: f32 }
@group(0) @binding(0) var<uniform> p: Params;`;

const NEG_MAX = "-3.402823e38";

/** WGSL: decode a query-row invocation into (b, h, t) and the base offsets of its q row and lse entry. */
const QUERY_ROW = (hd: number) => `
  let row = ${LINEAR_INDEX(WG)};
  if (row >= p.batch * p.heads * p.seq) { return; }
  let t = row % p.seq;
  let bh = row / p.seq;
  let h = bh % p.heads;
  let b = bh / p.heads;
  let g = h / (p.heads / p.kv_heads);
  let q_base = ((b * p.seq + t) * p.heads + h) * ${hd}u;`;

function forwardWgsl(hd: number): string {
  return hd % 4 === 0 ? forwardVec4(hd / 4) : forwardLoop(hd);
}

function forwardLoop(hd: number): string {
  return `${PARAMS}
@group(0) @binding(1) var<storage, read> q: array<f32>;
@group(0) @binding(2) var<storage, read> k: array<f32>;
@group(0) @binding(3) var<storage, read> v: array<f32>;
@group(0) @binding(4) var<storage, read_write> out: array<f32>;
@group(0) @binding(5) var<storage, read_write> lse: array<f32>;
@compute @workgroup_size(${WG})
fn main(${GRID_BUILTINS}) {
  ${QUERY_ROW(hd)}
  var qs: array<f32, ${hd}>;
  var acc: array<f32, ${hd}>;
  for (var d = 0u; d < ${hd}u; d++) { qs[d] = q[q_base + d] * p.scale; acc[d] = 0.0; }
  var running_max = ${NEG_MAX};
  var denom = 0.0;
  for (var u = 0u; u <= t; u++) {
    let kv_base = ((b * p.seq + u) * p.kv_heads + g) * ${hd}u;
    var score = 0.0;
    for (var d = 0u; d < ${hd}u; d++) { score += qs[d] * k[kv_base + d]; }
    let new_max = max(running_max, score);
    let correction = exp(running_max - new_max);
    let weight = exp(score - new_max);
    denom = denom * correction + weight;
    for (var d = 0u; d < ${hd}u; d++) { acc[d] = acc[d] * correction + weight * v[kv_base + d]; }
    running_max = new_max;
  }
  for (var d = 0u; d < ${hd}u; d++) { out[q_base + d] = acc[d] / denom; }
  lse[row] = running_max + log(denom);
}`;
}

function backwardDqWgsl(hd: number): string {
  return hd % 4 === 0 ? backwardDqVec4(hd / 4) : backwardDqLoop(hd);
}

function backwardDqLoop(hd: number): string {
  return `${PARAMS}
@group(0) @binding(1) var<storage, read> q: array<f32>;
@group(0) @binding(2) var<storage, read> k: array<f32>;
@group(0) @binding(3) var<storage, read> v: array<f32>;
@group(0) @binding(4) var<storage, read> out: array<f32>;
@group(0) @binding(5) var<storage, read> lse: array<f32>;
@group(0) @binding(6) var<storage, read> d_out: array<f32>;
@group(0) @binding(7) var<storage, read_write> dq: array<f32>;
@group(0) @binding(8) var<storage, read_write> row_dot: array<f32>;
@compute @workgroup_size(${WG})
fn main(${GRID_BUILTINS}) {
  ${QUERY_ROW(hd)}
  var qs: array<f32, ${hd}>;
  var dos: array<f32, ${hd}>;
  var acc: array<f32, ${hd}>;
  var dsum = 0.0;
  for (var d = 0u; d < ${hd}u; d++) {
    qs[d] = q[q_base + d] * p.scale;
    dos[d] = d_out[q_base + d];
    dsum += dos[d] * out[q_base + d];
    acc[d] = 0.0;
  }
  let row_lse = lse[row];
  for (var u = 0u; u <= t; u++) {
    let kv_base = ((b * p.seq + u) * p.kv_heads + g) * ${hd}u;
    var score = 0.0;
    var dp = 0.0;
    for (var d = 0u; d < ${hd}u; d++) { score += qs[d] * k[kv_base + d]; dp += dos[d] * v[kv_base + d]; }
    let ds = exp(score - row_lse) * (dp - dsum) * p.scale;
    for (var d = 0u; d < ${hd}u; d++) { acc[d] += ds * k[kv_base + d]; }
  }
  for (var d = 0u; d < ${hd}u; d++) { dq[q_base + d] = acc[d]; }
  row_dot[row] = dsum;
}`;
}

function backwardDkvWgsl(hd: number): string {
  return hd % 4 === 0 ? backwardDkvVec4(hd / 4) : backwardDkvLoop(hd);
}

function backwardDkvLoop(hd: number): string {
  return `${PARAMS}
@group(0) @binding(1) var<storage, read> q: array<f32>;
@group(0) @binding(2) var<storage, read> k: array<f32>;
@group(0) @binding(3) var<storage, read> v: array<f32>;
@group(0) @binding(4) var<storage, read> lse: array<f32>;
@group(0) @binding(5) var<storage, read> d_out: array<f32>;
@group(0) @binding(6) var<storage, read> row_dot: array<f32>;
@group(0) @binding(7) var<storage, read_write> dk: array<f32>;
@group(0) @binding(8) var<storage, read_write> dv: array<f32>;
@compute @workgroup_size(${WG})
fn main(${GRID_BUILTINS}) {
  let key_row = ${LINEAR_INDEX(WG)};
  if (key_row >= p.batch * p.kv_heads * p.seq) { return; }
  let u = key_row % p.seq;
  let bg = key_row / p.seq;
  let g = bg % p.kv_heads;
  let b = bg / p.kv_heads;
  let group = p.heads / p.kv_heads;
  let kv_base = ((b * p.seq + u) * p.kv_heads + g) * ${hd}u;
  var ks: array<f32, ${hd}>;
  var vs: array<f32, ${hd}>;
  var dk_acc: array<f32, ${hd}>;
  var dv_acc: array<f32, ${hd}>;
  for (var d = 0u; d < ${hd}u; d++) { ks[d] = k[kv_base + d]; vs[d] = v[kv_base + d]; dk_acc[d] = 0.0; dv_acc[d] = 0.0; }
  for (var h = g * group; h < (g + 1u) * group; h++) {
    for (var t = u; t < p.seq; t++) {
      let q_base = ((b * p.seq + t) * p.heads + h) * ${hd}u;
      let stat = (b * p.heads + h) * p.seq + t;
      var score = 0.0;
      var dp = 0.0;
      for (var d = 0u; d < ${hd}u; d++) { score += q[q_base + d] * ks[d]; dp += d_out[q_base + d] * vs[d]; }
      let prob = exp(score * p.scale - lse[stat]);
      let ds = prob * (dp - row_dot[stat]) * p.scale;
      for (var d = 0u; d < ${hd}u; d++) {
        dk_acc[d] += ds * q[q_base + d];
        dv_acc[d] += prob * d_out[q_base + d];
      }
    }
  }
  for (var d = 0u; d < ${hd}u; d++) { dk[kv_base + d] = dk_acc[d]; dv[kv_base + d] = dv_acc[d]; }
}`;
}

/*
 * vec4 forms for head sizes divisible by 4 (all real models): the loops over the head dimension are
 * written out and each row lives in named vec4 values instead of private arrays. On lavapipe a
 * private array indexed in a loop becomes per-lane scratch memory; named values stay in registers
 * (or plain stack slots), which is several times faster.
 */
const each = (n: number, line: (j: number) => string, sep = "\n  "): string =>
  Array.from({ length: n }, (_, j) => line(j)).join(sep);
const sum = (n: number, term: (j: number) => string): string => each(n, term, " + ");

function forwardVec4(n: number): string {
  return `${PARAMS}
@group(0) @binding(1) var<storage, read> q: array<vec4f>;
@group(0) @binding(2) var<storage, read> k: array<vec4f>;
@group(0) @binding(3) var<storage, read> v: array<vec4f>;
@group(0) @binding(4) var<storage, read_write> out: array<vec4f>;
@group(0) @binding(5) var<storage, read_write> lse: array<f32>;
@compute @workgroup_size(${WG})
fn main(${GRID_BUILTINS}) {
  ${QUERY_ROW(4 * n)}
  let q_at = q_base / 4u;
  ${each(n, (j) => `let q${j} = q[q_at + ${j}u] * p.scale;`)}
  ${each(n, (j) => `var acc${j} = vec4f(0.0);`)}
  var running_max = ${NEG_MAX};
  var denom = 0.0;
  for (var u = 0u; u <= t; u++) {
    let kv_at = ((b * p.seq + u) * p.kv_heads + g) * ${n}u;
    let score = ${sum(n, (j) => `dot(q${j}, k[kv_at + ${j}u])`)};
    let new_max = max(running_max, score);
    let correction = exp(running_max - new_max);
    let weight = exp(score - new_max);
    denom = denom * correction + weight;
    ${each(n, (j) => `acc${j} = acc${j} * correction + weight * v[kv_at + ${j}u];`, "\n    ")}
    running_max = new_max;
  }
  ${each(n, (j) => `out[q_at + ${j}u] = acc${j} / denom;`)}
  lse[row] = running_max + log(denom);
}`;
}

function backwardDqVec4(n: number): string {
  return `${PARAMS}
@group(0) @binding(1) var<storage, read> q: array<vec4f>;
@group(0) @binding(2) var<storage, read> k: array<vec4f>;
@group(0) @binding(3) var<storage, read> v: array<vec4f>;
@group(0) @binding(4) var<storage, read> out: array<vec4f>;
@group(0) @binding(5) var<storage, read> lse: array<f32>;
@group(0) @binding(6) var<storage, read> d_out: array<vec4f>;
@group(0) @binding(7) var<storage, read_write> dq: array<vec4f>;
@group(0) @binding(8) var<storage, read_write> row_dot: array<f32>;
@compute @workgroup_size(${WG})
fn main(${GRID_BUILTINS}) {
  ${QUERY_ROW(4 * n)}
  let q_at = q_base / 4u;
  ${each(n, (j) => `let q${j} = q[q_at + ${j}u] * p.scale;`)}
  ${each(n, (j) => `let do${j} = d_out[q_at + ${j}u];`)}
  ${each(n, (j) => `var acc${j} = vec4f(0.0);`)}
  let dsum = ${sum(n, (j) => `dot(do${j}, out[q_at + ${j}u])`)};
  let row_lse = lse[row];
  for (var u = 0u; u <= t; u++) {
    let kv_at = ((b * p.seq + u) * p.kv_heads + g) * ${n}u;
    ${each(n, (j) => `let k${j} = k[kv_at + ${j}u];`, "\n    ")}
    let score = ${sum(n, (j) => `dot(q${j}, k${j})`)};
    let dp = ${sum(n, (j) => `dot(do${j}, v[kv_at + ${j}u])`)};
    let ds = exp(score - row_lse) * (dp - dsum) * p.scale;
    ${each(n, (j) => `acc${j} += ds * k${j};`, "\n    ")}
  }
  ${each(n, (j) => `dq[q_at + ${j}u] = acc${j};`)}
  row_dot[row] = dsum;
}`;
}

function backwardDkvVec4(n: number): string {
  return `${PARAMS}
@group(0) @binding(1) var<storage, read> q: array<vec4f>;
@group(0) @binding(2) var<storage, read> k: array<vec4f>;
@group(0) @binding(3) var<storage, read> v: array<vec4f>;
@group(0) @binding(4) var<storage, read> lse: array<f32>;
@group(0) @binding(5) var<storage, read> d_out: array<vec4f>;
@group(0) @binding(6) var<storage, read> row_dot: array<f32>;
@group(0) @binding(7) var<storage, read_write> dk: array<vec4f>;
@group(0) @binding(8) var<storage, read_write> dv: array<vec4f>;
@compute @workgroup_size(${WG})
fn main(${GRID_BUILTINS}) {
  let key_row = ${LINEAR_INDEX(WG)};
  if (key_row >= p.batch * p.kv_heads * p.seq) { return; }
  let u = key_row % p.seq;
  let bg = key_row / p.seq;
  let g = bg % p.kv_heads;
  let b = bg / p.kv_heads;
  let group = p.heads / p.kv_heads;
  let kv_at = ((b * p.seq + u) * p.kv_heads + g) * ${n}u;
  ${each(n, (j) => `let k${j} = k[kv_at + ${j}u];`)}
  ${each(n, (j) => `let v${j} = v[kv_at + ${j}u];`)}
  ${each(n, (j) => `var dk${j} = vec4f(0.0);`)}
  ${each(n, (j) => `var dv${j} = vec4f(0.0);`)}
  for (var h = g * group; h < (g + 1u) * group; h++) {
    for (var t = u; t < p.seq; t++) {
      let q_at = ((b * p.seq + t) * p.heads + h) * ${n}u;
      let stat = (b * p.heads + h) * p.seq + t;
      ${each(n, (j) => `let q${j} = q[q_at + ${j}u];`, "\n      ")}
      ${each(n, (j) => `let do${j} = d_out[q_at + ${j}u];`, "\n      ")}
      let score = ${sum(n, (j) => `dot(q${j}, k${j})`)};
      let dp = ${sum(n, (j) => `dot(do${j}, v${j})`)};
      let prob = exp(score * p.scale - lse[stat]);
      let ds = prob * (dp - row_dot[stat]) * p.scale;
      ${each(n, (j) => `dk${j} += ds * q${j};`, "\n      ")}
      ${each(n, (j) => `dv${j} += prob * do${j};`, "\n      ")}
    }
  }
  ${each(n, (j) => `dk[kv_at + ${j}u] = dk${j};`)}
  ${each(n, (j) => `dv[kv_at + ${j}u] = dv${j};`)}
}`;
}
