// Micro model directories for the server's tests: written in milliseconds, generated from in seconds.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { saveCheckpoint } from "../../runtime/train/io/checkpoint.ts";
import type { LlamaConfig } from "../../runtime/train/model/config.ts";
import { initWeights } from "../../runtime/train/model/params.ts";
import { presetConfig } from "../../runtime/train/model/presets.ts";
import { BYTE_SPECIAL_IDS, byteTokenizerFiles } from "../../runtime/train/tokenizer/byte.ts";

const microShape = {
  hiddenSize: 32,
  intermediateSize: 64,
  numLayers: 2,
  numHeads: 4,
  numKvHeads: 2,
  headDim: 8,
};

/** A byte-level Llama with random weights (context 512): its greedy replies depend on the whole prompt. */
export function randomModelDir(name = "micro"): string {
  const dir = join(mkdtempSync(join(tmpdir(), "atune-serve-")), name);
  const config: LlamaConfig = { ...presetConfig("tiny"), ...microShape };
  saveCheckpoint(dir, { config, weights: initWeights(config, 7, 0.5), extraFiles: byteTokenizerFiles() });
  return dir;
}

/**
 * A byte-level Llama wired by hand so that its greedy reply to any conversation is `reply` and then
 * end-of-turn: the layers add nothing to the residual stream (zero output projections), so the
 * logits depend on the last token alone, and the output head maps each token of the chain
 * `<|assistant|>`, reply[0], reply[1], … to the next. Each character of `reply` must be distinct.
 */
export function scriptedModelDir(reply: string, name = "scripted"): string {
  const chain = [BYTE_SPECIAL_IDS.assistant, ...new TextEncoder().encode(reply)];
  const config: LlamaConfig = { ...presetConfig("tiny"), ...microShape, tieWordEmbeddings: false };
  if (new Set(chain).size !== chain.length || chain.length > config.hiddenSize) {
    throw new Error(
      `scriptedModelDir: '${reply}' needs distinct characters, at most ${config.hiddenSize - 1}`,
    );
  }
  const weights = initWeights(config, 3);
  for (const [tensorName, tensor] of weights) {
    if (tensorName.endsWith("o_proj.weight") || tensorName.endsWith("down_proj.weight")) tensor.data.fill(0);
  }
  const hidden = config.hiddenSize;
  const embed = weights.get("model.embed_tokens.weight")!.data.fill(0);
  const head = weights.get("lm_head.weight")!.data.fill(0);
  chain.forEach((token, dim) => {
    embed[token * hidden + dim] = 1;
    const next = dim + 1 < chain.length ? chain[dim + 1] : BYTE_SPECIAL_IDS.eos;
    head[next * hidden + dim] = 10;
  });
  const dir = join(mkdtempSync(join(tmpdir(), "atune-serve-")), name);
  saveCheckpoint(dir, { config, weights, extraFiles: byteTokenizerFiles() });
  return dir;
}
