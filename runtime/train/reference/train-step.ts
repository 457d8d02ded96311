import type { Batch } from "../model/batch.ts";
import type { ReferenceLlama } from "./model.ts";
import { type AdamW, clipGradNorm } from "./optim.ts";

export interface StepResult {
  loss: number;
  /** Global gradient norm before clipping. */
  gradNorm: number;
}

/** One training step as the GPU loop runs it: forward, backward, clip to `maxGradNorm`, AdamW at `lr`. */
export function trainStep(
  model: ReferenceLlama,
  optimizer: AdamW,
  batch: Batch,
  lr: number,
  maxGradNorm = 1.0,
): StepResult {
  const { loss } = model.forward(batch);
  model.backward();
  const gradNorm = clipGradNorm(optimizer.parameters, maxGradNorm);
  optimizer.update(lr);
  return { loss, gradNorm };
}
