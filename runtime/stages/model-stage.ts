import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import type { StageHandler, StageOutput } from "../executor/executor.ts";
import type { ModelStageConfig } from "../plan/config.ts";
import { loadCheckpoint, saveCheckpoint } from "../train/io/checkpoint.ts";
import { countParameters, initWeights } from "../train/model/params.ts";
import { presetConfig } from "../train/model/presets.ts";
import { isPretrained, PRETRAINED, pretrainedModelDir } from "../train/model/pretrained.ts";
import { byteTokenizerFiles } from "../train/tokenizer/byte.ts";
import { type HfTokenizer, loadHfTokenizer } from "../train/tokenizer/hf.ts";

/** Subdirectory of a model or train stage that holds a complete Hugging Face model directory. */
export const MODEL_DIR = "model";

/**
 * A base model. Built-in presets are initialised from the seed and written as a full Hugging Face
 * directory (config.json, model.safetensors, the byte tokenizer's files or those of the `tokenizer`
 * folder, which also set the vocabulary size); a user's directory is
 * checked (it loads, and has a tokenizer) and used in place.
 */
export const modelStage: StageHandler = {
  async run({ stage, dir }) {
    const config = stage.config as unknown as ModelStageConfig;
    if (config.source === "builtin" && isPretrained(config.preset)) {
      const path = pretrainedModelDir(config.preset);
      if (!existsSync(join(path, "model.safetensors"))) {
        throw new Error(
          `the pretrained built-in model '${config.preset}' is missing its weights (${path}/model.safetensors); ` +
            `restore the models/ folder from the atune repository, or rebuild it with ` +
            `'atune run ${PRETRAINED[config.preset].recipe}' (models/README.md)`,
        );
      }
      return { preset: config.preset, path, parameters: countParameters(loadCheckpoint(path).config) };
    }
    if (config.source === "builtin") {
      const modelConfig = presetConfig(config.preset);
      if (config.context !== undefined) modelConfig.maxPositionEmbeddings = config.context;
      const own = config.tokenizer === undefined ? undefined : loadPresetTokenizer(config.tokenizer);
      if (own) {
        modelConfig.vocabSize = own.tokenizer.vocabSize;
        modelConfig.bosTokenId = own.tokenizer.bosId;
        modelConfig.eosTokenId = own.tokenizer.eosId;
        modelConfig.padTokenId = own.tokenizer.padId;
      }
      saveCheckpoint(join(dir, MODEL_DIR), {
        config: modelConfig,
        weights: initWeights(modelConfig, config.seed),
        extraFiles: own?.files ?? byteTokenizerFiles(),
      });
      return {
        preset: config.preset,
        parameters: countParameters(modelConfig),
        vocabSize: modelConfig.vocabSize,
      };
    }
    const { config: modelConfig } = loadCheckpoint(config.path);
    const overridden = config.tokenizer !== undefined || config.chatTemplate !== undefined;
    const modelDir = overridden ? overlayModelDir(config, join(dir, MODEL_DIR)) : config.path;
    if (!existsSync(join(modelDir, "tokenizer.json"))) {
      throw new Error(
        `${config.path} has no tokenizer.json; a model directory needs its tokenizer to train or generate ` +
          "(or name one with the model's tokenizer option)",
      );
    }
    // An overlay lives in this stage's model/ folder, which modelDirOf finds when there is no path.
    const parameters = countParameters(modelConfig);
    return overridden ? { source: config.path, parameters } : { path: config.path, parameters };
  },
};

/**
 * A user's directory with its `tokenizer` or `chat_template` replaced, without copying the
 * weights: every file of the directory is linked into `target`, then tokenizer.json is replaced by
 * the named file and tokenizer_config.json's chat_template by the named template's text.
 */
function overlayModelDir(config: Extract<ModelStageConfig, { source: "hf" }>, target: string): string {
  // A rerun after a crash finds the half-made overlay in the stage's partial folder: start over.
  rmSync(target, { recursive: true, force: true });
  mkdirSync(target, { recursive: true });
  for (const name of readdirSync(config.path)) symlinkSync(join(config.path, name), join(target, name));
  if (config.tokenizer !== undefined) {
    rmSync(join(target, "tokenizer.json"), { force: true });
    copyFileSync(config.tokenizer, join(target, "tokenizer.json"));
  }
  if (config.chatTemplate !== undefined) {
    const configFile = join(target, "tokenizer_config.json");
    const tokenizerConfig = existsSync(configFile) ? JSON.parse(readFileSync(configFile, "utf8")) : {};
    tokenizerConfig.chat_template = readFileSync(config.chatTemplate, "utf8");
    rmSync(configFile, { force: true });
    writeFileSync(configFile, `${JSON.stringify(tokenizerConfig, null, 2)}\n`);
  }
  return target;
}

/**
 * A tokenizer folder for a built-in size: it must load, and have an end-of-turn token and a chat
 * template (generation stops at the one and prompts are rendered with the other).
 */
function loadPresetTokenizer(folder: string): { tokenizer: HfTokenizer; files: Record<string, string> } {
  const tokenizer = loadHfTokenizer(folder);
  const problems = [
    tokenizer.eosId === undefined ? "no eos_token in tokenizer_config.json" : "",
    tokenizer.chatTemplate === undefined ? "no chat_template in tokenizer_config.json" : "",
  ].filter(Boolean);
  if (problems.length > 0) {
    throw new Error(
      `the tokenizer in ${folder} cannot serve a chat model: ${problems.join("; ")}. ` +
        "Use a folder written by 'atune tokenizer train', or add them.",
    );
  }
  const files: Record<string, string> = {};
  for (const name of ["tokenizer.json", "tokenizer_config.json"]) {
    files[name] = readFileSync(join(folder, name), "utf8");
  }
  return { tokenizer, files };
}

/** Where a model or train stage's model directory is. */
export function modelDirOf(output: StageOutput): string {
  return typeof output.summary.path === "string" ? output.summary.path : join(output.dir, MODEL_DIR);
}
