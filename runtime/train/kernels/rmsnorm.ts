/**
 * RMSNorm (Llama): y = x · rstd · w, rstd = 1/√(mean(x²) + eps), per row of x [rows, dim]; w [dim].
 *
 * Forward saves rstd [rows] for the backward. Backward:
 *   dx = rstd · (dy⊙w − x · rstd² · mean(dy⊙w⊙x))        (one workgroup per row)
 *   dw += Σ_rows dy ⊙ x · rstd                            (one invocation per column, rows in order)
 * Row kernels use a 64-wide workgroup reduction (deterministic tree order).
 */
import type { Step } from "../device/step.ts";
import { f32, u32 } from "../device/step.ts";
import { assertDims, assertHolds, grid1d, workgroupReduce } from "./common.ts";

const WG = 64;

export function rmsnormForward(
  step: Step,
  args: { x: GPUBuffer; w: GPUBuffer; y: GPUBuffer; rstd: GPUBuffer; rows: number; dim: number; eps: number },
): void {
  const { rows, dim } = args;
  assertDims("rmsnormForward", { rows, dim });
  assertHolds("rmsnormForward", "y", args.y, rows * dim);
  const pipeline = step.gpu.pipelines.get("rmsnorm:forward", () => FORWARD);
  step.dispatch(
    pipeline,
    [args.x, args.w, args.y, args.rstd],
    [u32(rows), u32(dim), f32(args.eps)],
    grid1d(step, rows, 1),
  );
}

const ROW = `let row = wid.x + wid.y * nwg.x;
  if (row >= p.rows) { return; }
  let lane = lid.x;
  let base = row * p.dim;`;

const FORWARD = `
struct Params { rows: u32, dim: u32, eps: f32 }
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> w: array<f32>;
@group(0) @binding(3) var<storage, read_write> y: array<f32>;
@group(0) @binding(4) var<storage, read_write> rstd: array<f32>;
${workgroupReduce(WG)}
@compute @workgroup_size(${WG})
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  ${ROW}
  var sum_sq = 0.0;
  for (var d = lane; d < p.dim; d += ${WG}u) { let v = x[base + d]; sum_sq += v * v; }
  let r = inverseSqrt(workgroup_sum(sum_sq, lane) / f32(p.dim) + p.eps);
  for (var d = lane; d < p.dim; d += ${WG}u) { y[base + d] = x[base + d] * r * w[d]; }
  if (lane == 0u) { rstd[row] = r; }
}`;

export function rmsnormBackward(
  step: Step,
  args: {
    x: GPUBuffer;
    w: GPUBuffer;
    rstd: GPUBuffer;
    dy: GPUBuffer;
    dx: GPUBuffer;
    dw: GPUBuffer;
    rows: number;
    dim: number;
  },
): void {
  const { rows, dim } = args;
  assertDims("rmsnormBackward", { rows, dim });
  assertHolds("rmsnormBackward", "dx", args.dx, rows * dim);
  const dxPipeline = step.gpu.pipelines.get("rmsnorm:backward-dx", () => BACKWARD_DX);
  step.dispatch(
    dxPipeline,
    [args.x, args.w, args.rstd, args.dy, args.dx],
    [u32(rows), u32(dim)],
    grid1d(step, rows, 1),
  );
  const dwPipeline = step.gpu.pipelines.get("rmsnorm:backward-dw", () => BACKWARD_DW);
  step.dispatch(
    dwPipeline,
    [args.x, args.rstd, args.dy, args.dw],
    [u32(rows), u32(dim)],
    grid1d(step, dim, WG),
  );
}

const BACKWARD_DX = `
struct Params { rows: u32, dim: u32 }
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> w: array<f32>;
@group(0) @binding(3) var<storage, read> rstd: array<f32>;
@group(0) @binding(4) var<storage, read> dy: array<f32>;
@group(0) @binding(5) var<storage, read_write> dx: array<f32>;
${workgroupReduce(WG)}
@compute @workgroup_size(${WG})
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  ${ROW}
  var partial = 0.0;
  for (var d = lane; d < p.dim; d += ${WG}u) { partial += dy[base + d] * w[d] * x[base + d]; }
  let mean_dot = workgroup_sum(partial, lane) / f32(p.dim);
  let r = rstd[row];
  for (var d = lane; d < p.dim; d += ${WG}u) {
    dx[base + d] = r * (dy[base + d] * w[d] - x[base + d] * r * r * mean_dot);
  }
}`;

const BACKWARD_DW = `
struct Params { rows: u32, dim: u32 }
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> rstd: array<f32>;
@group(0) @binding(3) var<storage, read> dy: array<f32>;
@group(0) @binding(4) var<storage, read_write> dw: array<f32>;
@compute @workgroup_size(${WG})
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let d = (wid.x + wid.y * nwg.x) * ${WG}u + lid.x;
  if (d >= p.dim) { return; }
  var sum = 0.0;
  for (var r = 0u; r < p.rows; r++) { sum += dy[r * p.dim + d] * x[r * p.dim + d] * rstd[r]; }
  dw[d] = dw[d] + sum;
}`;
