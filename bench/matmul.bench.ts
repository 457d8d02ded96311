// Matmul GFLOP/s: atune's WGSL kernels against TensorFlow.js's WebGPU backend (the baseline), both on
// the same Dawn adapter in the same process, one after the other.
//
// Fair timing for both: a batch of R multiplies recorded back to back (one submit for atune; TF.js
// batches its own submits), then one readback of the last result, all inside the timed region, so
// per-call overhead and the readback are amortised the same way. Best of three batches.
//
// TF.js finds WebGPU through `navigator.gpu` when its backend module is first imported, so the bench
// sets `globalThis.navigator.gpu` to a Dawn instance for the same adapter before importing it.
import { dawnInstance, type Gpu, openGpu } from "../runtime/train/device/index.ts";
import { matmul, pickMatmulVariant } from "../runtime/train/kernels/matmul.ts";
import type { BenchRow } from "./bench.ts";

interface Case {
  label: string;
  m: number;
  n: number;
  k: number;
  transA?: boolean;
  transB?: boolean;
}

const CASES: Case[] = [
  { label: "256³", m: 256, n: 256, k: 256 },
  { label: "512³", m: 512, n: 512, k: 512 },
  { label: "1024³", m: 1024, n: 1024, k: 1024 },
  { label: "333×251, k=517 (odd)", m: 333, n: 251, k: 517 },
  { label: "1024³ x·Wᵀ (NT)", m: 1024, n: 1024, k: 1024, transB: true },
  { label: "1024³ Aᵀ·B (TN)", m: 1024, n: 1024, k: 1024, transA: true },
];

/** Enough multiplies per batch for about 2 GFLOP of work, at least 2. */
const repsFor = (c: Case) => Math.max(2, Math.ceil(2e9 / (2 * c.m * c.n * c.k)));
const gflops = (c: Case, reps: number, ms: number) => (2 * c.m * c.n * c.k * reps) / (ms * 1e6);

function randomData(length: number): Float32Array {
  return Float32Array.from({ length }, (_, i) => ((i * 7919) % 1000) / 1000 - 0.5);
}

async function bestOf(times: number, fn: () => Promise<void>): Promise<number> {
  await fn(); // warm-up: pipeline compilation, allocations
  let best = Infinity;
  for (let i = 0; i < times; i++) {
    const start = performance.now();
    await fn();
    best = Math.min(best, performance.now() - start);
  }
  return best;
}

async function timeAtune(gpu: Gpu, c: Case, reps: number): Promise<number> {
  const a = gpu.upload(randomData(c.m * c.k));
  const b = gpu.upload(randomData(c.k * c.n));
  const out = gpu.buffer(c.m * c.n * 4);
  const ms = await bestOf(3, async () => {
    const step = gpu.step();
    for (let i = 0; i < reps; i++) {
      matmul(step, { a, b, c: out, m: c.m, n: c.n, k: c.k, transA: c.transA, transB: c.transB });
    }
    await step.submit();
    await gpu.download(out, c.m * c.n);
  });
  for (const buffer of [a, b, out]) gpu.release(buffer);
  return ms;
}

type Tf = typeof import("@tensorflow/tfjs");

async function timeTf(tf: Tf, c: Case, reps: number): Promise<number> {
  const a = tf.tensor2d(randomData(c.m * c.k), c.transA ? [c.k, c.m] : [c.m, c.k]);
  const b = tf.tensor2d(randomData(c.k * c.n), c.transB ? [c.n, c.k] : [c.k, c.n]);
  const ms = await bestOf(3, async () => {
    const results = [];
    for (let i = 0; i < reps; i++) results.push(tf.matMul(a, b, c.transA, c.transB));
    await results[results.length - 1].data();
    for (const r of results) r.dispose();
  });
  a.dispose();
  b.dispose();
  return ms;
}

/** Loads TF.js with its WebGPU backend on the Dawn adapter named `adapterName`. */
async function loadTfWebGpu(adapterName: string): Promise<{ tf: Tf; release: () => void }> {
  const gpuForTf = dawnInstance([`adapter=${adapterName}`]);
  const hadNavigator = "navigator" in globalThis;
  const previous = (globalThis as { navigator?: object }).navigator;
  Object.defineProperty(globalThis, "navigator", {
    value: { ...(previous ?? {}), gpu: gpuForTf },
    configurable: true,
    writable: true,
  });
  const tf = await import("@tensorflow/tfjs");
  await import("@tensorflow/tfjs-backend-webgpu");
  if (!(await tf.setBackend("webgpu"))) throw new Error("TensorFlow.js could not start its WebGPU backend.");
  await tf.ready();
  return {
    tf,
    release: () => {
      tf.engine().reset();
      if (hadNavigator)
        Object.defineProperty(globalThis, "navigator", { value: previous, configurable: true });
      else delete (globalThis as { navigator?: object }).navigator;
    },
  };
}

export async function run(): Promise<BenchRow[]> {
  const gpu = await openGpu({ debug: false });
  const { tf, release } = await loadTfWebGpu(gpu.adapterInfo.name);
  const rows: BenchRow[] = [];
  try {
    for (const c of CASES) {
      const reps = repsFor(c);
      const ours = gflops(c, reps, await timeAtune(gpu, c, reps));
      const theirs = gflops(c, reps, await timeTf(tf, c, reps));
      rows.push({
        name: `matmul ${c.label} (atune WGSL)`,
        value: ours,
        unit: "GFLOP/s",
        baseline: { name: "TF.js webgpu", value: theirs },
        note: `${pickMatmulVariant(c.m, c.n, c.k, c.transA, c.transB)}, ${reps}/batch, ${gpu.adapterInfo.name}`,
      });
      console.error(`  ${c.label}: atune ${ours.toFixed(2)}, TF.js ${theirs.toFixed(2)} GFLOP/s`);
    }
  } finally {
    release();
    gpu.destroy();
  }
  return rows;
}
