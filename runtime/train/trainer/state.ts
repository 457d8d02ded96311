/**
 * Training checkpoints: a directory holding the model (a full Hugging Face model directory, or a
 * PEFT adapter when LoRA trains), `optimizer.safetensors` (AdamW moments by parameter name) and
 * `trainer_state.json` (step, data position, losses, settings fingerprint). `trainer_state.json` is
 * written last, so a directory that has it is complete.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { GpuLlama } from "../gpu/model.ts";
import { writeJsonAtomic } from "../io/atomic.ts";
import { loadCheckpoint, saveCheckpoint } from "../io/checkpoint.ts";
import { ADAPTER_CONFIG_FILE, loadLoraAdapter, saveLoraAdapter } from "../io/peft.ts";
import { readSafetensors, writeSafetensors } from "../io/safetensors.ts";

export const TRAINER_STATE_FILE = "trainer_state.json";
export const OPTIMIZER_FILE = "optimizer.safetensors";

export interface TrainerState {
  version: 1;
  /** Optimizer steps completed. */
  step: number;
  /** Micro-batches consumed (the data position). */
  dataPosition: number;
  /** AdamW's bias-correction count. */
  optimizerStep: number;
  tokens: number;
  losses: number[];
  /** Settings that must match for a resume to continue the same run. */
  fingerprint: Record<string, number | string>;
}

export async function saveTrainingCheckpoint(
  dir: string,
  model: GpuLlama,
  state: TrainerState,
  modelFiles: Record<string, string | object> | undefined,
): Promise<void> {
  if (model.loraConfig) saveLoraAdapter(dir, await model.exportLora());
  else
    saveCheckpoint(dir, {
      config: model.config,
      weights: await model.exportWeights(),
      extraFiles: modelFiles,
    });
  writeSafetensors(join(dir, OPTIMIZER_FILE), await model.exportOptimizerState());
  writeJsonAtomic(join(dir, TRAINER_STATE_FILE), state);
}

/** Loads a checkpoint's weights (or adapter) and optimizer state into `model`; returns its state. */
export function loadTrainingCheckpoint(dir: string, model: GpuLlama): TrainerState {
  const stateFile = join(dir, TRAINER_STATE_FILE);
  if (!existsSync(stateFile)) {
    throw new Error(
      `${dir}: no ${TRAINER_STATE_FILE}, so this is not a complete training checkpoint; resume from a checkpoint-N directory the trainer wrote.`,
    );
  }
  let state: TrainerState;
  try {
    state = JSON.parse(readFileSync(stateFile, "utf8")) as TrainerState;
  } catch (error) {
    throw new Error(`${stateFile}: not valid JSON (${(error as Error).message}).`);
  }
  if (state.version !== 1)
    throw new Error(`${stateFile}: unsupported trainer state version ${state.version}.`);
  const isAdapter = existsSync(join(dir, ADAPTER_CONFIG_FILE));
  if (isAdapter !== (model.loraConfig !== undefined)) {
    throw new Error(
      isAdapter
        ? `${dir} holds a LoRA adapter; attach a LoRA adapter with the same r, alpha and target modules to the model (GpuLlama.attachLora) before resuming.`
        : `${dir} holds a full model, but the model has a LoRA adapter attached; resume it without attaching one.`,
    );
  }
  if (model.loraConfig) {
    const adapter = loadLoraAdapter(dir, model.config);
    for (const [name, pair] of adapter.pairs) {
      const base = name.replace(/\.weight$/, "");
      model.writeTensor(`${base}.lora_A.weight`, pair.a.data);
      model.writeTensor(`${base}.lora_B.weight`, pair.b.data);
    }
  } else {
    for (const [name, tensor] of loadCheckpoint(dir).weights) model.writeTensor(name, tensor.data);
  }
  model.importOptimizerState(readSafetensors(join(dir, OPTIMIZER_FILE)).tensors, state.optimizerStep);
  return state;
}
