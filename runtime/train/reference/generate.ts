import { createRng, type Rng } from "../model/random.ts";
import type { KvCache, ReferenceLlama } from "./model.ts";
import type { Vec } from "./ops.ts";

export interface GenerateOptions {
  maxNewTokens: number;
  /** 0 (default) is greedy decoding. */
  temperature?: number;
  /** Nucleus sampling: keep the most likely tokens whose probabilities sum to at least topP. */
  topP?: number;
  /** Seeds the sampler; the same seed gives the same continuation. */
  seed?: number;
  /** Token ids that end generation (not included in the output), e.g. eos / end-of-turn. */
  stopTokenIds?: readonly number[];
  /** Strings that end generation; the text is cut before the first one. Needs `decode`. */
  stopStrings?: readonly string[];
  decode?: (ids: readonly number[]) => string;
  /** Decode incrementally with a KV cache (default) or re-run the full forward for every token. */
  useKvCache?: boolean;
}

export type StopReason = "stop_token" | "stop_string" | "max_tokens" | "context_full";

export interface Generation {
  /** The generated ids (without the prompt and without a stop token). */
  ids: number[];
  /** The decoded text, cut before a stop string; present when `decode` was given. */
  text?: string;
  stopReason: StopReason;
}

/** Picks the next token from `logits` (one row): argmax at temperature 0, else top-p sampling. */
export function sampleToken(logits: ArrayLike<number>, temperature: number, topP: number, rng: Rng): number {
  if (temperature <= 0) {
    let best = 0;
    for (let j = 1; j < logits.length; j++) if (logits[j] > logits[best]) best = j;
    return best;
  }
  let max = Number.NEGATIVE_INFINITY;
  for (let j = 0; j < logits.length; j++) max = Math.max(max, logits[j]);
  const probs = new Float64Array(logits.length);
  let sum = 0;
  for (let j = 0; j < logits.length; j++) {
    probs[j] = Math.exp((logits[j] - max) / temperature);
    sum += probs[j];
  }
  // Sort by probability (ties: lower id first, for determinism) and keep the nucleus.
  const order = Array.from(probs.keys()).sort((a, b) => probs[b] - probs[a] || a - b);
  let kept = 0;
  let cumulative = 0;
  while (kept < order.length && (kept === 0 || cumulative < topP * sum)) cumulative += probs[order[kept++]];
  let target = rng.uniform() * cumulative;
  for (let i = 0; i < kept; i++) {
    target -= probs[order[i]];
    if (target < 0) return order[i];
  }
  return order[kept - 1];
}

/** Continues `prompt` (token ids) with the reference model. */
export function generate(
  model: ReferenceLlama,
  prompt: readonly number[],
  options: GenerateOptions,
): Generation {
  return generateBatch(model, [prompt], options)[0];
}

interface Row {
  sequence: number[];
  ids: number[];
  rng: Rng;
  cache: KvCache | undefined;
  result: Generation | undefined;
}

/**
 * Continues several prompts in lockstep, one token per unfinished row per step (the schedule a
 * batched GPU decoder follows). Rows are independent: row r samples with seed `seed + r`, so row 0
 * equals `generate` with the same options and every row equals `generate` with its own seed.
 */
export function generateBatch(
  model: ReferenceLlama,
  prompts: readonly (readonly number[])[],
  options: GenerateOptions,
): Generation[] {
  if (prompts.some((prompt) => prompt.length === 0)) {
    throw new Error("generate: every prompt must hold at least one token (e.g. BOS)");
  }
  if ((options.stopStrings?.length ?? 0) > 0 && !options.decode) {
    throw new Error("generate: stopStrings need a decode function to read the generated text");
  }
  const temperature = options.temperature ?? 0;
  const topP = options.topP ?? 1;
  const stopIds = new Set(options.stopTokenIds ?? []);
  const stopStrings = options.stopStrings ?? [];
  const contextLimit = model.config.maxPositionEmbeddings;
  const vocab = model.config.vocabSize;
  const rows: Row[] = prompts.map((prompt, index) => ({
    sequence: [...prompt],
    ids: [],
    rng: createRng((options.seed ?? 0) + index),
    cache: options.useKvCache === false ? undefined : model.createKvCache(contextLimit),
    result: undefined,
  }));

  const finish = (row: Row, stopReason: StopReason): void => {
    if (!options.decode) {
      row.result = { ids: row.ids, stopReason };
      return;
    }
    row.result = { ids: row.ids, text: cutAtStopString(options.decode(row.ids), stopStrings), stopReason };
  };
  const nextLogits = (row: Row): Vec => {
    // With a cache only the tokens it has not seen are run (the whole prompt first, then one token).
    const logits = row.cache
      ? model.forwardCached(row.sequence.slice(row.cache.length), row.cache)
      : model.forward({ inputs: row.sequence, batchSize: 1, seqLen: row.sequence.length }).logits;
    return logits.subarray(logits.length - vocab);
  };

  for (const row of rows) {
    if (options.maxNewTokens <= 0) finish(row, "max_tokens");
    else if (row.sequence.length >= contextLimit) finish(row, "context_full");
  }
  while (rows.some((row) => !row.result)) {
    for (const row of rows) {
      if (row.result) continue;
      const token = sampleToken(nextLogits(row), temperature, topP, row.rng);
      if (stopIds.has(token)) {
        finish(row, "stop_token");
        continue;
      }
      row.ids.push(token);
      row.sequence.push(token);
      if (stopStrings.length > 0) {
        const text = options.decode!(row.ids);
        if (stopStrings.some((stop) => text.includes(stop))) {
          finish(row, "stop_string");
          continue;
        }
      }
      if (row.ids.length >= options.maxNewTokens) finish(row, "max_tokens");
      else if (row.sequence.length >= contextLimit) finish(row, "context_full");
    }
  }
  return rows.map((row) => row.result!);
}

function cutAtStopString(text: string, stops: readonly string[]): string {
  let cut = text.length;
  for (const stop of stops) {
    const index = text.indexOf(stop);
    if (index >= 0 && index < cut) cut = index;
  }
  return text.slice(0, cut);
}
