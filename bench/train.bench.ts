// Training-step throughput of the GPU model (the `tiny` preset, batch 8, T = 128) against the
// TensorFlow.js WebGPU baseline (bench/baselines/tfjs-llama.ts: the same model, its autograd, Adam
// with decoupled decay and clipping) on the same Dawn adapter, one after the other in this process,
// on the same weights and batches. Also: the pooled GPU memory the training step holds, and batched
// KV-cache generation throughput.
//
// atune's timing includes its per-step read-back of the loss and gradient norm (the loop needs
// them); TF.js queues its steps and reads the last loss once, which favours the baseline.
import { openGpu } from "../runtime/train/device/index.ts";
import { generateIds } from "../runtime/train/generate/generate.ts";
import { GpuLlama } from "../runtime/train/gpu/model.ts";
import { initWeights } from "../runtime/train/model/params.ts";
import { presetConfig } from "../runtime/train/model/presets.ts";
import { randomBatches, tfjsTrainingThroughput } from "./baselines/tfjs-llama.ts";
import type { BenchRow } from "./bench.ts";

const BATCH = 8;
const SEQ = 128;
const WARMUP = 2;
const STEPS = 4;
const GEN_ROWS = 8;
const GEN_NEW = 32;

export async function run(): Promise<BenchRow[]> {
  const config = presetConfig("tiny");
  const weights = initWeights(config, 1);
  const batches = randomBatches(config.vocabSize, BATCH, SEQ, 1);
  const settings = { lr: 1e-3, maxGradNorm: 1.0 };

  const gpu = await openGpu();
  let atuneTokensPerSecond: number;
  let peakBytes: number;
  let weightBytes: number;
  let generationTokensPerSecond: number;
  let adapter: string;
  try {
    adapter = gpu.adapterInfo.name;
    const before = gpu.pool.allocatedBytes;
    const model = new GpuLlama(gpu, config, weights);
    weightBytes = gpu.pool.allocatedBytes - before;
    for (let i = 0; i < WARMUP; i++) await model.trainStep(batches[i % batches.length], settings);
    const start = performance.now();
    for (let i = 0; i < STEPS; i++) await model.trainStep(batches[(WARMUP + i) % batches.length], settings);
    atuneTokensPerSecond = (STEPS * BATCH * SEQ) / ((performance.now() - start) / 1000);
    // The pool never frees, so what it holds after the steps is the peak of the training step.
    peakBytes = gpu.pool.allocatedBytes - before;

    const prompts = Array.from({ length: GEN_ROWS }, (_, r) =>
      Array.from({ length: 8 + 2 * r }, (_, t) => (r * 31 + t * 7) % 256),
    );
    await generateIds(model, prompts, { maxNewTokens: 2 });
    const genStart = performance.now();
    const generations = await generateIds(model, prompts, { maxNewTokens: GEN_NEW });
    const generated = generations.reduce((n, g) => n + g.ids.length, 0);
    generationTokensPerSecond = generated / ((performance.now() - genStart) / 1000);
    model.release();
  } finally {
    gpu.destroy();
  }

  const baseline = await tfjsTrainingThroughput(config, weights, {
    batch: BATCH,
    seqLen: SEQ,
    steps: STEPS,
    warmup: WARMUP,
    batches,
    ...settings,
  });

  const shape = `tiny (0.76M), batch ${BATCH}, T=${SEQ}`;
  return [
    {
      name: `train step tokens/s, ${shape} (atune WGSL)`,
      value: atuneTokensPerSecond,
      unit: "tokens/s",
      baseline: { name: "TF.js WebGPU autograd", value: baseline.tokensPerSecond },
      note: `${adapter}; ${STEPS} timed steps after ${WARMUP} warm-up`,
    },
    {
      name: `GPU memory per train step, ${shape}`,
      value: peakBytes / 2 ** 20,
      unit: "MiB",
      note: `buffer-pool bytes: weights ${(weightBytes / 2 ** 20).toFixed(1)} MiB + grads, AdamW moments, activations`,
    },
    {
      name: `generation tokens/s, tiny, ${GEN_ROWS} prompts batched, KV cache, greedy`,
      value: generationTokensPerSecond,
      unit: "tokens/s",
      note: `${GEN_NEW} new tokens per prompt, prompts of 8–${8 + 2 * (GEN_ROWS - 1)} tokens`,
    },
  ];
}
