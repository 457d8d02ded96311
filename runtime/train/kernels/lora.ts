/**
 * LoRA linear layer with a frozen base weight:
 *   y = x·Wᵀ + s·(x·Aᵀ)·Bᵀ,   s = alpha / rank
 * x [rows, in], W [out, in] (frozen: never written), A [rank, in], B [out, rank], y [rows, out].
 * The forward keeps h = x·Aᵀ [rows, rank] for the backward. Backward, given dy:
 *   dB += s·dyᵀ·h     dh = s·dy·B     dA += dhᵀ·x     dx = dy·W + dh·A
 * All of it is composed from `matmul`. dA and dB accumulate (clear them once per step).
 */
import type { Step } from "../device/step.ts";
import { assertDims } from "./common.ts";
import { matmul } from "./matmul.ts";

export interface LoraShape {
  rows: number;
  inFeatures: number;
  outFeatures: number;
  rank: number;
  alpha: number;
}

export function loraForward(
  step: Step,
  args: {
    x: GPUBuffer;
    w: GPUBuffer;
    a: GPUBuffer;
    b: GPUBuffer;
    h: GPUBuffer;
    y: GPUBuffer;
    shape: LoraShape;
  },
): void {
  const { rows, inFeatures, outFeatures, rank, alpha } = args.shape;
  assertDims("loraForward", { rows, inFeatures, outFeatures, rank });
  matmul(step, { a: args.x, b: args.a, c: args.h, m: rows, n: rank, k: inFeatures, transB: true });
  matmul(step, { a: args.x, b: args.w, c: args.y, m: rows, n: outFeatures, k: inFeatures, transB: true });
  matmul(step, {
    a: args.h,
    b: args.b,
    c: args.y,
    m: rows,
    n: outFeatures,
    k: rank,
    transB: true,
    alpha: alpha / rank,
    beta: 1,
  });
}

export function loraBackward(
  step: Step,
  args: {
    x: GPUBuffer;
    w: GPUBuffer;
    a: GPUBuffer;
    b: GPUBuffer;
    h: GPUBuffer;
    dy: GPUBuffer;
    /** [rows, rank] scratch. */
    dh: GPUBuffer;
    dA: GPUBuffer;
    dB: GPUBuffer;
    /** Omit for the first layer (no input gradient needed). */
    dx?: GPUBuffer;
    shape: LoraShape;
  },
): void {
  const { rows, inFeatures, outFeatures, rank, alpha } = args.shape;
  assertDims("loraBackward", { rows, inFeatures, outFeatures, rank });
  const s = alpha / rank;
  matmul(step, {
    a: args.dy,
    b: args.h,
    c: args.dB,
    m: outFeatures,
    n: rank,
    k: rows,
    transA: true,
    alpha: s,
    beta: 1,
  });
  matmul(step, { a: args.dy, b: args.b, c: args.dh, m: rows, n: rank, k: outFeatures, alpha: s });
  matmul(step, { a: args.dh, b: args.x, c: args.dA, m: rank, n: inFeatures, k: rows, transA: true, beta: 1 });
  if (args.dx) {
    matmul(step, { a: args.dy, b: args.w, c: args.dx, m: rows, n: inFeatures, k: outFeatures });
    matmul(step, { a: args.dh, b: args.a, c: args.dx, m: rows, n: inFeatures, k: rank, beta: 1 });
  }
}
