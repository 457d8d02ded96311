import type { TrainableParameter } from "./model.ts";

export interface AdamWOptions {
  beta1?: number;
  beta2?: number;
  eps?: number;
  weightDecay?: number;
}

/**
 * AdamW exactly as torch.optim.AdamW: decoupled decay p ← p·(1 − lr·λ) on parameters marked `decay`
 * (matrices; not norm weights), then p ← p − lr·m̂/(√v̂ + eps) with bias-corrected moments.
 * Defaults are the AgentTuning recipe's: β = (0.9, 0.95), eps 1e-8, weight decay 0.1.
 */
export class AdamW {
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
  readonly weightDecay: number;
  /** Steps taken so far. */
  step = 0;
  private readonly m: Float64Array[];
  private readonly v: Float64Array[];

  constructor(
    readonly parameters: TrainableParameter[],
    options: AdamWOptions = {},
  ) {
    this.beta1 = options.beta1 ?? 0.9;
    this.beta2 = options.beta2 ?? 0.95;
    this.eps = options.eps ?? 1e-8;
    this.weightDecay = options.weightDecay ?? 0.1;
    this.m = parameters.map((p) => new Float64Array(p.value.length));
    this.v = parameters.map((p) => new Float64Array(p.value.length));
  }

  update(lr: number): void {
    this.step++;
    const correction1 = 1 - this.beta1 ** this.step;
    const correction2 = 1 - this.beta2 ** this.step;
    this.parameters.forEach((parameter, index) => {
      const { value, grad } = parameter;
      const m = this.m[index];
      const v = this.v[index];
      const decay = parameter.decay ? 1 - lr * this.weightDecay : 1;
      for (let i = 0; i < value.length; i++) {
        m[i] = this.beta1 * m[i] + (1 - this.beta1) * grad[i];
        v[i] = this.beta2 * v[i] + (1 - this.beta2) * grad[i] * grad[i];
        const denominator = Math.sqrt(v[i]) / Math.sqrt(correction2) + this.eps;
        value[i] = value[i] * decay - (lr / correction1) * (m[i] / denominator);
      }
    });
  }
}

/**
 * Scales all gradients together so their global L2 norm is at most `maxNorm` (as
 * torch.nn.utils.clip_grad_norm_: factor maxNorm / (norm + 1e-6), only when it is below 1).
 * Returns the norm before clipping.
 */
export function clipGradNorm(parameters: TrainableParameter[], maxNorm = 1.0): number {
  let sumSquares = 0;
  for (const { grad } of parameters) for (let i = 0; i < grad.length; i++) sumSquares += grad[i] * grad[i];
  const norm = Math.sqrt(sumSquares);
  const factor = maxNorm / (norm + 1e-6);
  if (factor < 1) for (const { grad } of parameters) for (let i = 0; i < grad.length; i++) grad[i] *= factor;
  return norm;
}

export interface CosineSchedule {
  maxLr: number;
  warmupSteps: number;
  totalSteps: number;
  /** Floor the cosine decays to (default 0, as transformers' cosine schedule). */
  minLr?: number;
}

/**
 * Learning rate for 0-based `step`: linear warmup to maxLr over warmupSteps — (step+1)/warmup, so the
 * first step already moves (llm.c's choice; transformers starts at 0) — then a half cosine to minLr
 * at totalSteps.
 */
export function cosineLr(step: number, schedule: CosineSchedule): number {
  const { maxLr, warmupSteps, totalSteps } = schedule;
  const minLr = schedule.minLr ?? 0;
  if (step < warmupSteps) return (maxLr * (step + 1)) / warmupSteps;
  const progress = Math.min(1, (step - warmupSteps) / Math.max(1, totalSteps - warmupSteps));
  return minLr + 0.5 * (maxLr - minLr) * (1 + Math.cos(Math.PI * progress));
}
