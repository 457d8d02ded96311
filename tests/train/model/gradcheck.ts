import { expect } from "vitest";
import { createRng } from "../../../runtime/train/model/random.ts";

export function randomVec(length: number, seed: number, scale = 1): Float64Array {
  const rng = createRng(seed);
  return Float64Array.from({ length }, () => rng.normal() * scale);
}

export function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += a[i] * b[i];
  return sum;
}

/**
 * Compares `analytic` with central differences of `loss` with respect to `x` (perturbed in place),
 * at every index or at `indices`. Returns the worst relative error.
 */
export function expectGradientMatches(
  loss: () => number,
  x: Float64Array,
  analytic: ArrayLike<number>,
  options: { indices?: number[]; eps?: number; tolerance?: number } = {},
): number {
  const eps = options.eps ?? 1e-5;
  const tolerance = options.tolerance ?? 1e-6;
  const indices = options.indices ?? Array.from(x.keys());
  let worst = 0;
  for (const i of indices) {
    const saved = x[i];
    x[i] = saved + eps;
    const plus = loss();
    x[i] = saved - eps;
    const minus = loss();
    x[i] = saved;
    const numeric = (plus - minus) / (2 * eps);
    const error = Math.abs(numeric - analytic[i]) / Math.max(1e-3, Math.abs(numeric) + Math.abs(analytic[i]));
    worst = Math.max(worst, error);
    if (error > tolerance) {
      expect.fail(`gradient mismatch at index ${i}: analytic ${analytic[i]}, numeric ${numeric}`);
    }
  }
  return worst;
}
