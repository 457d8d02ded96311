/**
 * Training data for the loop: conversation records → token ids and loss masks (part B's
 * encodeConversation), then batches padded within length buckets: examples sorted by length are cut
 * into consecutive groups of `batchSize`, so each batch pads only to its own longest example. The
 * batches' order is shuffled per epoch from the seed, so a data position (a count of micro-batches
 * consumed) names exactly the same batch in every run — what makes resume exact.
 */
import { makeBatch, type PackedBatch } from "../model/batch.ts";
import { createRng } from "../model/random.ts";
import type { ChatTemplate } from "../tokenizer/chat-template.ts";
import { type ConversationRecord, encodeConversation, type LossMode } from "../tokenizer/loss-mask.ts";
import type { TextTokenizer } from "../tokenizer/types.ts";

export interface EncodingOptions {
  tokenizer: TextTokenizer;
  template: ChatTemplate;
  /** The text that ends a turn in the template (`<|eos|>`, `<|im_end|>`, …); it is trained. */
  endOfTurn: string;
  lossMode: LossMode;
  /** Longest sequence trained on (predictions per row); longer conversations keep their head. */
  maxSeqLen: number;
}

export interface TrainingExample {
  recordId: string;
  ids: number[];
  mask: Uint8Array;
  /** Predictions this example makes in a batch: ids.length − 1. */
  length: number;
}

export interface EncodedData {
  examples: TrainingExample[];
  /** Records with no trained token left within maxSeqLen (nothing to learn from them). */
  withoutTrainedTokens: string[];
  /** Records cut to maxSeqLen. */
  truncated: number;
}

export function encodeRecords(records: readonly ConversationRecord[], options: EncodingOptions): EncodedData {
  if (!(Number.isInteger(options.maxSeqLen) && options.maxSeqLen > 0)) {
    throw new Error(`maxSeqLen must be a positive integer, got ${options.maxSeqLen}.`);
  }
  const examples: TrainingExample[] = [];
  const withoutTrainedTokens: string[] = [];
  let truncated = 0;
  for (const record of records) {
    const encoded = encodeConversation(record, {
      tokenizer: options.tokenizer,
      template: options.template,
      endOfTurn: options.endOfTurn,
      mode: options.lossMode,
      maxLength: options.maxSeqLen + 1,
    });
    if (encoded.droppedTokens > 0) truncated++;
    // Token 0 is never a target (nothing precedes it).
    if (encoded.ids.length < 2 || !encoded.mask.subarray(1).some((m) => m !== 0)) {
      withoutTrainedTokens.push(record.id);
      continue;
    }
    examples.push({
      recordId: record.id,
      ids: encoded.ids,
      mask: encoded.mask,
      length: encoded.ids.length - 1,
    });
  }
  return { examples, withoutTrainedTokens, truncated };
}

/**
 * Packing: whole examples, in a seeded shuffled order, are laid end to end into rows of at most
 * maxSeqLen predictions, so short conversations fill a long row instead of padding a batch. Later
 * examples in a row attend to earlier ones (as in ordinary LM pretraining), which is what teaches a
 * model positions far beyond its longest single example. An example longer than a row is its own
 * row. Each row keeps its examples' loss masks.
 */
export function packExamples(
  examples: readonly TrainingExample[],
  maxSeqLen: number,
  seed: number,
): TrainingExample[] {
  const order = epochOrder(examples.length, seed, -1);
  const rows: TrainingExample[] = [];
  let parts: TrainingExample[] = [];
  let tokens = 0;
  const close = () => {
    if (parts.length === 0) return;
    const ids = parts.flatMap((part) => part.ids);
    const mask = new Uint8Array(ids.length);
    let at = 0;
    for (const part of parts) {
      mask.set(part.mask, at);
      at += part.ids.length;
    }
    rows.push({ recordId: parts.map((part) => part.recordId).join("+"), ids, mask, length: ids.length - 1 });
    parts = [];
    tokens = 0;
  };
  for (const index of order) {
    const example = examples[index];
    // A row of n tokens makes n − 1 predictions, at most maxSeqLen.
    if (parts.length > 0 && tokens + example.ids.length - 1 > maxSeqLen) close();
    parts.push(example);
    tokens += example.ids.length;
  }
  close();
  return rows;
}

/** One batch: which examples, padded to which length. */
export interface BatchPlan {
  examples: number[];
  seqLen: number;
}

/**
 * Length buckets: examples sorted by length (ties by index) in groups of `batchSize`; each group's
 * length is its longest example rounded up to a multiple of `multiple` (at most maxSeqLen), so
 * nearby lengths share one activation shape.
 */
export function planBatches(
  examples: readonly TrainingExample[],
  batchSize: number,
  maxSeqLen: number,
  multiple = 8,
): BatchPlan[] {
  if (!(Number.isInteger(batchSize) && batchSize > 0)) {
    throw new Error(`batchSize must be a positive integer, got ${batchSize}.`);
  }
  const order = [...examples.keys()].sort((a, b) => examples[a].length - examples[b].length || a - b);
  const plans: BatchPlan[] = [];
  for (let start = 0; start < order.length; start += batchSize) {
    const group = order.slice(start, start + batchSize);
    const longest = Math.max(...group.map((i) => examples[i].length));
    plans.push({ examples: group, seqLen: Math.min(maxSeqLen, Math.ceil(longest / multiple) * multiple) });
  }
  return plans;
}

/** The batch order of `epoch`: a Fisher–Yates shuffle seeded by (seed, epoch). */
export function epochOrder(batchCount: number, seed: number, epoch: number): number[] {
  const rng = createRng((seed * 1_000_003 + epoch * 7919) >>> 0);
  const order = [...Array(batchCount).keys()];
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(rng.uniform() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  return order;
}

/** The micro-batch at data position `position` (micro-batches consumed so far, across epochs). */
export function batchAt(plans: readonly BatchPlan[], seed: number, position: number): BatchPlan {
  const epoch = Math.floor(position / plans.length);
  return plans[epochOrder(plans.length, seed, epoch)[position % plans.length]];
}

/**
 * Builds the batches of one optimizer step, padded to a common shape (the largest batch size and
 * length among them): padded rows and positions are never trained, so the loss is unchanged.
 */
export function stepBatches(
  examples: readonly TrainingExample[],
  plans: readonly BatchPlan[],
  padId: number,
): PackedBatch[] {
  const batchSize = Math.max(...plans.map((p) => p.examples.length));
  const seqLen = Math.max(...plans.map((p) => p.seqLen));
  return plans.map((plan) => {
    const rows = plan.examples.map((i) => examples[i]);
    while (rows.length < batchSize)
      rows.push({ recordId: "", ids: [padId], mask: new Uint8Array(1), length: 0 });
    return makeBatch(rows, seqLen, padId);
  });
}
