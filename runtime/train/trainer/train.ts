/**
 * The training loop: records → encoded examples → length-bucketed batches in a seeded order →
 * optimizer steps on the GPU model (gradient accumulation, cosine schedule with warmup, AdamW, clip)
 * → checkpoints every N steps that resume exactly. A NaN/Inf loss or gradient norm stops the run
 * with the step and the tensor named; the update of that step was skipped on the device, and the
 * last checkpoint written stays the last good one.
 */
import { join } from "node:path";
import type { Progress } from "../../executor/progress.ts";
import type { GpuLlama } from "../gpu/model.ts";
import { cosineLr } from "../reference/optim.ts";
import type { ConversationRecord } from "../tokenizer/loss-mask.ts";
import {
  batchAt,
  type EncodingOptions,
  encodeRecords,
  packExamples,
  planBatches,
  stepBatches,
} from "./data.ts";
import { loadTrainingCheckpoint, saveTrainingCheckpoint, type TrainerState } from "./state.ts";

export interface TrainOptions extends EncodingOptions {
  batchSize: number;
  /** Micro-batches per optimizer step (default 1). */
  gradientAccumulation?: number;
  /** Passes over the data (default 1); `maxSteps` wins when given. */
  epochs?: number;
  maxSteps?: number;
  lr: number;
  /** Share of the steps spent warming up linearly (default 0.02, the AgentTuning recipe). */
  warmupFraction?: number;
  minLr?: number;
  beta1?: number;
  beta2?: number;
  eps?: number;
  weightDecay?: number;
  maxGradNorm?: number;
  /** Lay short examples end to end into full rows (see packExamples); default false. */
  pack?: boolean;
  /** Seeds the data order (default 0). */
  seed?: number;
  /** Where checkpoint-N directories go; none are written without it. */
  outputDir?: string;
  /** Write a checkpoint every N steps (and always after the last step when outputDir is set). */
  checkpointEvery?: number;
  /** Files added to full-model checkpoints (tokenizer.json, tokenizer_config.json, …). */
  modelFiles?: Record<string, string | object>;
  /** A checkpoint-N directory of an earlier run with the same data and settings. */
  resumeFrom?: string;
  progress?: Progress;
  /** Called after each step (and its checkpoint); awaited. */
  onStep?: (info: StepInfo) => void | Promise<void>;
}

export interface StepInfo {
  /** 1-based optimizer step. */
  step: number;
  totalSteps: number;
  loss: number;
  gradNorm: number;
  lr: number;
  tokensPerSecond: number;
  etaSeconds: number;
}

export interface TrainSummary {
  steps: number;
  /** Non-padding input tokens processed in this run (resumed runs count from the checkpoint). */
  tokens: number;
  finalLoss: number;
  /** Loss of every optimizer step from step 1 (including steps before a resume). */
  losses: number[];
  seconds: number;
  checkpoints: string[];
  examples: number;
  /** Records skipped because no trained token fell within maxSeqLen. */
  skippedRecords: string[];
  truncatedRecords: number;
}

/** Training stopped because a loss or gradient was NaN/Inf. */
export class TrainingDivergedError extends Error {
  override name = "TrainingDivergedError";
  constructor(
    readonly step: number,
    readonly tensor: string,
    readonly lastCheckpoint: string | undefined,
    detail: string,
    updateSkipped: boolean,
  ) {
    super(
      `Training diverged at step ${step}: ${detail} (first non-finite tensor: '${tensor}'). ` +
        (updateSkipped
          ? "The update of that step was not applied. "
          : "The gradient norm was finite, so that step's update was applied. ") +
        (lastCheckpoint
          ? `The last good checkpoint is ${lastCheckpoint}. `
          : "No checkpoint was written yet. ") +
        "Lower the learning rate, keep gradient clipping on, or check the data and the starting weights.",
    );
  }
}

export async function train(
  model: GpuLlama,
  records: readonly ConversationRecord[],
  options: TrainOptions,
): Promise<TrainSummary> {
  const began = performance.now();
  const accumulation = options.gradientAccumulation ?? 1;
  const seed = options.seed ?? 0;
  if (!(Number.isInteger(accumulation) && accumulation > 0)) {
    throw new Error(`gradientAccumulation must be a positive integer, got ${accumulation}.`);
  }
  if (options.maxSeqLen > model.config.maxPositionEmbeddings) {
    throw new Error(
      `maxSeqLen ${options.maxSeqLen} exceeds the model's context (max_position_embeddings ${model.config.maxPositionEmbeddings}); lower it.`,
    );
  }
  const encoded = encodeRecords(records, options);
  const data = options.pack
    ? { ...encoded, examples: packExamples(encoded.examples, options.maxSeqLen, seed) }
    : encoded;
  if (data.examples.length === 0) {
    throw new Error(
      `None of the ${records.length} records has a trained token within maxSeqLen ${options.maxSeqLen} (loss mode '${options.lossMode}'); check the records' gpt turns and loss flags, or raise maxSeqLen.`,
    );
  }
  const plans = planBatches(data.examples, options.batchSize, options.maxSeqLen);
  const totalSteps = options.maxSteps ?? Math.ceil(((options.epochs ?? 1) * plans.length) / accumulation);
  if (!(Number.isInteger(totalSteps) && totalSteps > 0)) {
    throw new Error(`The run has ${totalSteps} steps; set epochs or maxSteps to a positive number.`);
  }
  const schedule = {
    maxLr: options.lr,
    warmupSteps: Math.ceil((options.warmupFraction ?? 0.02) * totalSteps),
    totalSteps,
    minLr: options.minLr ?? 0,
  };
  const padId = padIdFor(options, model.config.vocabSize);
  const fingerprint = {
    seed,
    batchSize: options.batchSize,
    gradientAccumulation: accumulation,
    maxSeqLen: options.maxSeqLen,
    examples: data.examples.length,
    ...(options.pack ? { packed: 1 } : {}),
    batches: plans.length,
    totalSteps,
    lr: options.lr,
  };

  let state: TrainerState = {
    version: 1,
    step: 0,
    dataPosition: 0,
    optimizerStep: 0,
    tokens: 0,
    losses: [],
    fingerprint,
  };
  model.trainable();
  let lastCheckpoint: string | undefined;
  if (options.resumeFrom) {
    state = loadTrainingCheckpoint(options.resumeFrom, model);
    checkFingerprint(options.resumeFrom, state.fingerprint, fingerprint);
    lastCheckpoint = options.resumeFrom;
  }
  const startStep = state.step;
  const startTokens = state.tokens;
  const checkpoints: string[] = [];
  options.progress?.start(totalSteps - startStep, "steps");
  const loopStart = performance.now();

  for (let step = startStep; step < totalSteps; step++) {
    const planned = Array.from({ length: accumulation }, (_, i) =>
      batchAt(plans, seed, state.dataPosition + i),
    );
    const batches = stepBatches(data.examples, planned, padId);
    const lr = cosineLr(step, schedule);
    const result = await model.trainStep(batches, {
      lr,
      beta1: options.beta1,
      beta2: options.beta2,
      eps: options.eps,
      weightDecay: options.weightDecay,
      maxGradNorm: options.maxGradNorm ?? 1.0,
    });
    if (!result.finite) {
      const bad = await model.nonFiniteTensors();
      const tensor = bad.weights[0] ?? bad.gradients[0] ?? "loss";
      const what = bad.weights.length > 0 ? "weight" : bad.gradients.length > 0 ? "gradient of" : "";
      const detail = `loss ${result.loss}, gradient norm ${result.gradNorm}${what ? `; ${what} '${tensor}' holds NaN/Inf` : ""}`;
      options.progress?.finish(`stopped: non-finite at step ${step + 1}`);
      throw new TrainingDivergedError(
        step + 1,
        tensor,
        lastCheckpoint,
        detail,
        !Number.isFinite(result.gradNorm),
      );
    }
    state.step = step + 1;
    state.dataPosition += accumulation;
    state.optimizerStep = model.optimizerStep;
    state.tokens += planned.reduce(
      (sum, plan) => sum + plan.examples.reduce((n, i) => n + data.examples[i].length, 0),
      0,
    );
    state.losses.push(result.loss);

    const every = options.checkpointEvery ?? 0;
    if (options.outputDir && ((every > 0 && state.step % every === 0) || state.step === totalSteps)) {
      const dir = join(options.outputDir, `checkpoint-${state.step}`);
      await saveTrainingCheckpoint(dir, model, state, options.modelFiles);
      checkpoints.push(dir);
      lastCheckpoint = dir;
    }
    const seconds = (performance.now() - loopStart) / 1000;
    const tokensPerSecond = (state.tokens - startTokens) / seconds;
    const etaSeconds = (seconds / (state.step - startStep)) * (totalSteps - state.step);
    options.progress?.advance(1, `loss ${result.loss.toFixed(4)} · ${Math.round(tokensPerSecond)} tok/s`);
    await options.onStep?.({
      step: state.step,
      totalSteps,
      loss: result.loss,
      gradNorm: result.gradNorm,
      lr,
      tokensPerSecond,
      etaSeconds,
    });
  }
  const summary: TrainSummary = {
    steps: state.step,
    tokens: state.tokens - startTokens,
    finalLoss: state.losses[state.losses.length - 1] ?? Number.NaN,
    losses: state.losses,
    seconds: (performance.now() - began) / 1000,
    checkpoints,
    examples: encoded.examples.length,
    skippedRecords: data.withoutTrainedTokens,
    truncatedRecords: data.truncated,
  };
  options.progress?.finish(`${summary.steps} steps, final loss ${summary.finalLoss.toFixed(4)}`);
  return summary;
}

function padIdFor(options: EncodingOptions, vocabSize: number): number {
  const candidate = options.tokenizer.padId ?? options.tokenizer.eosId ?? 0;
  return candidate < vocabSize ? candidate : 0;
}

function checkFingerprint(
  dir: string,
  saved: Record<string, number | string>,
  current: Record<string, number | string>,
): void {
  const differences = Object.keys(current).filter((key) => saved[key] !== current[key]);
  if (differences.length > 0) {
    const list = differences.map((key) => `${key} ${saved[key]} → ${current[key]}`).join(", ");
    throw new Error(
      `${dir}: cannot resume exactly — the data or settings differ from the checkpoint's run (${list}). Use the same records and settings, or start a new run.`,
    );
  }
}
