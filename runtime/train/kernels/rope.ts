/**
 * Rotary position embedding, Hugging Face Llama convention ("rotate half"): within each head of
 * size hd, element i < hd/2 pairs with i + hd/2 and the pair rotates by angle pos · theta^(−2i/hd):
 *   y[i]        = x[i]·cos − x[i+hd/2]·sin
 *   y[i+hd/2]   = x[i+hd/2]·cos + x[i]·sin
 * x, y: [rows, heads·hd] (q or k projections); positions: u32 [rows] (the token's position in its
 * sequence, so packed or offset sequences work). theta is config.json's rope_theta (10000 in Llama 2,
 * 500000 in Llama 3); rope_scaling variants are not applied here.
 * Backward is the inverse rotation (the same kernel with sin negated): dx = Rᵀ·dy.
 */
import type { Step } from "../device/step.ts";
import { f32, u32 } from "../device/step.ts";
import { assertDims, assertHolds, GRID_BUILTINS, grid1d, LINEAR_INDEX } from "./common.ts";

const WG = 64;

export interface RopeArgs {
  x: GPUBuffer;
  y: GPUBuffer;
  positions: GPUBuffer;
  rows: number;
  heads: number;
  headDim: number;
  theta: number;
}

export function ropeForward(step: Step, args: RopeArgs): void {
  rope(step, args, false);
}

/** dx = Rᵀ·dy: pass dy as `x` and dx as `y`. */
export function ropeBackward(step: Step, args: RopeArgs): void {
  rope(step, args, true);
}

function rope(step: Step, args: RopeArgs, inverse: boolean): void {
  const { rows, heads, headDim } = args;
  assertDims("rope", { rows, heads, headDim });
  if (headDim % 2 !== 0) throw new Error(`rope: head size ${headDim} must be even.`);
  assertHolds("rope", "y", args.y, rows * heads * headDim);
  const pipeline = step.gpu.pipelines.get("rope", () => WGSL);
  const pairs = rows * heads * (headDim / 2);
  step.dispatch(
    pipeline,
    [args.x, args.positions, args.y],
    [u32(rows), u32(heads), u32(headDim), f32(args.theta), f32(inverse ? -1 : 1)],
    grid1d(step, pairs, WG),
  );
}

const WGSL = `
struct Params { rows: u32, heads: u32, head_dim: u32, theta: f32, direction: f32 }
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> positions: array<u32>;
@group(0) @binding(3) var<storage, read_write> y: array<f32>;
@compute @workgroup_size(${WG})
fn main(${GRID_BUILTINS}) {
  let pair = ${LINEAR_INDEX(WG)};
  let half = p.head_dim / 2u;
  if (pair >= p.rows * p.heads * half) { return; }
  let i = pair % half;
  let head = pair / half;
  let row = head / p.heads;
  let base = head * p.head_dim;
  let inv_freq = pow(p.theta, -2.0 * f32(i) / f32(p.head_dim));
  let angle = f32(positions[row]) * inv_freq;
  let c = cos(angle);
  let s = sin(angle) * p.direction;
  let x1 = x[base + i];
  let x2 = x[base + i + half];
  y[base + i] = x1 * c - x2 * s;
  y[base + i + half] = x2 * c + x1 * s;
}`;
