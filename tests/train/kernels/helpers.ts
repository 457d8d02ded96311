// Shared test helpers for the GPU kernels: one device per test file, seeded data, error measures.
import { afterAll, beforeAll } from "vitest";
import { type Gpu, openGpu, type Step } from "../../../runtime/train/device/index.ts";

/** Opens the device before the file's tests and destroys it after; a missing adapter fails the file. */
export function useGpu(): () => Gpu {
  let gpu: Gpu | undefined;
  beforeAll(async () => {
    gpu = await openGpu({ debug: true });
  });
  afterAll(() => gpu?.destroy());
  return () => {
    if (!gpu) throw new Error("useGpu(): the device is not open (beforeAll failed).");
    return gpu;
  };
}

/** A small deterministic generator (mulberry32), so failures reproduce from a seed. */
export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function randomArray(length: number, seed: number, scale = 1): Float32Array {
  const next = rng(seed);
  return Float32Array.from({ length }, () => (next() * 2 - 1) * scale);
}

/**
 * Largest error relative to the reference's scale: |got − want| / (max|want| + tiny). A norm-relative
 * measure, because elementwise relative error is meaningless where the true value is near 0.
 */
export function relError(got: ArrayLike<number>, want: ArrayLike<number>): number {
  if (got.length !== want.length) throw new Error(`length ${got.length} vs ${want.length}`);
  let scale = 0;
  for (let i = 0; i < want.length; i++) scale = Math.max(scale, Math.abs(want[i]));
  let worst = 0;
  for (let i = 0; i < want.length; i++) {
    const diff = Math.abs(got[i] - want[i]);
    if (!(diff <= worst)) worst = Number.isNaN(diff) ? Infinity : diff;
  }
  return worst / (scale + 1e-30);
}

/**
 * Central finite differences of a scalar function f over `x` (f64), probing `probes` coordinates
 * (all when undefined). Returns [index, derivative] pairs.
 */
export function finiteDifferences(
  f: (x: Float64Array) => number,
  x: ArrayLike<number>,
  probes?: number[],
  h = 1e-6,
): Array<[number, number]> {
  const point = Float64Array.from(x);
  const indexes = probes ?? [...point.keys()];
  return indexes.map((i) => {
    const saved = point[i];
    point[i] = saved + h;
    const up = f(point);
    point[i] = saved - h;
    const down = f(point);
    point[i] = saved;
    return [i, (up - down) / (2 * h)];
  });
}

/** Σ w·y: turns a vector output into a scalar so its gradient w.r.t. inputs is the backward of w. */
export function dot(w: ArrayLike<number>, y: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < y.length; i++) s += w[i] * y[i];
  return s;
}

type HostArray = Float32Array | Uint32Array | Int32Array;

/**
 * Uploads `inputs`, allocates zeroed `outputs` (name → element count, or initial contents), records
 * kernels with `record`, submits, and downloads every output. Buffers go back to the pool after.
 */
export async function runKernels<I extends string, O extends string>(
  g: Gpu,
  inputs: Record<I, HostArray>,
  outputs: Record<O, number | Float32Array>,
  record: (step: Step, buffers: Record<I | O, GPUBuffer>) => void,
): Promise<Record<O, Float32Array>> {
  const buffers = {} as Record<I | O, GPUBuffer>;
  for (const name of Object.keys(inputs) as I[]) buffers[name] = g.upload(inputs[name], name);
  for (const name of Object.keys(outputs) as O[]) {
    const init = outputs[name];
    buffers[name] = g.upload(typeof init === "number" ? new Float32Array(init) : init, name);
  }
  const step = g.step();
  record(step, buffers);
  await step.submit();
  const result = {} as Record<O, Float32Array>;
  for (const name of Object.keys(outputs) as O[]) {
    const init = outputs[name];
    result[name] = await g.download(buffers[name], typeof init === "number" ? init : init.length);
  }
  for (const buffer of Object.values<GPUBuffer>(buffers)) g.release(buffer);
  return result;
}
