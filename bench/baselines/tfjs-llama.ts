/**
 * The training-throughput baseline: atune's Llama decoder written with TensorFlow.js (WebGPU backend,
 * its autograd and its Adam) and trained step by step on the same Dawn adapter.
 *
 * Same model as runtime/train/reference/model.ts: token embedding; per layer RMSNorm → q/k/v
 * projections (HF `[out, in]` weights, y = x·Wᵀ, no bias) → RoPE rotate-half on q and k → causal
 * attention with grouped-query heads (head h reads kv head ⌊h / group⌋) → o_proj → residual →
 * RMSNorm → SwiGLU MLP → residual; final RMSNorm; tied or untied lm_head; masked mean cross-entropy.
 *
 * Same training step as atune's: global-norm gradient clipping (torch's clip_grad_norm_), then AdamW.
 * TF.js has no AdamW, so the decoupled decay p ← p·(1 − lr·λ) on matrices (not norm weights) is one
 * extra multiply per matrix before `tf.train.adam`'s update — together exactly torch's AdamW.
 */
import type { AdamOptimizer, Scalar, Tensor, Tensor1D, Tensor2D, Variable } from "@tensorflow/tfjs";
import type { Batch } from "../../runtime/train/model/batch.ts";
import type { LlamaConfig } from "../../runtime/train/model/config.ts";
import { numElements, parameterShapes, type Weights } from "../../runtime/train/model/params.ts";
import { createRng } from "../../runtime/train/model/random.ts";
import { openTfWebGpu, type Tf } from "./tfjs-webgpu.ts";

export interface TfTrainingOptions {
  /** Learning rate (constant: the bench measures speed, not a schedule). Default 1e-3. */
  lr?: number;
  /** AdamW betas and eps; defaults are the AgentTuning recipe's (0.9, 0.95) and 1e-8. */
  beta1?: number;
  beta2?: number;
  eps?: number;
  /** Decoupled weight decay on matrices. Default 0.1. */
  weightDecay?: number;
  /** Clip the global gradient norm to this; 0 turns clipping off. Default 1.0. */
  maxGradNorm?: number;
}

/** A batch on the device: token ids, targets and the mask, plus 1 / (number of trained positions). */
export interface TfBatch {
  inputs: Tensor1D;
  targets: Tensor1D;
  mask: Tensor1D;
  batchSize: number;
  seqLen: number;
  inverseCount: number;
}

/** Masked-out attention scores: exp() of this is 0 in f32, and it stays finite (no inf·0 in backward). */
const MASKED_SCORE = -1e9;

export class TfLlama {
  /** Trainable variables by Hugging Face name. */
  readonly variables = new Map<string, Variable>();
  private readonly optimizer: AdamOptimizer;
  private readonly lr: number;
  private readonly weightDecay: number;
  private readonly maxGradNorm: number;
  /** RoPE cos/sin tables ([T, 1, headDim], halves repeated) and causal bias ([group·T, T]) by T. */
  private readonly constants = new Map<number, { cos: Tensor; sin: Tensor; causal: Tensor2D }>();

  constructor(
    readonly tf: Tf,
    readonly config: LlamaConfig,
    weights: Weights,
    options: TfTrainingOptions = {},
  ) {
    const problems = weightProblems(config, weights);
    if (problems.length > 0) {
      throw new Error(
        `TF.js Llama baseline: the weights do not fit the config (${problems.join("; ")}). ` +
          "Pass weights made for this config, e.g. initWeights(config, seed).",
      );
    }
    for (const name of parameterShapes(config).keys()) {
      const { shape, data } = weights.get(name)!;
      // Unnamed: TF.js variable names are process-global, and two models may coexist.
      const initial = tf.tensor(data, shape, "float32");
      this.variables.set(name, tf.variable(initial, true));
      initial.dispose(); // the variable holds its own reference to the data
    }
    this.lr = options.lr ?? 1e-3;
    this.weightDecay = options.weightDecay ?? 0.1;
    this.maxGradNorm = options.maxGradNorm ?? 1.0;
    this.optimizer = tf.train.adam(this.lr, options.beta1 ?? 0.9, options.beta2 ?? 0.95, options.eps ?? 1e-8);
  }

  /** Uploads a batch. Inputs and targets must be token ids; the mask defaults to all ones. */
  upload(batch: Batch): TfBatch {
    const rows = batch.batchSize * batch.seqLen;
    const vocab = this.config.vocabSize;
    const mask = batch.mask ?? new Uint8Array(rows).fill(1);
    if (!batch.targets) throw new Error("TF.js Llama baseline: the batch needs targets to compute a loss.");
    for (const [what, ids] of [
      ["inputs", batch.inputs],
      ["targets", batch.targets],
      ["mask", mask],
    ] as const) {
      if (ids.length !== rows) {
        throw new Error(
          `TF.js Llama baseline: ${what} has ${ids.length} entries; a ${batch.batchSize}×${batch.seqLen} batch needs ${rows}.`,
        );
      }
    }
    let count = 0;
    for (let n = 0; n < rows; n++) {
      if (!(batch.inputs[n] >= 0 && batch.inputs[n] < vocab && Number.isInteger(batch.inputs[n]))) {
        throw new Error(
          `TF.js Llama baseline: input id ${batch.inputs[n]} at position ${n} is not in [0, ${vocab}).`,
        );
      }
      if (
        mask[n] &&
        !(batch.targets[n] >= 0 && batch.targets[n] < vocab && Number.isInteger(batch.targets[n]))
      ) {
        throw new Error(
          `TF.js Llama baseline: target id ${batch.targets[n]} at position ${n} is not in [0, ${vocab}).`,
        );
      }
      count += mask[n];
    }
    const tf = this.tf;
    return {
      inputs: tf.tensor1d(Int32Array.from(batch.inputs), "int32"),
      // Untrained positions may hold any id; clamp so oneHot stays in range (their loss is masked anyway).
      targets: tf.tensor1d(
        Int32Array.from(batch.targets, (id) => Math.min(Math.max(id, 0), vocab - 1)),
        "int32",
      ),
      mask: tf.tensor1d(Float32Array.from(mask), "float32"),
      batchSize: batch.batchSize,
      seqLen: batch.seqLen,
      // The reference returns 0 for a batch with nothing to train; so does 0 · (1 / 1).
      inverseCount: 1 / Math.max(count, 1),
    };
  }

  /** Logits `[batch·seqLen, vocab]`. */
  logits(batch: TfBatch): Tensor2D {
    const tf = this.tf;
    const c = this.config;
    const { batchSize: b, seqLen: t } = batch;
    const rows = b * t;
    const group = c.numHeads / c.numKvHeads;
    const { cos, sin, causal } = this.constantsFor(t, group);
    const scale = 1 / Math.sqrt(c.headDim);
    const weight = (name: string) => this.variables.get(name)!;
    const project = (x: Tensor2D, name: string): Tensor2D => tf.matMul(x, weight(name), false, true);

    let x = tf.gather(weight("model.embed_tokens.weight"), batch.inputs) as Tensor2D;
    for (let layer = 0; layer < c.numLayers; layer++) {
      const prefix = `model.layers.${layer}.`;
      const h = this.rmsnorm(x, weight(`${prefix}input_layernorm.weight`));
      const q = rope(
        tf,
        project(h, `${prefix}self_attn.q_proj.weight`).reshape([b, t, c.numHeads, c.headDim]),
        cos,
        sin,
      );
      const k = rope(
        tf,
        project(h, `${prefix}self_attn.k_proj.weight`).reshape([b, t, c.numKvHeads, c.headDim]),
        cos,
        sin,
      );
      const v = project(h, `${prefix}self_attn.v_proj.weight`).reshape([b, t, c.numKvHeads, c.headDim]);
      // Heads h = kv·group + r are adjacent, so [b, heads, t, d] regroups to [b, kvHeads, group·t, d]:
      // each kv head's keys and values serve its query heads without being repeated.
      const qGrouped = q.transpose([0, 2, 1, 3]).reshape([b, c.numKvHeads, group * t, c.headDim]);
      const kHeads = k.transpose([0, 2, 1, 3]);
      const vHeads = v.transpose([0, 2, 1, 3]);
      const scores = tf.add(tf.mul(tf.matMul(qGrouped, kHeads, false, true), scale), causal);
      const attn = tf
        .matMul(tf.softmax(scores), vHeads)
        .reshape([b, c.numHeads, t, c.headDim])
        .transpose([0, 2, 1, 3])
        .reshape([rows, c.numHeads * c.headDim]) as Tensor2D;
      const mid = tf.add(x, project(attn, `${prefix}self_attn.o_proj.weight`)) as Tensor2D;
      const h2 = this.rmsnorm(mid, weight(`${prefix}post_attention_layernorm.weight`));
      const gate = project(h2, `${prefix}mlp.gate_proj.weight`);
      const up = project(h2, `${prefix}mlp.up_proj.weight`);
      const act = tf.mul(tf.mul(gate, tf.sigmoid(gate)), up) as Tensor2D;
      x = tf.add(mid, project(act, `${prefix}mlp.down_proj.weight`)) as Tensor2D;
    }
    const final = this.rmsnorm(x, weight("model.norm.weight"));
    const head = c.tieWordEmbeddings ? "model.embed_tokens.weight" : "lm_head.weight";
    return project(final, head);
  }

  /** Masked mean cross-entropy of the next-token predictions. */
  loss(batch: TfBatch): Scalar {
    const tf = this.tf;
    const logits = this.logits(batch);
    const logSumExp = tf.logSumExp(logits, 1);
    const picked = tf.sum(
      tf.mul(logits, tf.oneHot(batch.targets, this.config.vocabSize, 1, 0, "float32")),
      1,
    );
    return tf.mul(tf.sum(tf.mul(tf.sub(logSumExp, picked), batch.mask)), batch.inverseCount) as Scalar;
  }

  /**
   * One training step (forward, backward, clip, AdamW); returns the loss before the update as a
   * tensor, so a loop can run without waiting for the GPU. The caller disposes it.
   */
  trainStep(batch: TfBatch): Scalar {
    const tf = this.tf;
    return tf.tidy(() => {
      const variables = [...this.variables.values()];
      const { value, grads } = tf.variableGrads(() => this.loss(batch), variables);
      if (this.maxGradNorm > 0) {
        // A chain of adds, not tf.addN: its one shader binds every input and exceeds the adapter's
        // storage-buffer limit (8 on lavapipe) for more than a handful of tensors.
        const sumSquares = Object.values(grads)
          .map((g) => tf.sum(tf.square(g)))
          .reduce((total, term) => tf.add(total, term));
        // torch's clip_grad_norm_: scale by maxNorm / (norm + 1e-6) when that is below 1.
        const factor = tf.minimum(1, tf.div(this.maxGradNorm, tf.add(tf.sqrt(sumSquares), 1e-6)));
        for (const name of Object.keys(grads)) grads[name] = tf.mul(grads[name], factor);
      }
      if (this.weightDecay > 0) {
        const keep = 1 - this.lr * this.weightDecay;
        for (const variable of variables) if (variable.rank >= 2) variable.assign(tf.mul(variable, keep));
      }
      this.optimizer.applyGradients(Object.entries(grads).map(([name, tensor]) => ({ name, tensor })));
      return value;
    });
  }

  /** The current weights (f32, HF names), read back from the device. */
  async exportWeights(): Promise<Weights> {
    const weights: Weights = new Map();
    for (const [name, variable] of this.variables) {
      weights.set(name, { shape: [...variable.shape], data: (await variable.data()) as Float32Array });
    }
    return weights;
  }

  dispose(): void {
    for (const variable of this.variables.values()) variable.dispose();
    this.variables.clear();
    this.optimizer.dispose();
    for (const { cos, sin, causal } of this.constants.values()) this.tf.dispose([cos, sin, causal]);
    this.constants.clear();
  }

  private rmsnorm(x: Tensor2D, weight: Variable): Tensor2D {
    const tf = this.tf;
    const meanSquare = tf.mean(tf.square(x), 1, true);
    return tf.mul(tf.mul(x, tf.rsqrt(tf.add(meanSquare, this.config.rmsNormEps))), weight) as Tensor2D;
  }

  private constantsFor(seqLen: number, group: number) {
    let entry = this.constants.get(seqLen);
    if (!entry) {
      const tf = this.tf;
      const { headDim, ropeTheta } = this.config;
      const half = headDim / 2;
      const cos = new Float32Array(seqLen * headDim);
      const sin = new Float32Array(seqLen * headDim);
      for (let p = 0; p < seqLen; p++) {
        for (let i = 0; i < half; i++) {
          const angle = p * ropeTheta ** ((-2 * i) / headDim);
          cos[p * headDim + i] = cos[p * headDim + i + half] = Math.cos(angle);
          sin[p * headDim + i] = sin[p * headDim + i + half] = Math.sin(angle);
        }
      }
      const causal = new Float32Array(group * seqLen * seqLen);
      for (let row = 0; row < group * seqLen; row++) {
        const position = row % seqLen;
        for (let u = position + 1; u < seqLen; u++) causal[row * seqLen + u] = MASKED_SCORE;
      }
      // Kept: the first call usually happens inside trainStep's tidy, which would dispose them.
      entry = {
        cos: tf.keep(tf.tensor3d(cos, [seqLen, 1, headDim])),
        sin: tf.keep(tf.tensor3d(sin, [seqLen, 1, headDim])),
        causal: tf.keep(tf.tensor2d(causal, [group * seqLen, seqLen])),
      };
      this.constants.set(seqLen, entry);
    }
    return entry;
  }
}

/** HF rotate-half RoPE on x `[b, t, heads, d]`: x·cos + rotate_half(x)·sin, rotate_half = (−x₂, x₁). */
function rope(tf: Tf, x: Tensor, cos: Tensor, sin: Tensor): Tensor {
  const [first, second] = tf.split(x, 2, 3);
  const rotated = tf.concat([tf.neg(second), first], 3);
  return tf.add(tf.mul(x, cos), tf.mul(rotated, sin));
}

function weightProblems(config: LlamaConfig, weights: Weights): string[] {
  const problems: string[] = [];
  for (const [name, shape] of parameterShapes(config)) {
    const tensor = weights.get(name);
    if (!tensor) problems.push(`tensor '${name}' is missing`);
    else if (tensor.shape.join(",") !== shape.join(",") || tensor.data.length !== numElements(shape)) {
      problems.push(`tensor '${name}' has shape [${tensor.shape}], expected [${shape}]`);
    }
  }
  return problems;
}

export interface ThroughputOptions extends TfTrainingOptions {
  batch: number;
  seqLen: number;
  /** Timed steps. */
  steps: number;
  /** Untimed steps first (shader compilation, buffer allocation). */
  warmup: number;
  /** Training data, used in turn; default: uniform random tokens from `seed`. */
  batches?: readonly Batch[];
  seed?: number;
}

export interface ThroughputResult {
  tokensPerSecond: number;
  /** The loss of every step, warm-up steps first. */
  losses: number[];
  adapterName: string;
}

/**
 * Opens TF.js on WebGPU, builds the model from `weights`, runs `warmup` steps (waiting for each), then
 * times `steps` steps queued back to back with one wait for the GPU at the end, and disposes everything
 * (the process can exit afterwards). Tokens per second counts batch·seqLen tokens per timed step.
 */
export async function tfjsTrainingThroughput(
  config: LlamaConfig,
  weights: Weights,
  options: ThroughputOptions,
): Promise<ThroughputResult> {
  for (const key of ["batch", "seqLen", "steps"] as const) {
    if (!Number.isInteger(options[key]) || options[key] <= 0) {
      throw new Error(`tfjsTrainingThroughput: ${key} must be a positive integer, got ${options[key]}.`);
    }
  }
  if (!Number.isInteger(options.warmup) || options.warmup < 0) {
    throw new Error(`tfjsTrainingThroughput: warmup must be a non-negative integer, got ${options.warmup}.`);
  }
  const batches =
    options.batches ?? randomBatches(config.vocabSize, options.batch, options.seqLen, options.seed ?? 1);
  if (batches.length === 0)
    throw new Error("tfjsTrainingThroughput: batches is empty; pass at least one batch.");
  for (const [index, batch] of batches.entries()) {
    if (batch.batchSize !== options.batch || batch.seqLen !== options.seqLen) {
      throw new Error(
        `tfjsTrainingThroughput: batches[${index}] is ${batch.batchSize}×${batch.seqLen}; the options say ${options.batch}×${options.seqLen}.`,
      );
    }
  }

  const session = await openTfWebGpu();
  const { tf } = session;
  let model: TfLlama | undefined;
  try {
    model = new TfLlama(tf, config, weights, options);
    const runStep = (index: number): Scalar => {
      const batch = model!.upload(batches[index % batches.length]);
      try {
        return model!.trainStep(batch);
      } finally {
        tf.dispose([batch.inputs, batch.targets, batch.mask]);
      }
    };
    const losses: number[] = [];
    for (let i = 0; i < options.warmup; i++) {
      const loss = runStep(i);
      losses.push((await loss.data())[0]);
      loss.dispose();
    }
    await session.sync();
    const pending: Scalar[] = [];
    const start = performance.now();
    for (let i = 0; i < options.steps; i++) pending.push(runStep(options.warmup + i));
    // Reading the last loss flushes TF.js's queued commands (the last update included); then wait for them.
    await pending[pending.length - 1].data();
    await session.sync();
    const seconds = (performance.now() - start) / 1000;
    session.assertNoErrors("the TF.js training steps");
    for (const loss of pending) losses.push((await loss.data())[0]);
    tf.dispose(pending);
    return {
      tokensPerSecond: (options.steps * options.batch * options.seqLen) / seconds,
      losses,
      adapterName: session.adapterName,
    };
  } finally {
    model?.dispose();
    session.close();
  }
}

/** Four batches of uniform random tokens (next-token targets), all positions trained. */
export function randomBatches(vocab: number, batchSize: number, seqLen: number, seed: number): Batch[] {
  const rng = createRng(seed);
  return Array.from({ length: 4 }, () => {
    const tokens = Int32Array.from({ length: batchSize * (seqLen + 1) }, () =>
      Math.floor(rng.uniform() * vocab),
    );
    const inputs = new Int32Array(batchSize * seqLen);
    const targets = new Int32Array(batchSize * seqLen);
    for (let row = 0; row < batchSize; row++) {
      inputs.set(tokens.subarray(row * (seqLen + 1), row * (seqLen + 1) + seqLen), row * seqLen);
      targets.set(tokens.subarray(row * (seqLen + 1) + 1, (row + 1) * (seqLen + 1)), row * seqLen);
    }
    return { inputs, targets, mask: new Uint8Array(batchSize * seqLen).fill(1), batchSize, seqLen };
  });
}
