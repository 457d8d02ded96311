/**
 * Elementwise sums for residual connections and gradient accumulation, over `length` f32 values:
 *   residualAdd:  out = a + b            (forward of x + block(x); its backward passes dy to both)
 *   accumulate:   target += scale·source (summing the two gradient paths of a residual, micro-batches)
 *   scale:        target *= factor[0]    (factor read from a GPU buffer, e.g. the clip scale)
 */
import type { Step } from "../device/step.ts";
import { f32, u32 } from "../device/step.ts";
import { assertDims, assertHolds, GRID_BUILTINS, grid1d, LINEAR_INDEX } from "./common.ts";

const WG = 64;

export function residualAdd(
  step: Step,
  args: { a: GPUBuffer; b: GPUBuffer; out: GPUBuffer; length: number },
): void {
  assertDims("residualAdd", { length: args.length });
  assertHolds("residualAdd", "out", args.out, args.length);
  const pipeline = step.gpu.pipelines.get("residual:add", () => ADD);
  step.dispatch(pipeline, [args.a, args.b, args.out], [u32(args.length)], grid1d(step, args.length, WG));
}

export function accumulate(
  step: Step,
  args: { target: GPUBuffer; source: GPUBuffer; length: number; scale?: number },
): void {
  assertDims("accumulate", { length: args.length });
  assertHolds("accumulate", "target", args.target, args.length);
  const pipeline = step.gpu.pipelines.get("residual:accumulate", () => ACCUMULATE);
  step.dispatch(
    pipeline,
    [args.source, args.target],
    [u32(args.length), f32(args.scale ?? 1)],
    grid1d(step, args.length, WG),
  );
}

export function scaleByBuffer(
  step: Step,
  args: { target: GPUBuffer; factor: GPUBuffer; factorIndex?: number; length: number },
): void {
  assertDims("scaleByBuffer", { length: args.length });
  const pipeline = step.gpu.pipelines.get("residual:scale", () => SCALE);
  step.dispatch(
    pipeline,
    [args.factor, args.target],
    [u32(args.length), u32(args.factorIndex ?? 0)],
    grid1d(step, args.length, WG),
  );
}

const ADD = `
struct Params { length: u32 }
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> a: array<f32>;
@group(0) @binding(2) var<storage, read> b: array<f32>;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;
@compute @workgroup_size(${WG})
fn main(${GRID_BUILTINS}) {
  let i = ${LINEAR_INDEX(WG)};
  if (i >= p.length) { return; }
  out[i] = a[i] + b[i];
}`;

const ACCUMULATE = `
struct Params { length: u32, scale: f32 }
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> source: array<f32>;
@group(0) @binding(2) var<storage, read_write> dst: array<f32>;
@compute @workgroup_size(${WG})
fn main(${GRID_BUILTINS}) {
  let i = ${LINEAR_INDEX(WG)};
  if (i >= p.length) { return; }
  dst[i] = dst[i] + p.scale * source[i];
}`;

const SCALE = `
struct Params { length: u32, factor_index: u32 }
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> factor: array<f32>;
@group(0) @binding(2) var<storage, read_write> dst: array<f32>;
@compute @workgroup_size(${WG})
fn main(${GRID_BUILTINS}) {
  let i = ${LINEAR_INDEX(WG)};
  if (i >= p.length) { return; }
  dst[i] = dst[i] * factor[p.factor_index];
}`;
