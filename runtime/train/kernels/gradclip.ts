/**
 * Global gradient-norm clipping (torch.nn.utils.clip_grad_norm_):
 *   norm = √(Σ over every gradient buffer of Σ g²);  scale = min(1, maxNorm / (norm + 1e-6))
 * Pass 1: each gradient buffer is cut into chunks of 1024 values; one workgroup per chunk writes its
 * sum of squares to `partials` (at that buffer's offset). Pass 2: one workgroup sums all partials in a
 * fixed order and writes clip = [norm, scale]. Nothing is atomic, so the norm is bit-reproducible.
 * Then either adamwStep reads the scale (`clip` argument), or `apply: true` scales each gradient here.
 */
import type { Step } from "../device/step.ts";
import { f32, u32 } from "../device/step.ts";
import { assertDims, assertHolds, ceilDiv, workgroupReduce } from "./common.ts";
import { scaleByBuffer } from "./residual.ts";

const WG = 64;
const CHUNK = WG * 16;

export interface GradientBuffer {
  buffer: GPUBuffer;
  length: number;
}

/** How many f32 partial sums `partials` must hold for these gradient lengths. */
export function gradNormPartialCount(lengths: number[]): number {
  return lengths.reduce((total, length) => total + ceilDiv(length, CHUNK), 0);
}

export function clipGradNorm(
  step: Step,
  args: { grads: GradientBuffer[]; partials: GPUBuffer; clip: GPUBuffer; maxNorm: number; apply?: boolean },
): void {
  if (args.grads.length === 0) throw new Error("clipGradNorm: no gradient buffers given.");
  if (!(args.maxNorm > 0)) throw new Error(`clipGradNorm: maxNorm must be > 0, got ${args.maxNorm}.`);
  const total = gradNormPartialCount(args.grads.map((g) => g.length));
  assertHolds("clipGradNorm", "partials", args.partials, total);
  assertHolds("clipGradNorm", "clip", args.clip, 2);
  const partialPipeline = step.gpu.pipelines.get("gradclip:partials", () => PARTIALS);
  let offset = 0;
  for (const grad of args.grads) {
    assertDims("clipGradNorm", { length: grad.length });
    const chunks = ceilDiv(grad.length, CHUNK);
    const limit = step.gpu.limits.maxComputeWorkgroupsPerDimension;
    step.dispatch(
      partialPipeline,
      [grad.buffer, args.partials],
      [u32(grad.length), u32(offset)],
      [Math.min(chunks, limit), ceilDiv(chunks, limit)],
    );
    offset += chunks;
  }
  const normPipeline = step.gpu.pipelines.get("gradclip:norm", () => NORM);
  step.dispatch(normPipeline, [args.partials, args.clip], [u32(total), f32(args.maxNorm)], [1]);
  if (args.apply) {
    for (const grad of args.grads) {
      scaleByBuffer(step, { target: grad.buffer, factor: args.clip, factorIndex: 1, length: grad.length });
    }
  }
}

const PARTIALS = `
struct Params { length: u32, offset: u32 }
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> grad: array<f32>;
@group(0) @binding(2) var<storage, read_write> partials: array<f32>;
${workgroupReduce(WG)}
@compute @workgroup_size(${WG})
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let chunk = wid.x + wid.y * nwg.x;
  let start = chunk * ${CHUNK}u;
  if (start >= p.length) { return; }
  var sum = 0.0;
  for (var i = start + lid.x; i < min(start + ${CHUNK}u, p.length); i += ${WG}u) { sum += grad[i] * grad[i]; }
  let total = workgroup_sum(sum, lid.x);
  if (lid.x == 0u) { partials[p.offset + chunk] = total; }
}`;

const NORM = `
struct Params { count: u32, max_norm: f32 }
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> partials: array<f32>;
@group(0) @binding(2) var<storage, read_write> clip: array<f32>;
${workgroupReduce(WG)}
@compute @workgroup_size(${WG})
fn main(@builtin(local_invocation_id) lid: vec3u) {
  var sum = 0.0;
  for (var i = lid.x; i < p.count; i += ${WG}u) { sum += partials[i]; }
  let norm = sqrt(workgroup_sum(sum, lid.x));
  if (lid.x == 0u) {
    clip[0] = norm;
    clip[1] = min(1.0, p.max_norm / (norm + 1e-6));
  }
}`;
