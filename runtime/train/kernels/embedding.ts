/**
 * Token embedding: out[t, :] = table[ids[t], :]. table [vocab, dim], ids u32 [tokens], out [tokens, dim].
 *
 * Backward, deterministic and without atomics: WGSL has no f32 atomics, and a compare-and-swap loop
 * would make the sum order (and so the bits) depend on scheduling. The token ids are known on the CPU
 * (they were uploaded from there), so `embeddingBackwardPlan` groups token positions by id once per
 * batch (CSR: unique ids, offsets, positions), and the kernel gives each (unique id, column) one
 * invocation that sums its positions in order and adds the total to dTable (accumulate: clear it
 * first). Ids must be < vocab: `checkTokenIds` says which one is not.
 */
import type { Step } from "../device/step.ts";
import { u32 } from "../device/step.ts";
import { assertDims, assertHolds, ceilDiv, GRID_BUILTINS, grid1d, LINEAR_INDEX } from "./common.ts";

const WG = 64;

export function checkTokenIds(ids: Uint32Array, vocab: number): void {
  for (let t = 0; t < ids.length; t++) {
    if (ids[t] >= vocab) {
      throw new Error(
        `Token id ${ids[t]} at position ${t} is outside the vocabulary (size ${vocab}); ` +
          "the tokenizer and the model's config.json disagree on vocab_size.",
      );
    }
  }
}

export function embeddingForward(
  step: Step,
  args: { table: GPUBuffer; ids: GPUBuffer; out: GPUBuffer; tokens: number; dim: number },
): void {
  const { tokens, dim } = args;
  assertDims("embeddingForward", { tokens, dim });
  assertHolds("embeddingForward", "out", args.out, tokens * dim);
  const pipeline = step.gpu.pipelines.get("embedding:forward", () => FORWARD);
  step.dispatch(
    pipeline,
    [args.table, args.ids, args.out],
    [u32(tokens), u32(dim)],
    grid1d(step, tokens * dim, WG),
  );
}

const FORWARD = `
struct Params { tokens: u32, dim: u32 }
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> table: array<f32>;
@group(0) @binding(2) var<storage, read> ids: array<u32>;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;
@compute @workgroup_size(${WG})
fn main(${GRID_BUILTINS}) {
  let i = ${LINEAR_INDEX(WG)};
  if (i >= p.tokens * p.dim) { return; }
  let t = i / p.dim;
  let d = i % p.dim;
  out[i] = table[ids[t] * p.dim + d];
}`;

/** Token positions grouped by id: rows[u] is an id, its positions are positions[offsets[u]..offsets[u+1]]. */
export interface EmbeddingPlan {
  rows: Uint32Array;
  offsets: Uint32Array;
  positions: Uint32Array;
}

export function embeddingBackwardPlan(ids: Uint32Array): EmbeddingPlan {
  const order = [...ids.keys()].sort((x, y) => ids[x] - ids[y] || x - y);
  const rows: number[] = [];
  const offsets: number[] = [];
  order.forEach((position, i) => {
    if (i === 0 || ids[position] !== ids[order[i - 1]]) {
      rows.push(ids[position]);
      offsets.push(i);
    }
  });
  offsets.push(order.length);
  return {
    rows: Uint32Array.from(rows),
    offsets: Uint32Array.from(offsets),
    positions: Uint32Array.from(order),
  };
}

/** dTable[rows[u], :] += Σ dOut[positions of u, :]. `plan` buffers hold an uploaded EmbeddingPlan. */
export function embeddingBackward(
  step: Step,
  args: {
    dOut: GPUBuffer;
    dTable: GPUBuffer;
    rows: GPUBuffer;
    offsets: GPUBuffer;
    positions: GPUBuffer;
    uniqueIds: number;
    dim: number;
  },
): void {
  const { uniqueIds, dim } = args;
  assertDims("embeddingBackward", { uniqueIds, dim });
  const pipeline = step.gpu.pipelines.get("embedding:backward", () => BACKWARD);
  step.dispatch(
    pipeline,
    [args.dOut, args.rows, args.offsets, args.positions, args.dTable],
    [u32(uniqueIds), u32(dim)],
    [ceilDiv(dim, WG), uniqueIds],
  );
}

const BACKWARD = `
struct Params { unique_ids: u32, dim: u32 }
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> d_out: array<f32>;
@group(0) @binding(2) var<storage, read> rows: array<u32>;
@group(0) @binding(3) var<storage, read> offsets: array<u32>;
@group(0) @binding(4) var<storage, read> positions: array<u32>;
@group(0) @binding(5) var<storage, read_write> d_table: array<f32>;
@compute @workgroup_size(${WG})
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let d = gid.x;
  let u = gid.y;
  if (d >= p.dim || u >= p.unique_ids) { return; }
  var sum = 0.0;
  for (var i = offsets[u]; i < offsets[u + 1u]; i++) {
    sum += d_out[positions[i] * p.dim + d];
  }
  let at = rows[u] * p.dim + d;
  d_table[at] = d_table[at] + sum;
}`;
