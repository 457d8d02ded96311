/**
 * AdamW on the GPU, PyTorch semantics (torch.optim.AdamW): decoupled weight decay, bias correction.
 * For each element, with g = grad · clipScale:
 *   p ← p·(1 − lr·wd);  m ← β1·m + (1−β1)·g;  v ← β2·v + (1−β2)·g²
 *   p ← p − lr · (m / (1−β1^t)) / (√(v / (1−β2^t)) + eps)
 * param, grad, m, v: [length]; m and v start at zero (`step.clear`). `t` counts steps from 1. The
 * bias corrections are computed on the CPU in f64. `clip` (optional) is the [norm, scale] buffer that
 * clipGradNorm writes; its scale multiplies every gradient, so clipping needs no extra pass.
 * Defaults follow the AgentTuning recipe: β = (0.9, 0.95), weight decay 0.1, eps 1e-8.
 */
import type { Step } from "../device/step.ts";
import { f32, u32 } from "../device/step.ts";
import { assertDims, assertHolds, GRID_BUILTINS, grid1d, LINEAR_INDEX } from "./common.ts";

const WG = 64;

export interface AdamWHyper {
  lr: number;
  beta1?: number;
  beta2?: number;
  eps?: number;
  weightDecay?: number;
}

export const ADAMW_DEFAULTS = { beta1: 0.9, beta2: 0.95, eps: 1e-8, weightDecay: 0.1 };

export function adamwStep(
  step: Step,
  args: {
    param: GPUBuffer;
    grad: GPUBuffer;
    m: GPUBuffer;
    v: GPUBuffer;
    length: number;
    t: number;
    hyper: AdamWHyper;
    clip?: GPUBuffer;
  },
): void {
  const { length, t } = args;
  assertDims("adamwStep", { length, t });
  for (const name of ["param", "grad", "m", "v"] as const) assertHolds("adamwStep", name, args[name], length);
  const h = { ...ADAMW_DEFAULTS, ...args.hyper };
  const clipped = args.clip !== undefined;
  const pipeline = step.gpu.pipelines.get(`adamw:${clipped ? "clip" : "plain"}`, () => wgsl(clipped));
  const buffers = [args.grad, args.param, args.m, args.v];
  if (args.clip) buffers.push(args.clip);
  step.dispatch(
    pipeline,
    buffers,
    [
      u32(length),
      f32(h.lr),
      f32(h.beta1),
      f32(h.beta2),
      f32(h.eps),
      f32(h.weightDecay),
      f32(1 - h.beta1 ** t),
      f32(1 - h.beta2 ** t),
    ],
    grid1d(step, length, WG),
  );
}

function wgsl(clipped: boolean): string {
  return `
struct Params { length: u32, lr: f32, beta1: f32, beta2: f32, eps: f32, weight_decay: f32, bc1: f32, bc2: f32 }
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> grad: array<f32>;
@group(0) @binding(2) var<storage, read_write> param: array<f32>;
@group(0) @binding(3) var<storage, read_write> m: array<f32>;
@group(0) @binding(4) var<storage, read_write> v: array<f32>;
${clipped ? "@group(0) @binding(5) var<storage, read> clip: array<f32>;" : ""}
@compute @workgroup_size(${WG})
fn main(${GRID_BUILTINS}) {
  let i = ${LINEAR_INDEX(WG)};
  if (i >= p.length) { return; }
  let g = grad[i]${clipped ? " * clip[1]" : ""};
  let decayed = param[i] * (1.0 - p.lr * p.weight_decay);
  let m_new = p.beta1 * m[i] + (1.0 - p.beta1) * g;
  let v_new = p.beta2 * v[i] + (1.0 - p.beta2) * g * g;
  m[i] = m_new;
  v[i] = v_new;
  param[i] = decayed - p.lr * (m_new / p.bc1) / (sqrt(v_new / p.bc2) + p.eps);
}`;
}
