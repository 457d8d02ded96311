import { createRng, type Rng } from "../model/random.ts";
import type { ReferenceLlama } from "./model.ts";
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
  if (prompt.length === 0) throw new Error("generate: the prompt must hold at least one token (e.g. BOS)");
  if ((options.stopStrings?.length ?? 0) > 0 && !options.decode) {
    throw new Error("generate: stopStrings need a decode function to read the generated text");
  }
  const temperature = options.temperature ?? 0;
  const topP = options.topP ?? 1;
  const rng = createRng(options.seed ?? 0);
  const stopIds = new Set(options.stopTokenIds ?? []);
  const contextLimit = model.config.maxPositionEmbeddings;
  const vocab = model.config.vocabSize;
  const sequence = [...prompt];
  const ids: number[] = [];
  const cache = options.useKvCache === false ? undefined : model.createKvCache(contextLimit);

  const nextLogits = (): Vec => {
    if (cache) {
      const fresh = sequence.slice(cache.length);
      const logits = model.forwardCached(fresh, cache);
      return logits.subarray(logits.length - vocab);
    }
    const { logits } = model.forward({ inputs: sequence, batchSize: 1, seqLen: sequence.length });
    return logits.subarray(logits.length - vocab);
  };
  const finish = (stopReason: StopReason): Generation => {
    if (!options.decode) return { ids, stopReason };
    const text = options.decode(ids);
    return { ids, text: cutAtStopString(text, options.stopStrings ?? []), stopReason };
  };

  while (ids.length < options.maxNewTokens) {
    if (sequence.length >= contextLimit) return finish("context_full");
    const token = sampleToken(nextLogits(), temperature, topP, rng);
    if (stopIds.has(token)) return finish("stop_token");
    ids.push(token);
    sequence.push(token);
    if (options.stopStrings && options.stopStrings.length > 0) {
      const text = options.decode!(ids);
      if (options.stopStrings.some((stop) => text.includes(stop))) return finish("stop_string");
    }
  }
  return finish("max_tokens");
}

function cutAtStopString(text: string, stops: readonly string[]): string {
  let cut = text.length;
  for (const stop of stops) {
    const index = text.indexOf(stop);
    if (index >= 0 && index < cut) cut = index;
  }
  return text.slice(0, cut);
}
