/**
 * A batch of `batchSize` rows of `seqLen` tokens, flattened row-major. `targets[n]` is the token to
 * predict after `inputs[n]`; `mask[n]` (0/1, default all 1) says whether that prediction is trained.
 */
export interface Batch {
  inputs: ArrayLike<number>;
  targets?: ArrayLike<number>;
  mask?: ArrayLike<number>;
  batchSize: number;
  seqLen: number;
}

/** A batch made by makeBatch: typed arrays, targets and mask always present. */
export interface PackedBatch extends Batch {
  inputs: Int32Array;
  targets: Int32Array;
  mask: Uint8Array;
}

/** A tokenized example: ids and a per-token mask (1 = this token is a training target). */
export interface MaskedExample {
  ids: ArrayLike<number>;
  mask: ArrayLike<number>;
}

/**
 * Packs examples into a next-token batch: row b predicts ids[t+1] from ids[..t], trained where
 * mask[t+1] is 1. Rows are cut to seqLen + 1 tokens and padded with `padId` (never trained).
 */
export function makeBatch(examples: readonly MaskedExample[], seqLen: number, padId: number): PackedBatch {
  const rows = examples.length;
  const inputs = new Int32Array(rows * seqLen).fill(padId);
  const targets = new Int32Array(rows * seqLen).fill(padId);
  const mask = new Uint8Array(rows * seqLen);
  examples.forEach((example, row) => {
    if (example.ids.length !== example.mask.length) {
      throw new Error(`example ${row}: ${example.ids.length} ids but ${example.mask.length} mask entries`);
    }
    const length = Math.min(example.ids.length - 1, seqLen);
    for (let t = 0; t < length; t++) {
      inputs[row * seqLen + t] = example.ids[t];
      targets[row * seqLen + t] = example.ids[t + 1];
      mask[row * seqLen + t] = example.mask[t + 1] ? 1 : 0;
    }
  });
  return { inputs, targets, mask, batchSize: rows, seqLen };
}
