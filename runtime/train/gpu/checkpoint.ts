/**
 * Model directories ↔ the GPU model: `loadGpuModel(gpu, dir)` reads a Hugging Face directory
 * (config.json, safetensors single or sharded, tokenizer.json / tokenizer_config.json when present)
 * onto the device; `saveGpuModel(model, dir)` writes one back through part B's checkpoint writer.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import type { Gpu } from "../device/gpu.ts";
import { loadCheckpoint, saveCheckpoint } from "../io/checkpoint.ts";
import type { StoredDtype } from "../io/safetensors.ts";
import { type HfTokenizer, loadHfTokenizer } from "../tokenizer/hf.ts";
import { GpuLlama } from "./model.ts";

export interface LoadedModel {
  model: GpuLlama;
  /** The directory's tokenizer, when it has a tokenizer.json. */
  tokenizer: HfTokenizer | undefined;
}

export function loadGpuModel(gpu: Gpu, dir: string): LoadedModel {
  const { config, weights } = loadCheckpoint(dir);
  const tokenizer = existsSync(join(dir, "tokenizer.json")) ? loadHfTokenizer(dir) : undefined;
  if (tokenizer && tokenizer.vocabSize > config.vocabSize) {
    throw new Error(
      `${dir}: tokenizer.json has ${tokenizer.vocabSize} ids but config.json's vocab_size is ${config.vocabSize}; the tokenizer does not belong to this model.`,
    );
  }
  return { model: new GpuLlama(gpu, config, weights), tokenizer };
}

export interface SaveGpuModelOptions {
  dtype?: StoredDtype;
  maxShardBytes?: number;
  /** Files copied in verbatim (tokenizer.json, tokenizer_config.json, …); objects become JSON. */
  extraFiles?: Record<string, string | object>;
}

/** Writes the model's current base weights (not a LoRA adapter: use saveLoraAdapter) to `dir`. */
export async function saveGpuModel(
  model: GpuLlama,
  dir: string,
  options: SaveGpuModelOptions = {},
): Promise<void> {
  saveCheckpoint(dir, { config: model.config, weights: await model.exportWeights(), ...options });
}
