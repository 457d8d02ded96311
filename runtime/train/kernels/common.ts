/**
 * Shared pieces of the WGSL kernels.
 *
 * Conventions for every kernel in this folder:
 * - Tensors are f32, row-major, in storage buffers the caller owns. Activations are `[rows, features]`
 *   with rows = batch·seq. Weights follow Hugging Face: an `nn.Linear` weight is `[out, in]`, so a
 *   linear layer is `y = x·Wᵀ`.
 * - A kernel function records its dispatches into a `Step` and returns; it never reads back. Outputs
 *   that are "accumulated into" (gradients of weights) are added to what the buffer holds, so the
 *   caller zeroes them once per step (`step.clear`) and can accumulate over micro-batches.
 * - Shapes travel as uniform params (binding 0); buffers bind from 1 in the order the WGSL lists them.
 *   Pipelines are specialised only on what changes the code (variant, tile, head size), not on shapes.
 */
import type { Step } from "../device/step.ts";

export const ceilDiv = (a: number, b: number): number => Math.ceil(a / b);

/** Throws a readable error when a kernel argument is not a positive integer. */
export function assertDims(kernel: string, dims: Record<string, number>): void {
  for (const [name, value] of Object.entries(dims)) {
    if (!Number.isInteger(value) || value <= 0) {
      throw new Error(`${kernel}: '${name}' must be a positive integer, got ${value}.`);
    }
  }
}

/** Throws when a buffer is too small for the elements a kernel will touch in it. */
export function assertHolds(kernel: string, name: string, buffer: GPUBuffer, elements: number): void {
  if (buffer.size < elements * 4) {
    throw new Error(
      `${kernel}: buffer '${name}' holds ${buffer.size / 4} f32 values but the shape needs ${elements}.`,
    );
  }
}

/**
 * A 1-D grid of `count` invocations in workgroups of `size`, folded into x and y when it exceeds the
 * per-dimension limit. Kernels recover the linear index with `LINEAR_INDEX`.
 */
export function grid1d(step: Step, count: number, size: number): [number, number] {
  const groups = ceilDiv(count, size);
  const limit = step.gpu.limits.maxComputeWorkgroupsPerDimension;
  if (groups <= limit) return [groups, 1];
  return [limit, ceilDiv(groups, limit)];
}

/** WGSL: the linear invocation index of a `grid1d` dispatch (needs `wid` and `nwg` builtins). */
export const LINEAR_INDEX = (size: number): string => `(wid.x + wid.y * nwg.x) * ${size}u + lid.x`;

export const GRID_BUILTINS =
  "@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_id) lid: vec3u";

/**
 * WGSL: a workgroup-wide sum (and max) over `size` invocations through workgroup memory. Every
 * invocation of the workgroup must call it (it has barriers) and gets the total back. The tree order
 * is fixed, so results are deterministic.
 */
export function workgroupReduce(size: number): string {
  return `
var<workgroup> reduce_scratch: array<f32, ${size}>;
fn workgroup_sum(value: f32, lane: u32) -> f32 {
  reduce_scratch[lane] = value;
  workgroupBarrier();
  for (var stride = ${size / 2}u; stride > 0u; stride >>= 1u) {
    if (lane < stride) { reduce_scratch[lane] += reduce_scratch[lane + stride]; }
    workgroupBarrier();
  }
  let total = reduce_scratch[0];
  workgroupBarrier();
  return total;
}
fn workgroup_max(value: f32, lane: u32) -> f32 {
  reduce_scratch[lane] = value;
  workgroupBarrier();
  for (var stride = ${size / 2}u; stride > 0u; stride >>= 1u) {
    if (lane < stride) { reduce_scratch[lane] = max(reduce_scratch[lane], reduce_scratch[lane + stride]); }
    workgroupBarrier();
  }
  let total = reduce_scratch[0];
  workgroupBarrier();
  return total;
}`;
}
