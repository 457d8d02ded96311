// Per-kernel time at the shapes of the built-in `tiny` model (d=128, 4 heads / 2 kv heads of 32,
// MLP 344, vocab 262) on a batch of 8 sequences of 128 tokens (1024 rows). Each kernel is recorded
// R times into one step and submitted once, so the figure is GPU time plus amortised dispatch cost.
// The last row adds up one decoder layer's forward and backward and the LM head, for a rough
// tokens/s of a full training step of the 4-layer model.
import { type Gpu, openGpu, type Step } from "../runtime/train/device/index.ts";
import * as k from "../runtime/train/kernels/index.ts";
import type { BenchRow } from "./bench.ts";

const B = 8;
const T = 128;
const ROWS = B * T;
const D = 128;
const HEADS = 4;
const KV = 2;
const HD = 32;
const MLP = 344;
const VOCAB = 262;
const LAYERS = 4;
const REPS = 8;

interface KernelCase {
  name: string;
  /** How many times one training step (forward + backward, one layer) runs this. */
  perLayer: number;
  /** Runs once per step outside the layers (embedding, head, loss). */
  perStep?: number;
  record: (step: Step) => void;
}

function cases(gpu: Gpu): KernelCase[] {
  const buf = (floats: number) => gpu.buffer(floats * 4);
  // Distinct buffers wherever a kernel reads one and writes another: WebGPU forbids a writable
  // binding aliasing any other binding of the same dispatch.
  const x = buf(ROWS * D);
  const x2 = buf(ROWS * D);
  const y = buf(ROWS * D);
  const w = buf(MLP * D);
  const w2 = buf(MLP * D);
  const q = buf(ROWS * HEADS * HD);
  const kv = buf(ROWS * KV * HD);
  const big = buf(ROWS * Math.max(MLP, VOCAB));
  const big2 = buf(ROWS * Math.max(MLP, VOCAB));
  const big3 = buf(ROWS * Math.max(MLP, VOCAB));
  const big4 = buf(ROWS * Math.max(MLP, VOCAB));
  const big5 = buf(ROWS * Math.max(MLP, VOCAB));
  const stat = buf(ROWS * HEADS);
  const stat2 = buf(ROWS * HEADS);
  const ids = gpu.upload(Uint32Array.from({ length: ROWS }, (_, i) => i % VOCAB));
  const positions = gpu.upload(Uint32Array.from({ length: ROWS }, (_, i) => i % T));
  const mask = gpu.upload(new Uint32Array(ROWS).fill(1));
  const loss = buf(2);
  const shape = { batch: B, seq: T, heads: HEADS, kvHeads: KV, headDim: HD };
  const ce = { logits: big, targets: ids, mask, lse: stat, rowLoss: y, loss, rows: ROWS, vocab: VOCAB };
  return [
    {
      name: `linear x·Wᵀ ${ROWS}×${D}→${MLP}`,
      perLayer: 3 * 7, // 7 projections (q, k, v, o, gate, up, down), forward + two backward matmuls
      record: (s) => k.linearForward(s, { x, w, y: big, rows: ROWS, inFeatures: D, outFeatures: MLP }),
    },
    {
      name: `rmsnorm fwd+bwd ${ROWS}×${D}`,
      perLayer: 2,
      record: (s) => {
        k.rmsnormForward(s, { x, w, y, rstd: stat, rows: ROWS, dim: D, eps: 1e-5 });
        k.rmsnormBackward(s, { x, w, rstd: stat, dy: y, dx: x2, dw: w2, rows: ROWS, dim: D });
      },
    },
    {
      name: `rope fwd+bwd q and k`,
      perLayer: 1,
      record: (s) => {
        const common = { positions, rows: ROWS, headDim: HD, theta: 10000 };
        k.ropeForward(s, { ...common, x: q, y: big, heads: HEADS });
        k.ropeForward(s, { ...common, x: kv, y: big2, heads: KV });
        k.ropeBackward(s, { ...common, x: big, y: q, heads: HEADS });
        k.ropeBackward(s, { ...common, x: big2, y: kv, heads: KV });
      },
    },
    {
      name: `attention fwd B=${B} T=${T} ${HEADS}/${KV} heads hd=${HD}`,
      perLayer: 1,
      record: (s) => k.attentionForward(s, { q, k: kv, v: kv, out: y, lse: stat, shape }),
    },
    {
      name: "attention bwd",
      perLayer: 1,
      record: (s) =>
        k.attentionBackward(s, {
          q,
          k: kv,
          v: kv,
          out: y,
          lse: stat,
          dOut: y,
          dq: big,
          dk: big2,
          dv: big3,
          rowDot: stat2,
          shape,
        }),
    },
    {
      name: `swiglu fwd+bwd ${ROWS}×${MLP}`,
      perLayer: 1,
      record: (s) => {
        const length = ROWS * MLP;
        k.swigluForward(s, { gate: big, up: big2, out: big3, length });
        k.swigluBackward(s, { gate: big, up: big2, dOut: big3, dGate: big4, dUp: big5, length });
      },
    },
    {
      name: `residual add ${ROWS}×${D}`,
      perLayer: 4,
      record: (s) => k.residualAdd(s, { a: x, b: y, out: x2, length: ROWS * D }),
    },
    {
      name: `cross-entropy fwd+bwd ${ROWS}×${VOCAB}`,
      perLayer: 0,
      perStep: 1,
      record: (s) => {
        k.crossEntropyForward(s, ce);
        k.crossEntropyBackward(s, { ...ce, dLogits: big2 });
      },
    },
    {
      name: `lm head x·Wᵀ ${ROWS}×${D}→${VOCAB}`,
      perLayer: 0,
      perStep: 3,
      record: (s) => k.linearForward(s, { x, w, y: big, rows: ROWS, inFeatures: D, outFeatures: VOCAB }),
    },
  ];
}

async function msPerRun(gpu: Gpu, record: (step: Step) => void): Promise<number> {
  const warm = gpu.step();
  record(warm);
  await warm.submit();
  await warm.done();
  const start = performance.now();
  const step = gpu.step();
  for (let i = 0; i < REPS; i++) record(step);
  await step.submit();
  await step.done();
  return (performance.now() - start) / REPS;
}

export async function run(): Promise<BenchRow[]> {
  const gpu = await openGpu({ debug: process.env.ATUNE_GPU_DEBUG === "1" });
  const rows: BenchRow[] = [];
  let stepMs = 0;
  try {
    for (const c of cases(gpu)) {
      const ms = await msPerRun(gpu, c.record);
      stepMs += ms * (c.perLayer * LAYERS + (c.perStep ?? 0));
      rows.push({ name: c.name, value: ms, unit: "ms", note: gpu.adapterInfo.name });
    }
    rows.push({
      name: `tiny model step estimate (${LAYERS} layers, ${ROWS} tokens)`,
      value: (ROWS / stepMs) * 1000,
      unit: "tokens/s",
      note: `sum of the kernels above × uses per step: ${stepMs.toFixed(0)} ms; no optimizer, no embedding`,
    });
  } finally {
    gpu.destroy();
  }
  return rows;
}
