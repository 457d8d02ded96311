import { BYTE_SPECIAL_IDS, BYTE_VOCAB_SIZE } from "../tokenizer/byte.ts";
import type { LlamaConfig } from "./config.ts";

/**
 * Built-in models small enough to train on a CPU through lavapipe. They use the byte-level
 * tokenizer (256 bytes + specials), tie the embeddings to the output head, and train from scratch.
 */
export const PRESETS = {
  /** About 0.76M parameters. */
  tiny: byteModel({ hiddenSize: 128, intermediateSize: 344, numLayers: 4, numHeads: 4, numKvHeads: 2 }),
  /** About 4.2M parameters. */
  small: byteModel({ hiddenSize: 256, intermediateSize: 640, numLayers: 6, numHeads: 8, numKvHeads: 4 }),
} satisfies Record<string, LlamaConfig>;

export type PresetName = keyof typeof PRESETS;

export function presetConfig(name: string): LlamaConfig {
  const preset = (PRESETS as Record<string, LlamaConfig>)[name];
  if (!preset) {
    throw new Error(`unknown model preset '${name}'; the presets are ${Object.keys(PRESETS).join(", ")}.`);
  }
  return structuredClone(preset);
}

function byteModel(shape: {
  hiddenSize: number;
  intermediateSize: number;
  numLayers: number;
  numHeads: number;
  numKvHeads: number;
}): LlamaConfig {
  return {
    modelType: "llama",
    vocabSize: BYTE_VOCAB_SIZE,
    ...shape,
    headDim: shape.hiddenSize / shape.numHeads,
    ropeTheta: 10000,
    rmsNormEps: 1e-5,
    tieWordEmbeddings: true,
    maxPositionEmbeddings: 512,
    bosTokenId: BYTE_SPECIAL_IDS.bos,
    eosTokenId: BYTE_SPECIAL_IDS.eos,
    padTokenId: BYTE_SPECIAL_IDS.pad,
  };
}
