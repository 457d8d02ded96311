import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { StageHandler } from "../executor/executor.ts";
import type { TrainStageConfig } from "../plan/config.ts";
import { loadGpuModel } from "../train/gpu/checkpoint.ts";
import type { GpuLlama } from "../train/gpu/model.ts";
import { saveCheckpoint } from "../train/io/checkpoint.ts";
import { saveLoraAdapter } from "../train/io/peft.ts";
import { initLoraAdapter, isProjectionName, mergeLoraAdapter } from "../train/model/lora.ts";
import { ChatTemplate } from "../train/tokenizer/chat-template.ts";
import { train } from "../train/trainer/train.ts";
import { runGpu } from "./gpu.ts";
import { MODEL_DIR, modelDirOf } from "./model-stage.ts";
import { readRecords } from "./records.ts";

const TOKENIZER_FILES = [
  "tokenizer.json",
  "tokenizer_config.json",
  "special_tokens_map.json",
  "generation_config.json",
];

/**
 * Fine-tunes the base model on the data stage's records with the training core. Checkpoints go to
 * checkpoints/ inside the stage's directory, so a run killed mid-training resumes from the last one.
 * The result is a complete Hugging Face directory in model/ (LoRA merged in), plus the PEFT adapter
 * in adapter/ for LoRA runs.
 */
export const trainStage: StageHandler = {
  async run({ stage, dir, inputs, progress }) {
    const config = stage.config as unknown as TrainStageConfig;
    const baseDir = modelDirOf(inputs[config.base]);
    const records = readRecords(inputs[config.data].dir);
    const gpu = await runGpu();
    const { model, tokenizer } = loadGpuModel(gpu, baseDir);
    try {
      if (!tokenizer)
        throw new Error(`${baseDir} has no tokenizer.json; the base model needs its tokenizer to train`);
      if (!tokenizer.chatTemplate) {
        throw new Error(
          `${baseDir}/tokenizer_config.json has no chat_template; training on conversations needs one`,
        );
      }
      if (!tokenizer.eosToken)
        throw new Error(`${baseDir}: the tokenizer has no eos token to end each turn with`);
      if (config.method.type === "lora") attachLora(model, config, baseDir);

      const checkpoints = join(dir, "checkpoints");
      const summary = await train(model, records, {
        tokenizer,
        template: new ChatTemplate(tokenizer.chatTemplate, `${baseDir}/tokenizer_config.json`),
        endOfTurn: tokenizer.eosToken,
        lossMode: config.lossMask,
        maxSeqLen: config.seqLen,
        pack: config.pack,
        batchSize: config.batch,
        gradientAccumulation: config.gradAccum,
        epochs: config.epochs,
        maxSteps: config.steps,
        lr: config.optimizer.lr,
        warmupFraction: config.warmup,
        beta1: config.optimizer.betas[0],
        beta2: config.optimizer.betas[1],
        eps: config.optimizer.eps,
        weightDecay: config.optimizer.weightDecay,
        maxGradNorm: config.gradClip,
        seed: config.seed,
        outputDir: checkpoints,
        checkpointEvery: config.checkpointEvery > 0 ? config.checkpointEvery : undefined,
        resumeFrom: latestCheckpoint(checkpoints),
        progress,
      });

      const extraFiles = Object.fromEntries(
        TOKENIZER_FILES.filter((f) => existsSync(join(baseDir, f))).map((f) => [
          f,
          readFileSync(join(baseDir, f), "utf8"),
        ]),
      );
      let weights = await model.exportWeights();
      if (config.method.type === "lora") {
        const adapter = await model.exportLora();
        saveLoraAdapter(join(dir, "adapter"), adapter);
        weights = mergeLoraAdapter(weights, adapter);
      }
      saveCheckpoint(join(dir, MODEL_DIR), { config: model.config, weights, extraFiles });
      return {
        steps: summary.steps,
        tokens: summary.tokens,
        examples: summary.examples,
        finalLoss: summary.finalLoss,
        losses: summary.losses,
        seconds: summary.seconds,
        truncatedRecords: summary.truncatedRecords,
        skippedRecords: summary.skippedRecords.length,
      };
    } finally {
      model.release();
    }
  },
};

function attachLora(model: GpuLlama, config: TrainStageConfig, baseDir: string): void {
  if (config.method.type !== "lora") return;
  const bad = config.method.targets.filter((t) => !isProjectionName(t));
  if (bad.length > 0) {
    throw new Error(
      `LoRA targets ${bad.join(", ")} are not projections; use q_proj, k_proj, v_proj, o_proj, gate_proj, up_proj, down_proj`,
    );
  }
  const { r, alpha, dropout, targets } = config.method;
  model.attachLora(
    initLoraAdapter(
      model.config,
      { r, alpha, dropout, targetModules: targets.filter(isProjectionName), baseModel: baseDir },
      config.seed,
    ),
  );
}

/** The newest checkpoint-N directory, if an interrupted run left one. */
function latestCheckpoint(dir: string): string | undefined {
  if (!existsSync(dir)) return undefined;
  const steps = readdirSync(dir)
    .map((name) => /^checkpoint-(\d+)$/.exec(name))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => Number(m[1]))
    .sort((a, b) => b - a);
  return steps.length > 0 ? join(dir, `checkpoint-${steps[0]}`) : undefined;
}
