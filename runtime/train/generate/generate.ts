/**
 * Text generation with the GPU model: greedy, temperature and top-p (seeded) sampling, stop tokens,
 * stop strings and a token limit, batched across prompts of different lengths with a KV cache.
 *
 * The schedule and the sampler are the reference's (`runtime/train/reference/generate.ts`): rows
 * advance in lockstep, one token per unfinished row per step, row r samples with seed `seed + r`,
 * so row r equals a one-prompt run with seed `seed + r`. Prefill runs every prompt at once
 * (right-padded); each later step runs one token per row.
 */
import { forwardCached, GpuKvCache, type GpuKvPrefix } from "../gpu/decode.ts";
import type { GpuLlama } from "../gpu/model.ts";
import { createRng, type Rng } from "../model/random.ts";
import { type Generation, type StopReason, sampleToken } from "../reference/generate.ts";
import { type ChatMessage, ChatTemplate } from "../tokenizer/chat-template.ts";
import { encodeChatPrompt } from "../tokenizer/prompt.ts";
import type { TextTokenizer } from "../tokenizer/types.ts";

export type { Generation, StopReason };

export interface GpuGenerateOptions {
  maxNewTokens: number;
  /** 0 (default) is greedy decoding. */
  temperature?: number;
  /** Nucleus sampling: keep the most likely tokens whose probabilities reach topP (default 1). */
  topP?: number;
  /** Row r samples with seed + r (default 0). */
  seed?: number;
  /** Token ids that end a row (not included in its output). */
  stopTokenIds?: readonly number[];
  /** Strings that end a row; its text is cut before the first one. Needs `decode`. */
  stopStrings?: readonly string[];
  decode?: (ids: readonly number[]) => string;
  /** Decode with a KV cache (default) or re-run the whole sequence for every token. */
  useKvCache?: boolean;
  /**
   * One per prompt (or undefined): the keys and values of that conversation's earlier run. The
   * prompt's leading tokens found there are not run again, and the prefix is updated afterwards
   * with everything this call ran, ready for the conversation's next turn. Needs the KV cache.
   */
  prefixes?: readonly (GpuKvPrefix | undefined)[];
}

interface Row {
  sequence: number[];
  ids: number[];
  rng: Rng;
  result: Generation | undefined;
}

/** Continues each prompt (token ids); returns one Generation per prompt, in order. */
export async function generateIds(
  model: GpuLlama,
  prompts: readonly (readonly number[])[],
  options: GpuGenerateOptions,
): Promise<Generation[]> {
  if (prompts.length === 0) return [];
  prompts.forEach((prompt, index) => {
    if (prompt.length === 0) {
      throw new Error(`generate: prompt ${index} has no tokens; every prompt needs at least one (e.g. BOS).`);
    }
    for (const id of prompt) {
      if (!(Number.isInteger(id) && id >= 0 && id < model.config.vocabSize)) {
        throw new Error(
          `generate: prompt ${index} holds token id ${id}, outside the model's vocabulary (${model.config.vocabSize}); the tokenizer does not belong to this model.`,
        );
      }
    }
  });
  if ((options.stopStrings?.length ?? 0) > 0 && !options.decode) {
    throw new Error("generate: stopStrings need a decode function to read the generated text.");
  }
  const temperature = options.temperature ?? 0;
  const topP = options.topP ?? 1;
  const stopIds = new Set(options.stopTokenIds ?? []);
  const stopStrings = options.stopStrings ?? [];
  const contextLimit = model.config.maxPositionEmbeddings;
  const rows: Row[] = prompts.map((prompt, index) => ({
    sequence: [...prompt],
    ids: [],
    rng: createRng((options.seed ?? 0) + index),
    result: undefined,
  }));
  const finish = (row: Row, stopReason: StopReason): void => {
    row.result = options.decode
      ? { ids: row.ids, text: cutAtStopString(options.decode(row.ids), stopStrings), stopReason }
      : { ids: row.ids, stopReason };
  };
  for (const row of rows) {
    if (options.maxNewTokens <= 0) finish(row, "max_tokens");
    else if (row.sequence.length >= contextLimit) finish(row, "context_full");
  }
  if (rows.every((row) => row.result)) return rows.map((row) => row.result!);

  if (options.prefixes && options.prefixes.length !== prompts.length) {
    throw new Error(`generate: ${options.prefixes.length} prefixes for ${prompts.length} prompts.`);
  }
  const decoder: Decoder =
    options.useKvCache === false
      ? new UncachedDecoder(model)
      : new CachedDecoder(model, rows, options.maxNewTokens, options.prefixes);
  try {
    let logits = await decoder.start(rows);
    const vocab = model.config.vocabSize;
    while (rows.some((row) => !row.result)) {
      for (const [r, row] of rows.entries()) {
        if (row.result) continue;
        const token = sampleToken(logits.subarray(r * vocab, (r + 1) * vocab), temperature, topP, row.rng);
        if (stopIds.has(token)) {
          finish(row, "stop_token");
          continue;
        }
        row.ids.push(token);
        row.sequence.push(token);
        const text = stopStrings.length > 0 ? options.decode!(row.ids) : "";
        if (stopStrings.some((stop) => text.includes(stop))) finish(row, "stop_string");
        else if (row.ids.length >= options.maxNewTokens) finish(row, "max_tokens");
        else if (row.sequence.length >= contextLimit) finish(row, "context_full");
      }
      if (rows.every((row) => row.result)) break;
      logits = await decoder.next(rows);
    }
    await decoder.keep?.(rows);
  } finally {
    decoder.release();
  }
  return rows.map((row) => row.result!);
}

interface Decoder {
  /** Logits [rows, vocab] after each row's prompt (rows already finished: anything). */
  start(rows: Row[]): Promise<Float32Array>;
  /** Logits after each unfinished row's newest token. */
  next(rows: Row[]): Promise<Float32Array>;
  /** Keeps what the rows ran for their conversations' next turns (decoders that can). */
  keep?(rows: Row[]): Promise<void>;
  release(): void;
}

class CachedDecoder implements Decoder {
  private readonly cache: GpuKvCache;
  /** Leading prompt tokens of each row taken from its prefix instead of being run. */
  private readonly reused: number[];
  /** Rows that run (a prompt that already fills the context does not). */
  private readonly running: boolean[];

  constructor(
    private readonly model: GpuLlama,
    rows: Row[],
    maxNewTokens: number,
    private readonly prefixes: readonly (GpuKvPrefix | undefined)[] = [],
  ) {
    const longestActive = Math.max(1, ...rows.filter((row) => !row.result).map((row) => row.sequence.length));
    const capacity = Math.min(model.config.maxPositionEmbeddings, longestActive + maxNewTokens);
    this.cache = new GpuKvCache(model, rows.length, Math.max(capacity, longestActive));
    this.running = rows.map((row) => !row.result);
    // At least the prompt's last token runs: its logits give the first new token.
    this.reused = rows.map((row, r) =>
      row.result || !prefixes[r]
        ? 0
        : Math.min(prefixes[r].reusable(row.sequence), row.sequence.length - 1, this.cache.capacity),
    );
  }

  async start(rows: Row[]): Promise<Float32Array> {
    if (this.reused.some((n) => n > 0)) {
      const step = this.model.gpu.step({ label: "kv prefix load" });
      this.reused.forEach((n, r) => {
        if (n > 0) this.cache.loadRow(step, r, this.prefixes[r]!, n);
      });
      await step.submit();
    }
    // Finished rows (a prompt that fills the context) join with one token; their output is ignored.
    const suffixes = rows.map((row, r) =>
      row.result ? [row.sequence[0]] : row.sequence.slice(this.reused[r]),
    );
    const width = Math.max(...suffixes.map((suffix) => suffix.length));
    const tokens = new Uint32Array(rows.length * width);
    const positions = new Uint32Array(rows.length * width);
    const pick = new Uint32Array(rows.length);
    suffixes.forEach((suffix, r) => {
      for (let t = 0; t < width; t++) {
        tokens[r * width + t] = t < suffix.length ? suffix[t] : 0;
        // Padding lands past the row's end, where later tokens overwrite it before it is read.
        positions[r * width + t] = Math.min(this.reused[r] + t, this.cache.capacity - 1);
      }
      pick[r] = r * width + suffix.length - 1;
    });
    return forwardCached(this.cache, tokens, positions, width, pick);
  }

  async keep(rows: Row[]): Promise<void> {
    if (!this.prefixes.some((prefix) => prefix)) return;
    const step = this.model.gpu.step({ label: "kv prefix save" });
    rows.forEach((row, r) => {
      const prefix = this.prefixes[r];
      if (!prefix || !this.running[r]) return;
      // Every token but the newest has run (the newest may have ended the row unrun).
      const kept = Math.min(row.sequence.length - 1, this.cache.capacity, prefix.capacity);
      this.cache.saveRow(step, r, prefix, kept);
      prefix.ids = row.sequence.slice(0, kept);
    });
    await step.submit();
  }

  next(rows: Row[]): Promise<Float32Array> {
    const tokens = new Uint32Array(rows.length);
    const positions = new Uint32Array(rows.length);
    rows.forEach((row, r) => {
      tokens[r] = row.sequence[row.sequence.length - 1];
      // A finished row re-runs a token at a harmless in-range position; its result is ignored.
      positions[r] = Math.min(row.sequence.length - 1, this.cache.capacity - 1);
    });
    return forwardCached(this.cache, tokens, positions, 1, Uint32Array.from(rows.keys()));
  }

  release(): void {
    this.cache.release();
  }
}

/** Runs the full training forward over each unfinished row's whole sequence (the check path). */
class UncachedDecoder implements Decoder {
  constructor(private readonly model: GpuLlama) {}

  start(rows: Row[]): Promise<Float32Array> {
    return this.next(rows);
  }

  async next(rows: Row[]): Promise<Float32Array> {
    const vocab = this.model.config.vocabSize;
    const out = new Float32Array(rows.length * vocab);
    for (const [r, row] of rows.entries()) {
      if (row.result) continue;
      const { logits } = await this.model.forward({
        inputs: row.sequence,
        batchSize: 1,
        seqLen: row.sequence.length,
      });
      out.set(logits.subarray(logits.length - vocab), r * vocab);
    }
    return out;
  }

  release(): void {}
}

function cutAtStopString(text: string, stops: readonly string[]): string {
  let cut = text.length;
  for (const stop of stops) {
    const index = text.indexOf(stop);
    if (index >= 0 && index < cut) cut = index;
  }
  return text.slice(0, cut);
}

// -------------------------------------------------------------------------------------------------

export interface TextGenerateOptions extends Omit<GpuGenerateOptions, "decode"> {
  /** Renders chat prompts; default: the tokenizer's own chat template (tokenizer_config.json). */
  chatTemplate?: ChatTemplate;
  /** Drop special tokens from the returned text (default true). */
  skipSpecialTokens?: boolean;
}

/**
 * The runtime's entry point: continues text prompts (BOS prepended when the tokenizer has one) or
 * chat conversations (rendered with the chat template and its generation prompt) and returns the
 * generated text of each. Generation stops at the tokenizer's EOS unless `stopTokenIds` is given.
 */
export async function generate(
  model: GpuLlama,
  tokenizer: TextTokenizer & { chatTemplate?: string },
  prompts: readonly string[] | readonly ChatMessage[][],
  options: TextGenerateOptions,
): Promise<string[]> {
  const ids = prompts.map((prompt) => {
    if (typeof prompt === "string") {
      return tokenizer.bosId === undefined
        ? tokenizer.encode(prompt)
        : [tokenizer.bosId, ...tokenizer.encode(prompt)];
    }
    return encodeChatPrompt(tokenizer, chatTemplateOf(tokenizer, options.chatTemplate), prompt);
  });
  const stopTokenIds = options.stopTokenIds ?? (tokenizer.eosId === undefined ? [] : [tokenizer.eosId]);
  const skipSpecial = options.skipSpecialTokens ?? true;
  const generations = await generateIds(model, ids, {
    ...options,
    stopTokenIds,
    decode: (generated) => tokenizer.decode(generated, { skipSpecial }),
  });
  return generations.map((generation) => generation.text ?? "");
}

function chatTemplateOf(tokenizer: { chatTemplate?: string }, given: ChatTemplate | undefined): ChatTemplate {
  if (given) return given;
  if (!tokenizer.chatTemplate) {
    throw new Error(
      "generate: chat prompts need a chat template, and this tokenizer has none; pass options.chatTemplate or use a model directory whose tokenizer_config.json has a chat_template.",
    );
  }
  return new ChatTemplate(tokenizer.chatTemplate, "the tokenizer's chat_template");
}
