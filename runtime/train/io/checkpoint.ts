import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { type LlamaConfig, llamaConfigToJson, readLlamaConfig } from "../model/config.ts";
import { checkWeights, type Weights } from "../model/params.ts";
import { writeFileAtomic, writeJsonAtomic } from "./atomic.ts";
import { ModelFileError } from "./errors.ts";
import { readSafetensorsDir, type StoredDtype, writeSafetensorsDir } from "./safetensors.ts";

export interface SaveCheckpointOptions {
  config: LlamaConfig;
  weights: Weights;
  dtype?: StoredDtype;
  /** Split the weights into shards of at most this many bytes (HF's sharded layout). */
  maxShardBytes?: number;
  /** Written as generation_config.json when given. */
  generationConfig?: Record<string, unknown>;
  /** Extra files copied in verbatim, e.g. tokenizer.json, tokenizer_config.json (objects become JSON). */
  extraFiles?: Record<string, string | object>;
}

/**
 * Writes a Hugging Face model directory: `config.json`, the safetensors weights (single or sharded)
 * and any extra files, each atomically. `config.json` goes last, so a directory with a config.json is
 * always complete. Loadable by transformers' `AutoModelForCausalLM.from_pretrained(dir)`.
 */
export function saveCheckpoint(dir: string, options: SaveCheckpointOptions): void {
  // checkWeights drops what a tied model must not store (lm_head.weight), so save the checked copy.
  const weights = new Map(options.weights);
  const problems = checkWeights(options.config, weights);
  if (problems.length > 0) {
    throw new Error(`cannot save a checkpoint to ${dir}: ${problems.join("; ")}`);
  }
  mkdirSync(dir, { recursive: true });
  writeSafetensorsDir(dir, weights, { dtype: options.dtype, maxShardBytes: options.maxShardBytes });
  for (const [name, content] of Object.entries(options.extraFiles ?? {})) {
    if (typeof content === "string") writeFileAtomic(join(dir, name), [content]);
    else writeJsonAtomic(join(dir, name), content);
  }
  if (options.generationConfig)
    writeJsonAtomic(join(dir, "generation_config.json"), options.generationConfig);
  const configJson = llamaConfigToJson(options.config);
  configJson.torch_dtype = { F32: "float32", F16: "float16", BF16: "bfloat16" }[options.dtype ?? "F32"];
  writeJsonAtomic(join(dir, "config.json"), configJson);
}

export interface Checkpoint {
  config: LlamaConfig;
  weights: Weights;
}

/** Reads a model directory written by us or by transformers; weights come back as f32. */
export function loadCheckpoint(dir: string): Checkpoint {
  const configFile = join(dir, "config.json");
  if (!existsSync(configFile)) {
    throw new ModelFileError(dir, "has no config.json; point at a Hugging Face model directory.");
  }
  const config = readLlamaConfig(configFile);
  const { tensors } = readSafetensorsDir(dir);
  const problems = checkWeights(config, tensors);
  if (problems.length > 0) {
    const shown =
      problems.slice(0, 5).join("; ") + (problems.length > 5 ? `; and ${problems.length - 5} more` : "");
    throw new ModelFileError(dir, `the weights do not match config.json: ${shown}.`);
  }
  return { config, weights: tensors };
}
