/**
 * SwiGLU (Llama MLP): h = silu(gate) ⊙ up, silu(g) = g·σ(g). gate, up, h: [rows, intermediate]
 * (the outputs of gate_proj and up_proj). Backward:
 *   dUp   = dh ⊙ silu(gate)
 *   dGate = dh ⊙ up ⊙ σ(g)·(1 + g·(1 − σ(g)))
 */
import type { Step } from "../device/step.ts";
import { u32 } from "../device/step.ts";
import { assertDims, assertHolds, GRID_BUILTINS, grid1d, LINEAR_INDEX } from "./common.ts";

const WG = 64;

export function swigluForward(
  step: Step,
  args: { gate: GPUBuffer; up: GPUBuffer; out: GPUBuffer; length: number },
): void {
  assertDims("swigluForward", { length: args.length });
  assertHolds("swigluForward", "out", args.out, args.length);
  const pipeline = step.gpu.pipelines.get("swiglu:forward", () => FORWARD);
  step.dispatch(pipeline, [args.gate, args.up, args.out], [u32(args.length)], grid1d(step, args.length, WG));
}

export function swigluBackward(
  step: Step,
  args: { gate: GPUBuffer; up: GPUBuffer; dOut: GPUBuffer; dGate: GPUBuffer; dUp: GPUBuffer; length: number },
): void {
  assertDims("swigluBackward", { length: args.length });
  assertHolds("swigluBackward", "dGate", args.dGate, args.length);
  assertHolds("swigluBackward", "dUp", args.dUp, args.length);
  const pipeline = step.gpu.pipelines.get("swiglu:backward", () => BACKWARD);
  step.dispatch(
    pipeline,
    [args.gate, args.up, args.dOut, args.dGate, args.dUp],
    [u32(args.length)],
    grid1d(step, args.length, WG),
  );
}

// σ written with exp of a non-positive argument only, so large |g| cannot overflow to inf/inf.
const SIGMOID = `
fn sigmoid(g: f32) -> f32 {
  let e = exp(-abs(g));
  return select(e / (1.0 + e), 1.0 / (1.0 + e), g >= 0.0);
}`;

const FORWARD = `
struct Params { length: u32 }
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> gate: array<f32>;
@group(0) @binding(2) var<storage, read> up: array<f32>;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;
${SIGMOID}
@compute @workgroup_size(${WG})
fn main(${GRID_BUILTINS}) {
  let i = ${LINEAR_INDEX(WG)};
  if (i >= p.length) { return; }
  let g = gate[i];
  out[i] = g * sigmoid(g) * up[i];
}`;

const BACKWARD = `
struct Params { length: u32 }
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> gate: array<f32>;
@group(0) @binding(2) var<storage, read> up: array<f32>;
@group(0) @binding(3) var<storage, read> d_out: array<f32>;
@group(0) @binding(4) var<storage, read_write> d_gate: array<f32>;
@group(0) @binding(5) var<storage, read_write> d_up: array<f32>;
${SIGMOID}
@compute @workgroup_size(${WG})
fn main(${GRID_BUILTINS}) {
  let i = ${LINEAR_INDEX(WG)};
  if (i >= p.length) { return; }
  let g = gate[i];
  let s = sigmoid(g);
  let dh = d_out[i];
  d_up[i] = dh * g * s;
  d_gate[i] = dh * up[i] * s * (1.0 + g * (1.0 - s));
}`;
