/**
 * Softmax cross-entropy over the vocabulary with a per-token loss mask (loss on assistant turns only):
 *   loss = Σ_{r: mask[r] ≠ 0} (logsumexp(logits[r]) − logits[r, targets[r]]) / #{r: mask[r] ≠ 0}
 * logits [rows, vocab]; targets, mask: u32 [rows]; loss: f32 [2] = (mean loss, unmasked count); 0 when
 * every row is masked. Masked rows are skipped with `select`, not multiplied by 0, so whatever their
 * logits hold (even inf or NaN) they change neither the loss nor any gradient.
 *
 * Forward: one workgroup per row (max, Σexp, per-row loss and logsumexp), then one workgroup sums the
 * rows in a fixed order. Backward: dlogits[r, v] = dLoss · (softmax[r, v] − [v = target]) / count.
 * Targets must be < vocab (checked by the caller where the targets are built).
 */
import type { Step } from "../device/step.ts";
import { f32, u32 } from "../device/step.ts";
import { assertDims, assertHolds, GRID_BUILTINS, grid1d, LINEAR_INDEX, workgroupReduce } from "./common.ts";

const WG = 64;

export interface CrossEntropyBuffers {
  logits: GPUBuffer;
  targets: GPUBuffer;
  mask: GPUBuffer;
  /** [rows] scratch: each row's log-sum-exp, written by the forward and read by the backward. */
  lse: GPUBuffer;
  /** [rows] scratch: each row's masked loss. */
  rowLoss: GPUBuffer;
  /** [2]: mean loss over unmasked rows, and their count. */
  loss: GPUBuffer;
  rows: number;
  vocab: number;
}

export function crossEntropyForward(step: Step, args: CrossEntropyBuffers): void {
  const { rows, vocab } = args;
  assertDims("crossEntropyForward", { rows, vocab });
  assertHolds("crossEntropyForward", "logits", args.logits, rows * vocab);
  assertHolds("crossEntropyForward", "loss", args.loss, 2);
  const rowPipeline = step.gpu.pipelines.get("crossentropy:rows", () => ROWS);
  step.dispatch(
    rowPipeline,
    [args.logits, args.targets, args.mask, args.lse, args.rowLoss],
    [u32(rows), u32(vocab)],
    grid1d(step, rows, 1),
  );
  const meanPipeline = step.gpu.pipelines.get("crossentropy:mean", () => MEAN);
  step.dispatch(meanPipeline, [args.rowLoss, args.mask, args.loss], [u32(rows)], [1]);
}

export function crossEntropyBackward(
  step: Step,
  args: CrossEntropyBuffers & { dLogits: GPUBuffer; dLoss?: number },
): void {
  const { rows, vocab } = args;
  assertDims("crossEntropyBackward", { rows, vocab });
  assertHolds("crossEntropyBackward", "dLogits", args.dLogits, rows * vocab);
  const pipeline = step.gpu.pipelines.get("crossentropy:backward", () => BACKWARD);
  step.dispatch(
    pipeline,
    [args.logits, args.targets, args.mask, args.lse, args.loss, args.dLogits],
    [u32(rows), u32(vocab), f32(args.dLoss ?? 1)],
    grid1d(step, rows * vocab, WG),
  );
}

const ROWS = `
struct Params { rows: u32, vocab: u32 }
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> logits: array<f32>;
@group(0) @binding(2) var<storage, read> targets: array<u32>;
@group(0) @binding(3) var<storage, read> mask: array<u32>;
@group(0) @binding(4) var<storage, read_write> lse: array<f32>;
@group(0) @binding(5) var<storage, read_write> row_loss: array<f32>;
${workgroupReduce(WG)}
@compute @workgroup_size(${WG})
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let row = wid.x + wid.y * nwg.x;
  if (row >= p.rows) { return; }
  let lane = lid.x;
  let base = row * p.vocab;
  var local_max = -3.402823e38;
  for (var v = lane; v < p.vocab; v += ${WG}u) { local_max = max(local_max, logits[base + v]); }
  let row_max = workgroup_max(local_max, lane);
  var local_sum = 0.0;
  for (var v = lane; v < p.vocab; v += ${WG}u) { local_sum += exp(logits[base + v] - row_max); }
  let row_lse = row_max + log(workgroup_sum(local_sum, lane));
  if (lane == 0u) {
    lse[row] = row_lse;
    row_loss[row] = select(0.0, row_lse - logits[base + targets[row]], mask[row] != 0u);
  }
}`;

const MEAN = `
struct Params { rows: u32 }
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> row_loss: array<f32>;
@group(0) @binding(2) var<storage, read> mask: array<u32>;
@group(0) @binding(3) var<storage, read_write> loss: array<f32>;
${workgroupReduce(WG)}
@compute @workgroup_size(${WG})
fn main(@builtin(local_invocation_id) lid: vec3u) {
  let lane = lid.x;
  var total = 0.0;
  var count = 0.0;
  for (var r = lane; r < p.rows; r += ${WG}u) {
    if (mask[r] != 0u) { total += row_loss[r]; count += 1.0; }
  }
  let sum = workgroup_sum(total, lane);
  let n = workgroup_sum(count, lane);
  if (lane == 0u) {
    loss[0] = select(0.0, sum / n, n > 0.0);
    loss[1] = n;
  }
}`;

const BACKWARD = `
struct Params { rows: u32, vocab: u32, d_loss: f32 }
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> logits: array<f32>;
@group(0) @binding(2) var<storage, read> targets: array<u32>;
@group(0) @binding(3) var<storage, read> mask: array<u32>;
@group(0) @binding(4) var<storage, read> lse: array<f32>;
@group(0) @binding(5) var<storage, read> loss: array<f32>;
@group(0) @binding(6) var<storage, read_write> d_logits: array<f32>;
@compute @workgroup_size(${WG})
fn main(${GRID_BUILTINS}) {
  let i = ${LINEAR_INDEX(WG)};
  if (i >= p.rows * p.vocab) { return; }
  let row = i / p.vocab;
  let v = i % p.vocab;
  let prob = exp(logits[i] - lse[row]);
  let onehot = select(0.0, 1.0, v == targets[row]);
  let grad = p.d_loss * (prob - onehot) / max(loss[1], 1.0);
  d_logits[i] = select(0.0, grad, mask[row] != 0u);
}`;
