import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { LlamaConfig } from "../model/config.ts";
import { isProjectionName, type LoraAdapter, type LoraConfig, type LoraPair } from "../model/lora.ts";
import { PROJECTIONS, projectionShape, type Tensor } from "../model/params.ts";
import { writeJsonAtomic } from "./atomic.ts";
import { ModelFileError } from "./errors.ts";
import { readSafetensors, writeSafetensors } from "./safetensors.ts";

export const ADAPTER_CONFIG_FILE = "adapter_config.json";
export const ADAPTER_WEIGHTS_FILE = "adapter_model.safetensors";

/** PEFT's key prefix: the PeftModel wraps the LlamaForCausalLM, which holds `model.layers…`. */
const PEFT_PREFIX = "base_model.model.";

/**
 * Writes a PEFT LoRA adapter directory (`adapter_config.json` + `adapter_model.safetensors`) that
 * `PeftModel.from_pretrained(base, dir)` loads.
 */
export function saveLoraAdapter(dir: string, adapter: LoraAdapter): void {
  mkdirSync(dir, { recursive: true });
  const tensors = new Map<string, Tensor>();
  for (const [name, pair] of adapter.pairs) {
    const module = PEFT_PREFIX + name.replace(/\.weight$/, "");
    tensors.set(`${module}.lora_A.weight`, pair.a);
    tensors.set(`${module}.lora_B.weight`, pair.b);
  }
  writeSafetensors(join(dir, ADAPTER_WEIGHTS_FILE), tensors);
  const { config } = adapter;
  writeJsonAtomic(join(dir, ADAPTER_CONFIG_FILE), {
    peft_type: "LORA",
    task_type: "CAUSAL_LM",
    base_model_name_or_path: config.baseModel,
    r: config.r,
    lora_alpha: config.alpha,
    lora_dropout: config.dropout,
    target_modules: config.targetModules,
    bias: "none",
    fan_in_fan_out: false,
    use_rslora: config.useRslora ?? false,
    use_dora: false,
    inference_mode: true,
    modules_to_save: null,
    layers_to_transform: null,
    rank_pattern: {},
    alpha_pattern: {},
  });
}

/** Reads a PEFT LoRA adapter; with `model`, also checks every tensor's shape against it. */
export function loadLoraAdapter(dir: string, model?: LlamaConfig): LoraAdapter {
  const configFile = join(dir, ADAPTER_CONFIG_FILE);
  if (!existsSync(configFile)) {
    throw new ModelFileError(dir, `has no ${ADAPTER_CONFIG_FILE}; point at a PEFT LoRA adapter directory.`);
  }
  const config = parseAdapterConfig(configFile);
  const weightsFile = join(dir, ADAPTER_WEIGHTS_FILE);
  if (!existsSync(weightsFile)) {
    throw new ModelFileError(
      dir,
      `has no ${ADAPTER_WEIGHTS_FILE} (only safetensors adapters are supported).`,
    );
  }
  const { tensors } = readSafetensors(weightsFile);
  const halves = new Map<string, Partial<LoraPair>>();
  const pattern =
    /^base_model\.model\.(model\.layers\.\d+\.(?:self_attn|mlp)\.(\w+))\.lora_([AB])(?:\.default)?\.weight$/;
  for (const [tensorName, tensor] of tensors) {
    const match = pattern.exec(tensorName);
    if (!match || !isProjectionName(match[2])) {
      throw new ModelFileError(
        weightsFile,
        `tensor '${tensorName}' is not a LoRA A/B matrix of a Llama projection (expected e.g. base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight).`,
      );
    }
    const base = `${match[1]}.weight`;
    const pair = halves.get(base) ?? {};
    if (match[3] === "A") pair.a = tensor;
    else pair.b = tensor;
    halves.set(base, pair);
  }
  const pairs = new Map<string, LoraPair>();
  for (const [base, { a, b }] of halves) {
    if (!a || !b) {
      throw new ModelFileError(
        weightsFile,
        `'${base}' has lora_${a ? "A" : "B"} but no lora_${a ? "B" : "A"}.`,
      );
    }
    const projection = base.split(".").at(-2)!;
    if (a.shape[0] !== config.r || b.shape[1] !== config.r) {
      throw new ModelFileError(
        weightsFile,
        `'${base}' has A [${a.shape}] and B [${b.shape}], not rank r=${config.r} from ${ADAPTER_CONFIG_FILE}.`,
      );
    }
    if (model && isProjectionName(projection)) {
      const [out, inFeatures] = projectionShape(model, projection);
      const layer = Number(base.split(".")[2]);
      if (layer >= model.numLayers || a.shape[1] !== inFeatures || b.shape[0] !== out) {
        throw new ModelFileError(
          weightsFile,
          `'${base}' (A [${a.shape}], B [${b.shape}]) does not fit the base model (${projection} is [${out}, ${inFeatures}], ${model.numLayers} layers).`,
        );
      }
    }
    pairs.set(base, { a, b });
  }
  return { config, pairs };
}

function parseAdapterConfig(file: string): LoraConfig {
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(readFileSync(file, "utf8"));
  } catch (error) {
    throw new ModelFileError(file, `is not valid JSON (${(error as Error).message}).`);
  }
  const fail = (key: string, why: string): never => {
    throw new ModelFileError(file, `key '${key}' ${why}`);
  };
  if (raw.peft_type !== "LORA")
    fail("peft_type", `is ${JSON.stringify(raw.peft_type)}; only "LORA" adapters are supported.`);
  if (typeof raw.r !== "number" || !Number.isInteger(raw.r) || raw.r <= 0)
    fail("r", "must be a positive integer.");
  const alpha = raw.lora_alpha ?? raw.r;
  if (typeof alpha !== "number" || !(alpha > 0)) fail("lora_alpha", "must be a positive number.");
  if (raw.use_dora === true) fail("use_dora", "is true; DoRA adapters are not supported.");
  if (raw.fan_in_fan_out === true)
    fail("fan_in_fan_out", "is true; Llama projections use fan_in_fan_out: false.");
  if (raw.bias !== undefined && raw.bias !== "none")
    fail("bias", `is ${JSON.stringify(raw.bias)}; only "none" is supported.`);
  for (const key of ["rank_pattern", "alpha_pattern"]) {
    const value = raw[key];
    if (value && typeof value === "object" && Object.keys(value).length > 0) {
      fail(key, "sets per-module ranks or alphas, which are not supported.");
    }
  }
  if (Array.isArray(raw.modules_to_save) && raw.modules_to_save.length > 0) {
    fail("modules_to_save", "lists fully trained modules, which are not supported.");
  }
  const targets = raw.target_modules;
  const targetList = typeof targets === "string" ? [targets] : targets;
  if (!Array.isArray(targetList) || !targetList.every((name) => isProjectionName(name))) {
    fail(
      "target_modules",
      `is ${JSON.stringify(targets)}; list projections from ${Object.keys(PROJECTIONS).join(", ")}.`,
    );
  }
  return {
    r: raw.r as number,
    alpha: alpha as number,
    dropout: typeof raw.lora_dropout === "number" ? raw.lora_dropout : 0,
    targetModules: targetList as LoraConfig["targetModules"],
    baseModel: typeof raw.base_model_name_or_path === "string" ? raw.base_model_name_or_path : "",
    useRslora: raw.use_rslora === true,
  };
}
