import { readFileSync } from "node:fs";
import { writeJsonAtomic } from "../io/atomic.ts";
import { ModelFileError } from "../io/errors.ts";

/** The Llama-family decoder the training core runs, as read from a Hugging Face `config.json`. */
export interface LlamaConfig {
  /** `llama` or `mistral` (same tensors; see SUPPORTED_MODEL_TYPES). */
  modelType: string;
  vocabSize: number;
  hiddenSize: number;
  intermediateSize: number;
  numLayers: number;
  numHeads: number;
  numKvHeads: number;
  /** hidden_size / num_attention_heads unless the file sets `head_dim`. */
  headDim: number;
  ropeTheta: number;
  rmsNormEps: number;
  tieWordEmbeddings: boolean;
  maxPositionEmbeddings: number;
  bosTokenId?: number;
  eosTokenId?: number | number[];
  padTokenId?: number;
}

/**
 * Model types whose `config.json` describes exactly our decoder (no biases, plain RoPE, SwiGLU).
 * Qwen2 is not here: its q/k/v projections always carry biases, whatever the config says.
 */
export const SUPPORTED_MODEL_TYPES = ["llama", "mistral"] as const;

type Json = Record<string, unknown>;

/** Reads and validates `config.json` at `file`. */
export function readLlamaConfig(file: string): LlamaConfig {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw new ModelFileError(
      file,
      `cannot read the model config (${(error as Error).message}). Check the checkpoint directory path.`,
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ModelFileError(file, `is not valid JSON (${(error as Error).message}).`);
  }
  return parseLlamaConfig(json, file);
}

/** Turns a parsed `config.json` object into a validated config; `file` names the source in errors. */
export function parseLlamaConfig(json: unknown, file = "config.json"): LlamaConfig {
  if (typeof json !== "object" || json === null || Array.isArray(json)) {
    throw new ModelFileError(file, "must hold a JSON object with the model's hyper-parameters.");
  }
  const raw = json as Json;
  const fail = (key: string, why: string): never => {
    throw new ModelFileError(file, `key '${key}' ${why}`);
  };
  const integer = (key: string, fallback?: number): number => {
    const value = raw[key];
    if (value === undefined || value === null) {
      if (fallback !== undefined) return fallback;
      return fail(key, "is missing; a Llama-family config.json must set it.");
    }
    if (typeof value !== "number" || !Number.isInteger(value) || value <= 0) {
      return fail(key, `must be a positive integer, got ${JSON.stringify(value)}.`);
    }
    return value;
  };
  const positive = (key: string, fallback: number): number => {
    const value = raw[key] ?? fallback;
    if (typeof value !== "number" || !(value > 0)) {
      return fail(key, `must be a positive number, got ${JSON.stringify(value)}.`);
    }
    return value;
  };
  const optionalId = (key: string): number | undefined => {
    const value = raw[key];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== "number" || !Number.isInteger(value) || value < 0) {
      return fail(key, `must be a token id (non-negative integer), got ${JSON.stringify(value)}.`);
    }
    return value;
  };

  const modelType = raw.model_type;
  if (typeof modelType !== "string") fail("model_type", "is missing; expected one of llama, mistral.");
  if (!(SUPPORTED_MODEL_TYPES as readonly string[]).includes(modelType as string)) {
    const hint =
      modelType === "qwen2"
        ? " Qwen2 models have biases on q/k/v projections, which this decoder does not implement."
        : "";
    fail("model_type", `is '${modelType}', which is not supported; use llama or mistral.${hint}`);
  }
  rejectUnsupported(raw, fail);

  const hiddenSize = integer("hidden_size");
  const numHeads = integer("num_attention_heads");
  const numKvHeads = integer("num_key_value_heads", numHeads);
  const explicitHeadDim = raw.head_dim;
  if (explicitHeadDim === undefined || explicitHeadDim === null) {
    if (hiddenSize % numHeads !== 0) {
      fail(
        "num_attention_heads",
        `(${numHeads}) must divide hidden_size (${hiddenSize}) when head_dim is not set.`,
      );
    }
  }
  const headDim = integer("head_dim", hiddenSize / numHeads);
  if (headDim % 2 !== 0) fail("head_dim", `must be even for rotary embeddings, got ${headDim}.`);
  if (numHeads % numKvHeads !== 0) {
    fail("num_key_value_heads", `(${numKvHeads}) must divide num_attention_heads (${numHeads}).`);
  }

  const eos = raw.eos_token_id;
  let eosTokenId: number | number[] | undefined;
  if (Array.isArray(eos)) {
    if (!eos.every((id) => typeof id === "number" && Number.isInteger(id) && id >= 0)) {
      fail("eos_token_id", `must be a token id or a list of token ids, got ${JSON.stringify(eos)}.`);
    }
    eosTokenId = eos as number[];
  } else {
    eosTokenId = optionalId("eos_token_id");
  }

  const config: LlamaConfig = {
    modelType: modelType as string,
    vocabSize: integer("vocab_size"),
    hiddenSize,
    intermediateSize: integer("intermediate_size"),
    numLayers: integer("num_hidden_layers"),
    numHeads,
    numKvHeads,
    headDim,
    ropeTheta: positive("rope_theta", 10000),
    rmsNormEps: positive("rms_norm_eps", 1e-6),
    tieWordEmbeddings: booleanKey(raw, "tie_word_embeddings", false, fail),
    maxPositionEmbeddings: integer("max_position_embeddings", 2048),
  };
  const bos = optionalId("bos_token_id");
  if (bos !== undefined) config.bosTokenId = bos;
  if (eosTokenId !== undefined) config.eosTokenId = eosTokenId;
  const pad = optionalId("pad_token_id");
  if (pad !== undefined) config.padTokenId = pad;
  return config;
}

function booleanKey(raw: Json, key: string, fallback: boolean, fail: (k: string, w: string) => never) {
  const value = raw[key] ?? fallback;
  if (typeof value !== "boolean") return fail(key, `must be true or false, got ${JSON.stringify(value)}.`);
  return value;
}

/** Features of real checkpoints that would silently change the maths if ignored. */
function rejectUnsupported(raw: Json, fail: (key: string, why: string) => never): void {
  if (raw.rope_scaling !== undefined && raw.rope_scaling !== null) {
    fail(
      "rope_scaling",
      `is set (${JSON.stringify(raw.rope_scaling)}); scaled RoPE (linear, dynamic, yarn, llama3) is not supported. Use a model without rope_scaling.`,
    );
  }
  for (const key of ["attention_bias", "mlp_bias"]) {
    if (raw[key] === true)
      fail(key, "is true; projection biases are not supported (use a model without them).");
  }
  const activation = raw.hidden_act ?? raw.hidden_activation ?? "silu";
  if (activation !== "silu") {
    fail("hidden_act", `is '${activation}'; only 'silu' (SwiGLU MLP) is supported.`);
  }
  const pretrainingTp = raw.pretraining_tp ?? 1;
  if (pretrainingTp !== 1) fail("pretraining_tp", `is ${pretrainingTp}; only 1 is supported.`);
  const window = raw.sliding_window;
  const maxPositions = typeof raw.max_position_embeddings === "number" ? raw.max_position_embeddings : 0;
  if (typeof window === "number" && raw.use_sliding_window !== false && window < maxPositions) {
    fail(
      "sliding_window",
      `is ${window} (< max_position_embeddings ${maxPositions}); sliding-window attention is not supported.`,
    );
  }
}

/** The `config.json` object Hugging Face transformers reads back (as `LlamaForCausalLM` for llama). */
export function llamaConfigToJson(config: LlamaConfig): Json {
  const json: Json = {
    architectures: [config.modelType === "mistral" ? "MistralForCausalLM" : "LlamaForCausalLM"],
    model_type: config.modelType,
    vocab_size: config.vocabSize,
    hidden_size: config.hiddenSize,
    intermediate_size: config.intermediateSize,
    num_hidden_layers: config.numLayers,
    num_attention_heads: config.numHeads,
    num_key_value_heads: config.numKvHeads,
    head_dim: config.headDim,
    hidden_act: "silu",
    max_position_embeddings: config.maxPositionEmbeddings,
    initializer_range: 0.02,
    rms_norm_eps: config.rmsNormEps,
    rope_theta: config.ropeTheta,
    rope_scaling: null,
    attention_bias: false,
    attention_dropout: 0.0,
    mlp_bias: false,
    pretraining_tp: 1,
    tie_word_embeddings: config.tieWordEmbeddings,
    torch_dtype: "float32",
    use_cache: true,
  };
  if (config.bosTokenId !== undefined) json.bos_token_id = config.bosTokenId;
  if (config.eosTokenId !== undefined) json.eos_token_id = config.eosTokenId;
  if (config.padTokenId !== undefined) json.pad_token_id = config.padTokenId;
  return json;
}

/** Writes `config.json` (atomically) for `config`. */
export function writeLlamaConfig(file: string, config: LlamaConfig): void {
  writeJsonAtomic(file, llamaConfigToJson(config));
}
