// Shared pieces of the GPU model tests: one device per file, a micro config, error measures.
import { afterAll, beforeAll } from "vitest";
import { type Gpu, openGpu } from "../../../runtime/train/device/index.ts";
import type { PackedBatch } from "../../../runtime/train/model/batch.ts";
import type { LlamaConfig } from "../../../runtime/train/model/config.ts";
import { createRng } from "../../../runtime/train/model/random.ts";

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

/** d=32, 2 layers, 4 heads / 2 kv heads (head size 8), MLP 48, vocab 64. */
export function microConfig(overrides: Partial<LlamaConfig> = {}): LlamaConfig {
  return {
    modelType: "llama",
    vocabSize: 64,
    hiddenSize: 32,
    intermediateSize: 48,
    numLayers: 2,
    numHeads: 4,
    numKvHeads: 2,
    headDim: 8,
    ropeTheta: 10000,
    rmsNormEps: 1e-5,
    tieWordEmbeddings: false,
    maxPositionEmbeddings: 64,
    ...overrides,
  };
}

/** A random batch with about 70% of the targets trained. */
export function randomBatch(
  config: LlamaConfig,
  batchSize: number,
  seqLen: number,
  seed: number,
): PackedBatch {
  const rng = createRng(seed);
  const rows = batchSize * seqLen;
  const id = () => Math.floor(rng.uniform() * config.vocabSize);
  return {
    inputs: Int32Array.from({ length: rows }, id),
    targets: Int32Array.from({ length: rows }, id),
    mask: Uint8Array.from({ length: rows }, () => (rng.uniform() < 0.7 ? 1 : 0)),
    batchSize,
    seqLen,
  };
}

/** Largest |got − want| relative to max |want| (a norm-relative measure; near-zero entries are fine). */
export function relError(got: ArrayLike<number>, want: ArrayLike<number>): number {
  if (got.length !== want.length) throw new Error(`length ${got.length} vs ${want.length}`);
  let scale = 0;
  let worst = 0;
  for (let i = 0; i < want.length; i++) scale = Math.max(scale, Math.abs(want[i]));
  for (let i = 0; i < want.length; i++) {
    const diff = Math.abs(got[i] - want[i]);
    worst = Number.isNaN(diff) ? Number.POSITIVE_INFINITY : Math.max(worst, diff);
  }
  return worst / (scale + 1e-30);
}
