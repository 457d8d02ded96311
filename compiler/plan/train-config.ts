/**
 * The resolved configuration of a `train` stage, as the planner writes it. The runtime's train
 * handler is to read exactly this shape (it belongs beside runtime/plan/config.ts once the
 * training core's stage handler lands). docs/plan.md documents every field and its default.
 */
export type TrainMethod =
  | { type: "full" }
  | { type: "lora"; r: number; alpha: number; dropout: number; targets: string[] };

export type OptimizerConfig =
  | { type: "adamw"; lr: number; betas: [number, number]; eps: number; weightDecay: number }
  | { type: "sgd"; lr: number; momentum: number };

export interface ScheduleConfig {
  type: "cosine" | "linear" | "constant";
  /** Warm-up as a share of all steps (0.02) or, when `warmupUnit` is "steps", a number of steps. */
  warmup: number;
  warmupUnit: "share" | "steps";
  /** Floor of the learning rate (cosine only; 0 otherwise). */
  minLr: number;
}

export interface TrainConfig {
  /** The model stage (or train stage, to continue training) whose weights training starts from. */
  base: string;
  /** The dataset, filter or mix stage whose records are trained on. */
  data: string;
  method: TrainMethod;
  optimizer: OptimizerConfig;
  schedule: ScheduleConfig;
  /** Exactly one of epochs and steps is set. */
  epochs?: number;
  steps?: number;
  batch: number;
  gradAccum: number;
  seqLen: number;
  /** Global gradient-norm clip; 0 turns clipping off. */
  gradClip: number;
  /** assistant_only: every assistant turn; loss_flags: turns marked loss: true; all: every token. */
  lossMask: "assistant_only" | "loss_flags" | "all";
  seed: number;
  /** Save a checkpoint every this many optimizer steps (0: only at the end). */
  checkpointEvery: number;
}
