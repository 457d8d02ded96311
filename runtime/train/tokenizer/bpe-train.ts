/**
 * Trains a byte-level BPE tokenizer (GPT-2 style): text is split into pre-tokens by GPT-2's
 * pattern (a word with its leading space, a number, a run of punctuation, whitespace), each
 * pre-token spelled as bytes, and the most frequent adjacent pair of symbols is merged, again and
 * again, until the vocabulary is full. The merges go into a Hugging Face `tokenizer.json`
 * (byteTokenizerFiles), so encoding is done by the same tokenizers.js code as for any model.
 */
import { byteLevelAlphabet } from "./byte.ts";

/** GPT-2's pre-tokenizer pattern: the one tokenizers.js applies for `ByteLevel { use_regex: true }`. */
export const GPT2_PATTERN = /'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+/gu;

export interface BpeTrainingOptions {
  /** Merges to learn at most (the vocabulary grows by one token per merge). */
  merges: number;
  /** A pair seen fewer times than this is never merged (default 2: a merge must save something). */
  minCount?: number;
}

/**
 * Learns up to `options.merges` merges from `texts`, most frequent pair first (ties: the pair
 * whose spelling sorts first, so the result depends on the texts alone). Each merge is a pair of
 * symbols in the byte-level alphabet, as tokenizer.json's `merges` lists them.
 */
export function trainBpeMerges(
  texts: Iterable<string>,
  options: BpeTrainingOptions,
): Array<[string, string]> {
  const minCount = options.minCount ?? 2;
  const alphabet = byteLevelAlphabet();
  const encoder = new TextEncoder();

  // Distinct pre-tokens with their counts; each is a list of symbols that merges shorten.
  const counts = new Map<string, number>();
  for (const text of texts) {
    for (const piece of text.match(GPT2_PATTERN) ?? []) counts.set(piece, (counts.get(piece) ?? 0) + 1);
  }
  const words: Array<{ symbols: string[]; count: number }> = [];
  for (const [piece, count] of counts) {
    words.push({ symbols: Array.from(encoder.encode(piece), (byte) => alphabet[byte]), count });
  }

  const merges: Array<[string, string]> = [];
  while (merges.length < options.merges) {
    const best = mostFrequentPair(words);
    if (!best || best.count < minCount) break;
    const [left, right] = best.pair;
    merges.push([left, right]);
    for (const word of words) mergePair(word.symbols, left, right);
  }
  return merges;
}

function mostFrequentPair(
  words: ReadonlyArray<{ symbols: string[]; count: number }>,
): { pair: [string, string]; count: number } | undefined {
  // Keyed by "left right": byte-level symbols never contain a space (it is spelled "Ġ").
  const pairCounts = new Map<string, number>();
  for (const { symbols, count } of words) {
    for (let i = 0; i + 1 < symbols.length; i++) {
      const key = `${symbols[i]} ${symbols[i + 1]}`;
      pairCounts.set(key, (pairCounts.get(key) ?? 0) + count);
    }
  }
  let bestKey: string | undefined;
  let bestCount = 0;
  for (const [key, count] of pairCounts) {
    if (count > bestCount || (count === bestCount && bestKey !== undefined && key < bestKey)) {
      bestKey = key;
      bestCount = count;
    }
  }
  if (bestKey === undefined) return undefined;
  const [left, right] = bestKey.split(" ") as [string, string];
  return { pair: [left, right], count: bestCount };
}

/** Replaces each non-overlapping `left right` in `symbols` (left to right) by their join. */
function mergePair(symbols: string[], left: string, right: string): void {
  let write = 0;
  for (let read = 0; read < symbols.length; read++) {
    if (read + 1 < symbols.length && symbols[read] === left && symbols[read + 1] === right) {
      symbols[write++] = left + right;
      read++;
    } else {
      symbols[write++] = symbols[read];
    }
  }
  symbols.length = write;
}
