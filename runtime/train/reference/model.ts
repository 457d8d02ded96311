import type { Batch } from "../model/batch.ts";
import type { LlamaConfig } from "../model/config.ts";
import { type LoraAdapter, type LoraConfig, loraScale } from "../model/lora.ts";
import {
  initWeights,
  numElements,
  parameterShapes,
  projectionWeightName,
  type Weights,
} from "../model/params.ts";
import {
  type AttentionShape,
  addForward,
  attentionBackward,
  attentionForward,
  crossEntropyBackward,
  crossEntropyForward,
  embeddingBackward,
  embeddingForward,
  linearBackward,
  linearForward,
  type RopeTables,
  rmsnormBackward,
  rmsnormForward,
  ropeBackward,
  ropeForward,
  ropeTables,
  swigluBackward,
  swigluForward,
  type Vec,
} from "./ops.ts";

export type { Batch };

/** A parameter the optimiser updates, with its gradient and whether weight decay applies. */
export interface TrainableParameter {
  name: string;
  value: Vec;
  grad: Vec;
  /** Matrices decay; norm weights (1-D) do not — the usual GPT/llm.c choice. */
  decay: boolean;
}

interface LoraState {
  config: LoraConfig;
  scale: number;
  a: Map<string, Vec>;
  b: Map<string, Vec>;
  gradA: Map<string, Vec>;
  gradB: Map<string, Vec>;
}

interface LayerActivations {
  input: Vec;
  norm1: Vec;
  rstd1: Vec;
  q: Vec;
  k: Vec;
  v: Vec;
  probs: Vec;
  attn: Vec;
  mid: Vec;
  norm2: Vec;
  rstd2: Vec;
  gate: Vec;
  up: Vec;
  act: Vec;
  /** x·Aᵀ of each LoRA-adapted projection, by base weight name. */
  loraHidden: Map<string, Vec>;
}

interface ForwardState {
  batch: Batch;
  positions: Int32Array;
  layers: LayerActivations[];
  finalInput: Vec;
  finalNorm: Vec;
  finalRstd: Vec;
  probs: Vec;
  targets: ArrayLike<number>;
  mask: ArrayLike<number>;
}

/** Keys and values of every layer for one sequence, for incremental decoding. */
export interface KvCache {
  length: number;
  capacity: number;
  keys: Vec[];
  values: Vec[];
}

/**
 * The plain TypeScript Llama decoder in Float64: the ground truth the WGSL model is tested against.
 * Forward keeps every activation; backward computes the gradients of all trainable parameters (the
 * base weights, or only the LoRA matrices when an adapter is attached with the base frozen).
 */
export class ReferenceLlama {
  readonly config: LlamaConfig;
  readonly params = new Map<string, Vec>();
  readonly grads = new Map<string, Vec>();
  readonly shapes: Map<string, number[]>;
  /** False while a LoRA adapter trains: base weights get no gradient and stay bit-identical. */
  trainBase = true;
  private lora: LoraState | undefined;
  private state: ForwardState | undefined;
  private rope: RopeTables;

  constructor(config: LlamaConfig, weights: Map<string, Vec>) {
    this.config = config;
    this.shapes = parameterShapes(config);
    for (const [name, shape] of this.shapes) {
      const value = weights.get(name);
      if (!value || value.length !== numElements(shape)) {
        throw new Error(`reference model: weight '${name}' is missing or not of shape [${shape}]`);
      }
      this.params.set(name, value);
      this.grads.set(name, new Float64Array(value.length));
    }
    this.rope = ropeTables(config.headDim, config.ropeTheta, Math.min(config.maxPositionEmbeddings, 64));
  }

  /** Copies f32 weights (HF names) into a new Float64 model. */
  static fromWeights(config: LlamaConfig, weights: Weights): ReferenceLlama {
    const values = new Map<string, Vec>();
    for (const [name, tensor] of weights) values.set(name, Float64Array.from(tensor.data));
    return new ReferenceLlama(config, values);
  }

  static initialize(config: LlamaConfig, seed: number): ReferenceLlama {
    return ReferenceLlama.fromWeights(config, initWeights(config, seed));
  }

  /** The weights rounded to f32, for saving or for loading into the GPU model. */
  exportWeights(): Weights {
    const weights: Weights = new Map();
    for (const [name, value] of this.params) {
      weights.set(name, { shape: [...this.shapes.get(name)!], data: Float32Array.from(value) });
    }
    return weights;
  }

  /** The last backward's gradients rounded to f32, keyed like the weights (for GPU comparisons). */
  exportGradients(): Weights {
    const gradients: Weights = new Map();
    for (const [name, grad] of this.grads) {
      gradients.set(name, { shape: [...this.shapes.get(name)!], data: Float32Array.from(grad) });
    }
    return gradients;
  }

  /** Adapts the model with `adapter` and freezes the base weights. */
  attachLora(adapter: LoraAdapter): void {
    const state: LoraState = {
      config: structuredClone(adapter.config),
      scale: loraScale(adapter.config),
      a: new Map(),
      b: new Map(),
      gradA: new Map(),
      gradB: new Map(),
    };
    for (const [name, pair] of adapter.pairs) {
      const shape = this.shapes.get(name);
      if (!shape || pair.a.shape[1] !== shape[1] || pair.b.shape[0] !== shape[0]) {
        throw new Error(`reference model: the LoRA pair for '${name}' does not fit this model`);
      }
      state.a.set(name, Float64Array.from(pair.a.data));
      state.b.set(name, Float64Array.from(pair.b.data));
      state.gradA.set(name, new Float64Array(pair.a.data.length));
      state.gradB.set(name, new Float64Array(pair.b.data.length));
    }
    this.lora = state;
    this.trainBase = false;
  }

  /** The attached adapter's current matrices (f32), ready to save in PEFT's layout. */
  exportLora(): LoraAdapter {
    if (!this.lora) throw new Error("reference model: no LoRA adapter is attached");
    const { config, a, b } = this.lora;
    const pairs = new Map();
    for (const [name, aValue] of a) {
      const [out, inFeatures] = this.shapes.get(name)!;
      pairs.set(name, {
        a: { shape: [config.r, inFeatures], data: Float32Array.from(aValue) },
        b: { shape: [out, config.r], data: Float32Array.from(b.get(name)!) },
      });
    }
    return { config: structuredClone(config), pairs };
  }

  /** What the optimiser updates: the LoRA matrices when an adapter is attached, else every weight. */
  trainableParameters(): TrainableParameter[] {
    const list: TrainableParameter[] = [];
    if (this.trainBase) {
      for (const [name, value] of this.params) {
        list.push({ name, value, grad: this.grads.get(name)!, decay: this.shapes.get(name)!.length >= 2 });
      }
    }
    if (this.lora) {
      for (const [name, value] of this.lora.a) {
        const base = name.replace(/\.weight$/, "");
        list.push({ name: `${base}.lora_A.weight`, value, grad: this.lora.gradA.get(name)!, decay: true });
        list.push({
          name: `${base}.lora_B.weight`,
          value: this.lora.b.get(name)!,
          grad: this.lora.gradB.get(name)!,
          decay: true,
        });
      }
    }
    return list;
  }

  zeroGrads(): void {
    for (const grad of this.grads.values()) grad.fill(0);
    if (this.lora) {
      for (const grad of this.lora.gradA.values()) grad.fill(0);
      for (const grad of this.lora.gradB.values()) grad.fill(0);
    }
  }

  // -------------------------------------------------------------------------------------------
  // Training forward/backward over a batch.

  /** Logits `[batch·seqLen, vocab]` and, when the batch has targets, the masked mean loss. */
  forward(batch: Batch): { logits: Vec; loss: number } {
    const c = this.config;
    const rows = batch.batchSize * batch.seqLen;
    if (batch.inputs.length !== rows) {
      throw new Error(
        `reference model: ${batch.inputs.length} inputs for a ${batch.batchSize}×${batch.seqLen} batch`,
      );
    }
    this.ensureRope(batch.seqLen);
    const positions = new Int32Array(rows);
    for (let n = 0; n < rows; n++) positions[n] = n % batch.seqLen;
    for (let n = 0; n < rows; n++) {
      if (!(batch.inputs[n] >= 0 && batch.inputs[n] < c.vocabSize)) {
        throw new Error(
          `reference model: token id ${batch.inputs[n]} at position ${n} is outside the vocabulary`,
        );
      }
    }
    const shape = this.attentionShape(batch.batchSize, batch.seqLen);
    const qDim = c.numHeads * c.headDim;

    let x = new Float64Array(rows * c.hiddenSize);
    embeddingForward(x, batch.inputs, this.param("model.embed_tokens.weight"), c.hiddenSize);
    const layers: LayerActivations[] = [];
    for (let layer = 0; layer < c.numLayers; layer++) {
      const prefix = `model.layers.${layer}.`;
      const loraHidden = new Map<string, Vec>();
      const norm1 = new Float64Array(rows * c.hiddenSize);
      const rstd1 = new Float64Array(rows);
      rmsnormForward(
        norm1,
        rstd1,
        x,
        this.param(`${prefix}input_layernorm.weight`),
        rows,
        c.hiddenSize,
        c.rmsNormEps,
      );
      const q = this.project(projectionWeightName(layer, "q_proj"), norm1, rows, loraHidden);
      const k = this.project(projectionWeightName(layer, "k_proj"), norm1, rows, loraHidden);
      const v = this.project(projectionWeightName(layer, "v_proj"), norm1, rows, loraHidden);
      ropeForward(q, positions, c.numHeads, this.rope);
      ropeForward(k, positions, c.numKvHeads, this.rope);
      const probs = new Float64Array(batch.batchSize * c.numHeads * batch.seqLen * batch.seqLen);
      const attn = new Float64Array(rows * qDim);
      attentionForward(attn, probs, q, k, v, shape);
      const attnOut = this.project(projectionWeightName(layer, "o_proj"), attn, rows, loraHidden);
      const mid = new Float64Array(rows * c.hiddenSize);
      addForward(mid, x, attnOut);
      const norm2 = new Float64Array(rows * c.hiddenSize);
      const rstd2 = new Float64Array(rows);
      rmsnormForward(
        norm2,
        rstd2,
        mid,
        this.param(`${prefix}post_attention_layernorm.weight`),
        rows,
        c.hiddenSize,
        c.rmsNormEps,
      );
      const gate = this.project(projectionWeightName(layer, "gate_proj"), norm2, rows, loraHidden);
      const up = this.project(projectionWeightName(layer, "up_proj"), norm2, rows, loraHidden);
      const act = new Float64Array(rows * c.intermediateSize);
      swigluForward(act, gate, up);
      const down = this.project(projectionWeightName(layer, "down_proj"), act, rows, loraHidden);
      const out = new Float64Array(rows * c.hiddenSize);
      addForward(out, mid, down);
      layers.push({
        input: x,
        norm1,
        rstd1,
        q,
        k,
        v,
        probs,
        attn,
        mid,
        norm2,
        rstd2,
        gate,
        up,
        act,
        loraHidden,
      });
      x = out;
    }
    const finalNorm = new Float64Array(rows * c.hiddenSize);
    const finalRstd = new Float64Array(rows);
    rmsnormForward(
      finalNorm,
      finalRstd,
      x,
      this.param("model.norm.weight"),
      rows,
      c.hiddenSize,
      c.rmsNormEps,
    );
    const logits = new Float64Array(rows * c.vocabSize);
    linearForward(logits, finalNorm, this.param(this.headName()), rows, c.hiddenSize, c.vocabSize);

    const probs = new Float64Array(rows * c.vocabSize);
    let loss = Number.NaN;
    const targets = batch.targets;
    const mask = batch.mask ?? new Uint8Array(rows).fill(1);
    if (targets) {
      if (targets.length !== rows || mask.length !== rows) {
        throw new Error(`reference model: targets and mask must have ${rows} entries`);
      }
      for (let n = 0; n < rows; n++) {
        if (mask[n] && !(targets[n] >= 0 && targets[n] < c.vocabSize)) {
          throw new Error(
            `reference model: target id ${targets[n]} at position ${n} is outside the vocabulary`,
          );
        }
      }
      loss = crossEntropyForward(probs, logits, targets, mask, c.vocabSize);
    }
    this.state = {
      batch,
      positions,
      layers,
      finalInput: x,
      finalNorm,
      finalRstd,
      probs,
      targets: targets ?? [],
      mask,
    };
    return { logits, loss };
  }

  /** Gradients of the last forward's loss, written (not accumulated) into the gradient buffers. */
  backward(): void {
    const state = this.state;
    if (!state || state.targets.length === 0) {
      throw new Error("reference model: backward() needs a forward() on a batch with targets first");
    }
    const c = this.config;
    const rows = state.batch.batchSize * state.batch.seqLen;
    const shape = this.attentionShape(state.batch.batchSize, state.batch.seqLen);
    const qDim = c.numHeads * c.headDim;
    const kvDim = c.numKvHeads * c.headDim;
    this.zeroGrads();

    const dlogits = new Float64Array(rows * c.vocabSize);
    crossEntropyBackward(dlogits, state.probs, state.targets, state.mask, c.vocabSize);
    const dfinal = new Float64Array(rows * c.hiddenSize);
    const head = this.headName();
    linearBackward(
      dfinal,
      this.baseGrad(head),
      dlogits,
      state.finalNorm,
      this.param(head),
      rows,
      c.hiddenSize,
      c.vocabSize,
    );
    let dx = new Float64Array(rows * c.hiddenSize);
    rmsnormBackward(
      dx,
      this.baseGrad("model.norm.weight"),
      dfinal,
      state.finalInput,
      this.param("model.norm.weight"),
      state.finalRstd,
      rows,
      c.hiddenSize,
    );

    for (let layer = c.numLayers - 1; layer >= 0; layer--) {
      const a = state.layers[layer];
      const prefix = `model.layers.${layer}.`;
      // out = mid + down(act): the residual passes dx to mid unchanged.
      const dmid = Float64Array.from(dx);
      const dact = new Float64Array(rows * c.intermediateSize);
      this.projectBackward(projectionWeightName(layer, "down_proj"), dact, dx, a.act, rows, a.loraHidden);
      const dgate = new Float64Array(rows * c.intermediateSize);
      const dup = new Float64Array(rows * c.intermediateSize);
      swigluBackward(dgate, dup, dact, a.gate, a.up);
      const dnorm2 = new Float64Array(rows * c.hiddenSize);
      this.projectBackward(
        projectionWeightName(layer, "gate_proj"),
        dnorm2,
        dgate,
        a.norm2,
        rows,
        a.loraHidden,
      );
      this.projectBackward(projectionWeightName(layer, "up_proj"), dnorm2, dup, a.norm2, rows, a.loraHidden);
      const postNorm = `${prefix}post_attention_layernorm.weight`;
      rmsnormBackward(
        dmid,
        this.baseGrad(postNorm),
        dnorm2,
        a.mid,
        this.param(postNorm),
        a.rstd2,
        rows,
        c.hiddenSize,
      );
      // mid = input + o_proj(attn).
      const dinput = Float64Array.from(dmid);
      const dattn = new Float64Array(rows * qDim);
      this.projectBackward(projectionWeightName(layer, "o_proj"), dattn, dmid, a.attn, rows, a.loraHidden);
      const dq = new Float64Array(rows * qDim);
      const dk = new Float64Array(rows * kvDim);
      const dv = new Float64Array(rows * kvDim);
      attentionBackward(dq, dk, dv, dattn, a.probs, a.q, a.k, a.v, shape);
      ropeBackward(dq, state.positions, c.numHeads, this.rope);
      ropeBackward(dk, state.positions, c.numKvHeads, this.rope);
      const dnorm1 = new Float64Array(rows * c.hiddenSize);
      this.projectBackward(projectionWeightName(layer, "q_proj"), dnorm1, dq, a.norm1, rows, a.loraHidden);
      this.projectBackward(projectionWeightName(layer, "k_proj"), dnorm1, dk, a.norm1, rows, a.loraHidden);
      this.projectBackward(projectionWeightName(layer, "v_proj"), dnorm1, dv, a.norm1, rows, a.loraHidden);
      const inputNorm = `${prefix}input_layernorm.weight`;
      rmsnormBackward(
        dinput,
        this.baseGrad(inputNorm),
        dnorm1,
        a.input,
        this.param(inputNorm),
        a.rstd1,
        rows,
        c.hiddenSize,
      );
      dx = dinput;
    }
    const embedGrad = this.baseGrad("model.embed_tokens.weight");
    if (embedGrad) embeddingBackward(embedGrad, dx, state.batch.inputs, c.hiddenSize);
  }

  // -------------------------------------------------------------------------------------------
  // Incremental decoding with a KV cache (one sequence). Independent of the training forward, so
  // generation with and without the cache checks one against the other.

  createKvCache(capacity = this.config.maxPositionEmbeddings): KvCache {
    const kvDim = this.config.numKvHeads * this.config.headDim;
    const keys: Vec[] = [];
    const values: Vec[] = [];
    for (let layer = 0; layer < this.config.numLayers; layer++) {
      keys.push(new Float64Array(capacity * kvDim));
      values.push(new Float64Array(capacity * kvDim));
    }
    return { length: 0, capacity, keys, values };
  }

  /** Appends `tokens` to the cached sequence and returns their logits `[tokens.length, vocab]`. */
  forwardCached(tokens: readonly number[], cache: KvCache): Vec {
    const c = this.config;
    const rows = tokens.length;
    const start = cache.length;
    if (start + rows > cache.capacity) {
      throw new Error(
        `reference model: the KV cache holds ${cache.capacity} positions; ${start + rows} needed`,
      );
    }
    this.ensureRope(start + rows);
    const positions = Int32Array.from({ length: rows }, (_, i) => start + i);
    const d = c.headDim;
    const group = c.numHeads / c.numKvHeads;
    const qDim = c.numHeads * d;
    const kvDim = c.numKvHeads * d;
    const scale = 1 / Math.sqrt(d);

    let x = new Float64Array(rows * c.hiddenSize);
    embeddingForward(x, tokens, this.param("model.embed_tokens.weight"), c.hiddenSize);
    for (let layer = 0; layer < c.numLayers; layer++) {
      const prefix = `model.layers.${layer}.`;
      const norm1 = new Float64Array(rows * c.hiddenSize);
      rmsnormForward(
        norm1,
        new Float64Array(rows),
        x,
        this.param(`${prefix}input_layernorm.weight`),
        rows,
        c.hiddenSize,
        c.rmsNormEps,
      );
      const q = this.project(projectionWeightName(layer, "q_proj"), norm1, rows);
      const k = this.project(projectionWeightName(layer, "k_proj"), norm1, rows);
      const v = this.project(projectionWeightName(layer, "v_proj"), norm1, rows);
      ropeForward(q, positions, c.numHeads, this.rope);
      ropeForward(k, positions, c.numKvHeads, this.rope);
      cache.keys[layer].set(k, start * kvDim);
      cache.values[layer].set(v, start * kvDim);
      const keys = cache.keys[layer];
      const values = cache.values[layer];
      const attn = new Float64Array(rows * qDim);
      const scores = new Float64Array(start + rows);
      for (let i = 0; i < rows; i++) {
        const position = start + i;
        for (let h = 0; h < c.numHeads; h++) {
          const kvOffset = Math.floor(h / group) * d;
          const qBase = i * qDim + h * d;
          let max = Number.NEGATIVE_INFINITY;
          for (let u = 0; u <= position; u++) {
            let dot = 0;
            for (let j = 0; j < d; j++) dot += q[qBase + j] * keys[u * kvDim + kvOffset + j];
            scores[u] = dot * scale;
            if (scores[u] > max) max = scores[u];
          }
          let sum = 0;
          for (let u = 0; u <= position; u++) {
            scores[u] = Math.exp(scores[u] - max);
            sum += scores[u];
          }
          for (let u = 0; u <= position; u++) {
            const p = scores[u] / sum;
            for (let j = 0; j < d; j++) attn[qBase + j] += p * values[u * kvDim + kvOffset + j];
          }
        }
      }
      const attnOut = this.project(projectionWeightName(layer, "o_proj"), attn, rows);
      const mid = new Float64Array(rows * c.hiddenSize);
      addForward(mid, x, attnOut);
      const norm2 = new Float64Array(rows * c.hiddenSize);
      rmsnormForward(
        norm2,
        new Float64Array(rows),
        mid,
        this.param(`${prefix}post_attention_layernorm.weight`),
        rows,
        c.hiddenSize,
        c.rmsNormEps,
      );
      const gate = this.project(projectionWeightName(layer, "gate_proj"), norm2, rows);
      const up = this.project(projectionWeightName(layer, "up_proj"), norm2, rows);
      const act = new Float64Array(rows * c.intermediateSize);
      swigluForward(act, gate, up);
      const down = this.project(projectionWeightName(layer, "down_proj"), act, rows);
      x = new Float64Array(rows * c.hiddenSize);
      addForward(x, mid, down);
    }
    cache.length = start + rows;
    const finalNorm = new Float64Array(rows * c.hiddenSize);
    rmsnormForward(
      finalNorm,
      new Float64Array(rows),
      x,
      this.param("model.norm.weight"),
      rows,
      c.hiddenSize,
      c.rmsNormEps,
    );
    const logits = new Float64Array(rows * c.vocabSize);
    linearForward(logits, finalNorm, this.param(this.headName()), rows, c.hiddenSize, c.vocabSize);
    return logits;
  }

  // -------------------------------------------------------------------------------------------

  private param(name: string): Vec {
    return this.params.get(name)!;
  }

  private baseGrad(name: string): Vec | null {
    return this.trainBase ? this.grads.get(name)! : null;
  }

  private headName(): string {
    return this.config.tieWordEmbeddings ? "model.embed_tokens.weight" : "lm_head.weight";
  }

  private attentionShape(batch: number, time: number): AttentionShape {
    const c = this.config;
    return { batch, time, heads: c.numHeads, kvHeads: c.numKvHeads, headDim: c.headDim };
  }

  /** Grows the cos/sin tables (doubling) so they cover `length` positions. */
  private ensureRope(length: number): void {
    const covered = this.rope.cos.length / (this.config.headDim / 2);
    if (covered < length) {
      this.rope = ropeTables(this.config.headDim, this.config.ropeTheta, Math.max(length, 2 * covered));
    }
  }

  /** y = x·Wᵀ (+ scale·(x·Aᵀ)·Bᵀ when the projection is LoRA-adapted; x·Aᵀ is kept for backward). */
  private project(name: string, x: Vec, rows: number, loraHidden?: Map<string, Vec>): Vec {
    const [outF, inF] = this.shapes.get(name)!;
    const y = new Float64Array(rows * outF);
    linearForward(y, x, this.param(name), rows, inF, outF);
    const a = this.lora?.a.get(name);
    if (this.lora && a) {
      const r = this.lora.config.r;
      const hidden = new Float64Array(rows * r);
      linearForward(hidden, x, a, rows, inF, r);
      const delta = new Float64Array(rows * outF);
      linearForward(delta, hidden, this.lora.b.get(name)!, rows, r, outF);
      for (let i = 0; i < y.length; i++) y[i] += this.lora.scale * delta[i];
      loraHidden?.set(name, hidden);
    }
    return y;
  }

  private projectBackward(
    name: string,
    dx: Vec,
    dy: Vec,
    x: Vec,
    rows: number,
    loraHidden: Map<string, Vec>,
  ) {
    const [outF, inF] = this.shapes.get(name)!;
    linearBackward(dx, this.baseGrad(name), dy, x, this.param(name), rows, inF, outF);
    const a = this.lora?.a.get(name);
    if (this.lora && a) {
      const r = this.lora.config.r;
      const scaled = new Float64Array(dy.length);
      for (let i = 0; i < dy.length; i++) scaled[i] = this.lora.scale * dy[i];
      const dhidden = new Float64Array(rows * r);
      linearBackward(
        dhidden,
        this.lora.gradB.get(name)!,
        scaled,
        loraHidden.get(name)!,
        this.lora.b.get(name)!,
        rows,
        r,
        outF,
      );
      linearBackward(dx, this.lora.gradA.get(name)!, dhidden, x, a, rows, inF, r);
    }
  }
}
