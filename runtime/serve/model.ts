/**
 * The model a server serves: a Hugging Face directory loaded onto the GPU with its tokenizer and
 * chat template, and the one thing the server asks of it: a conversation as prompt token ids.
 */
import { existsSync, statSync } from "node:fs";
import { resolve } from "node:path";
import type { Gpu } from "../train/device/index.ts";
import { loadGpuModel } from "../train/gpu/checkpoint.ts";
import type { GpuLlama } from "../train/gpu/model.ts";
import { ModelFileError } from "../train/io/errors.ts";
import { type ChatMessage, ChatTemplate } from "../train/tokenizer/chat-template.ts";
import type { HfTokenizer } from "../train/tokenizer/hf.ts";

export interface ServedModel {
  dir: string;
  model: GpuLlama;
  tokenizer: HfTokenizer;
  /** Tokens the model attends over: prompt and reply together. */
  contextLength: number;
  /** The conversation rendered with the chat template's generation prompt, as token ids. */
  encode(messages: readonly ChatMessage[], tools?: unknown[]): number[];
}

/** Loads `dir`; a missing or incomplete directory is a ModelFileError that says what to fix. */
export function loadServedModel(gpu: Gpu, dir: string): ServedModel {
  const path = resolve(dir);
  if (!existsSync(path)) {
    throw new ModelFileError(
      path,
      "does not exist; give the path of a Hugging Face model directory (config.json, *.safetensors, tokenizer.json), e.g. a train stage's model/ folder.",
    );
  }
  if (!statSync(path).isDirectory()) {
    throw new ModelFileError(
      path,
      "is a file; give the directory that holds config.json, the safetensors weights and tokenizer.json.",
    );
  }
  const { model, tokenizer } = loadGpuModel(gpu, path);
  const fail = (file: string, problem: string): never => {
    model.release();
    throw new ModelFileError(file, problem);
  };
  if (!tokenizer) {
    return fail(
      `${path}/tokenizer.json`,
      "not found; the server needs the model's tokenizer to read and write text. Copy tokenizer.json (and tokenizer_config.json) from the base model.",
    );
  }
  if (!tokenizer.chatTemplate) {
    return fail(
      `${path}/tokenizer_config.json`,
      "has no chat_template; the server renders conversations with it. Add the base model's chat_template.",
    );
  }
  let template: ChatTemplate;
  try {
    template = new ChatTemplate(tokenizer.chatTemplate, "its chat_template");
  } catch (error) {
    return fail(`${path}/tokenizer_config.json`, (error as Error).message);
  }
  return {
    dir: path,
    model,
    tokenizer,
    contextLength: model.config.maxPositionEmbeddings,
    encode(messages, tools) {
      const text = template.render(messages, {
        addGenerationPrompt: true,
        bosToken: tokenizer.bosToken,
        eosToken: tokenizer.eosToken,
        ...(tools ? { variables: { tools } } : {}),
      });
      return tokenizer.encode(text);
    },
  };
}
