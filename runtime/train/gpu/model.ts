/**
 * The Llama-family decoder on the GPU, built from part A's kernels and configured by a
 * `LlamaConfig`: embedding → per layer [RMSNorm → q/k/v → RoPE → causal GQA attention → o_proj →
 * residual → RMSNorm → SwiGLU MLP → residual] → final RMSNorm → lm_head (or the tied embedding) →
 * masked cross-entropy. Forward keeps every activation the backward reads; a training step (forward
 * and backward of every micro-batch, global-norm clip, AdamW) is recorded into one Step — one
 * command encoder — and submitted once, with one read-back of the losses and the gradient norm.
 *
 * Trainable parameters: every base weight, or, with a LoRA adapter attached, only the adapter's A
 * and B (the base gets no gradient buffers and no optimizer state, and is never written).
 * Weights come in and go out as part B's `Weights` (Hugging Face names, f32).
 */
import type { Gpu } from "../device/gpu.ts";
import type { Step } from "../device/step.ts";
import { attentionBackward, attentionForward } from "../kernels/attention.ts";
import { crossEntropyBackward, crossEntropyForward } from "../kernels/crossentropy.ts";
import {
  checkTokenIds,
  embeddingBackward,
  embeddingBackwardPlan,
  embeddingForward,
} from "../kernels/embedding.ts";
import { clipGradNorm, gradNormPartialCount } from "../kernels/gradclip.ts";
import { linearBackward, linearForward, type MatmulVariant, matmul, variantFits } from "../kernels/matmul.ts";
import { accumulate, residualAdd } from "../kernels/residual.ts";
import { rmsnormBackward, rmsnormForward } from "../kernels/rmsnorm.ts";
import { ropeBackward, ropeForward } from "../kernels/rope.ts";
import { swigluBackward, swigluForward } from "../kernels/swiglu.ts";
import type { Batch } from "../model/batch.ts";
import type { LlamaConfig } from "../model/config.ts";
import { type LoraAdapter, type LoraConfig, type LoraPair, loraScale } from "../model/lora.ts";
import {
  checkWeights,
  numElements,
  PROJECTIONS,
  type ProjectionName,
  parameterShapes,
  projectionWeightName,
  type Weights,
} from "../model/params.ts";
import { BufferSet } from "./buffers.ts";
import { guardedAdamw, transpose } from "./kernels.ts";

/** A tensor resident on the device. */
export interface GpuTensor {
  name: string;
  shape: number[];
  length: number;
  buffer: GPUBuffer;
}

/** A parameter the optimizer updates: its gradient and AdamW moments live beside it. */
export interface TrainableTensor extends GpuTensor {
  grad: GPUBuffer;
  m: GPUBuffer;
  v: GPUBuffer;
  /** Matrices decay, 1-D norm weights do not (the reference's rule). */
  decay: boolean;
}

export interface OptimizerSettings {
  lr: number;
  beta1?: number;
  beta2?: number;
  eps?: number;
  weightDecay?: number;
  /** Global gradient-norm limit; Infinity (or 0) disables clipping. Default 1. */
  maxGradNorm?: number;
}

export interface GpuStepResult {
  /** Mean of the micro-batches' masked mean losses. */
  loss: number;
  microLosses: number[];
  /** Global gradient norm before clipping. */
  gradNorm: number;
  /** False when the loss or the gradient norm was NaN/Inf: then nothing was updated. */
  finite: boolean;
}

interface LoraState {
  config: LoraConfig;
  scale: number;
  a: Map<string, GpuTensor>;
  b: Map<string, GpuTensor>;
}

/** A batch's inputs on the device. */
interface BatchBuffers {
  set: BufferSet;
  batchSize: number;
  seqLen: number;
  inputs: GPUBuffer;
  targets: GPUBuffer;
  mask: GPUBuffer;
  positions: GPUBuffer;
  plan: { rows: GPUBuffer; offsets: GPUBuffer; positions: GPUBuffer; uniqueIds: number };
}

interface LayerActivations {
  norm1: GPUBuffer;
  rstd1: GPUBuffer;
  q: GPUBuffer;
  k: GPUBuffer;
  v: GPUBuffer;
  attn: GPUBuffer;
  lse: GPUBuffer;
  mid: GPUBuffer;
  norm2: GPUBuffer;
  rstd2: GPUBuffer;
  gate: GPUBuffer;
  up: GPUBuffer;
  act: GPUBuffer;
  /** x·Aᵀ of each LoRA-adapted projection of this layer. */
  loraHidden: Map<string, GPUBuffer>;
}

/** Forward activations and backward scratch for one (batch, seq) shape. */
interface Activations {
  set: BufferSet;
  key: string;
  /** Residual stream: xs[l] is layer l's input, xs[numLayers] the final norm's input. */
  xs: GPUBuffer[];
  layers: LayerActivations[];
  qRaw: GPUBuffer;
  kRaw: GPUBuffer;
  branch: GPUBuffer;
  finalNorm: GPUBuffer;
  finalRstd: GPUBuffer;
  logits: GPUBuffer;
  ceLse: GPUBuffer;
  rowLoss: GPUBuffer;
  /** [2]: (loss, count) of the micro-batch being recorded, written by crossEntropyForward. */
  loss: GPUBuffer;
  /** [2 · micro-batches + 2]: each micro-batch's (loss, count), then (norm, clip scale). */
  lossLog: GPUBuffer;
  dLogits: GPUBuffer;
  dx: GPUBuffer;
  dNorm: GPUBuffer;
  dAct: GPUBuffer;
  dGate: GPUBuffer;
  dUp: GPUBuffer;
  dAttn: GPUBuffer;
  dq: GPUBuffer;
  dk: GPUBuffer;
  dv: GPUBuffer;
  dqRaw: GPUBuffer;
  dkRaw: GPUBuffer;
  rowDot: GPUBuffer;
  dLoraHidden: GPUBuffer;
  /** Scratch for a transposed output gradient dyᵀ [out, rows]. */
  dyT: GPUBuffer;
}

const HEAD_TIED = "model.embed_tokens.weight";
const NO_CLIP = 3e38;

export class GpuLlama {
  readonly config: LlamaConfig;
  /** Base weights by HF name. */
  readonly params = new Map<string, GpuTensor>();
  /** AdamW steps taken (the bias-correction count). */
  optimizerStep = 0;
  private lora: LoraState | undefined;
  private trainableList: TrainableTensor[] | undefined;
  private trainingSet: BufferSet | undefined;
  private activations: Activations | undefined;
  /** Gradient sink for frozen norm weights (rmsnormBackward always accumulates a dw). */
  private discard: GPUBuffer | undefined;
  private readonly weightSet: BufferSet;
  private loraSet: BufferSet | undefined;
  private released = false;

  constructor(
    readonly gpu: Gpu,
    config: LlamaConfig,
    weights: Weights,
  ) {
    this.config = structuredClone(config);
    const checked = new Map(weights);
    const problems = checkWeights(this.config, checked);
    if (problems.length > 0) {
      throw new Error(`The weights do not fit the model config: ${problems.slice(0, 5).join("; ")}.`);
    }
    this.weightSet = new BufferSet(gpu);
    for (const [name, shape] of parameterShapes(this.config)) {
      const tensor = checked.get(name)!;
      this.params.set(name, {
        name,
        shape: [...shape],
        length: numElements(shape),
        buffer: this.weightSet.upload(tensor.data, name),
      });
    }
  }

  /** Bytes of GPU memory held by the device's buffer pool (weights, state, activations, free). */
  get allocatedBytes(): number {
    return this.gpu.pool.allocatedBytes;
  }

  get loraConfig(): LoraConfig | undefined {
    return this.lora ? structuredClone(this.lora.config) : undefined;
  }

  /** Attaches a LoRA adapter and freezes the base: from now on only A and B train. */
  attachLora(adapter: LoraAdapter): void {
    if (this.lora) throw new Error("This model already has a LoRA adapter attached.");
    const set = new BufferSet(this.gpu);
    const state: LoraState = {
      config: structuredClone(adapter.config),
      scale: loraScale(adapter.config),
      a: new Map(),
      b: new Map(),
    };
    for (const [name, pair] of adapter.pairs) {
      const base = this.params.get(name);
      if (base?.shape.length !== 2) {
        throw new Error(`The LoRA adapter adapts '${name}', which is not a projection of this model.`);
      }
      checkPair(name, pair, base.shape, adapter.config.r);
      state.a.set(name, loraTensor(set, `${name.replace(/\.weight$/, "")}.lora_A.weight`, pair.a));
      state.b.set(name, loraTensor(set, `${name.replace(/\.weight$/, "")}.lora_B.weight`, pair.b));
    }
    this.dropTrainingState();
    this.lora = state;
    this.loraSet = set;
  }

  /** What the optimizer updates (gradient and moment buffers are allocated on first use). */
  trainable(): TrainableTensor[] {
    if (this.trainableList) return this.trainableList;
    const set = new BufferSet(this.gpu);
    const tensors: GpuTensor[] = this.lora
      ? [...this.lora.a.keys()].flatMap((name) => [this.lora!.a.get(name)!, this.lora!.b.get(name)!])
      : [...this.params.values()];
    // Moments start at zero: written through the queue, so they are ordered before any step.
    const list = tensors.map((tensor): TrainableTensor => {
      const grad = set.f32(tensor.length, `${tensor.name}.grad`);
      const m = set.upload(new Float32Array(tensor.length), `${tensor.name}.exp_avg`);
      const v = set.upload(new Float32Array(tensor.length), `${tensor.name}.exp_avg_sq`);
      return { ...tensor, grad, m, v, decay: tensor.shape.length >= 2 };
    });
    this.trainingSet = set;
    this.trainableList = list;
    this.optimizerStep = 0;
    return list;
  }

  // ---------------------------------------------------------------------------------------------
  // Reading and writing weights and optimizer state.

  async exportWeights(): Promise<Weights> {
    const weights: Weights = new Map();
    for (const tensor of this.params.values()) {
      weights.set(tensor.name, {
        shape: [...tensor.shape],
        data: await this.gpu.download(tensor.buffer, tensor.length),
      });
    }
    return weights;
  }

  /** The attached adapter's current A and B (PEFT layout via part B's saveLoraAdapter). */
  async exportLora(): Promise<LoraAdapter> {
    if (!this.lora) throw new Error("No LoRA adapter is attached to this model.");
    const pairs = new Map<string, LoraPair>();
    for (const [name, a] of this.lora.a) {
      const b = this.lora.b.get(name)!;
      pairs.set(name, {
        a: { shape: [...a.shape], data: await this.gpu.download(a.buffer, a.length) },
        b: { shape: [...b.shape], data: await this.gpu.download(b.buffer, b.length) },
      });
    }
    return { config: structuredClone(this.lora.config), pairs };
  }

  /** Overwrites one base weight (HF name) or LoRA matrix (`….lora_A.weight`). */
  writeTensor(name: string, data: Float32Array): void {
    const tensor = this.findTensor(name);
    if (data.length !== tensor.length) {
      throw new Error(`Tensor '${name}' holds ${tensor.length} values; ${data.length} were given.`);
    }
    this.gpu.write(tensor.buffer, data);
  }

  /** Last gradients of the trainable parameters (after `gradients` or a training step). */
  async exportGradients(): Promise<Weights> {
    const grads: Weights = new Map();
    for (const t of this.trainable()) {
      grads.set(t.name, { shape: [...t.shape], data: await this.gpu.download(t.grad, t.length) });
    }
    return grads;
  }

  /** AdamW moments by trainable name (`name.exp_avg`, `name.exp_avg_sq`). */
  async exportOptimizerState(): Promise<Weights> {
    const state: Weights = new Map();
    for (const t of this.trainable()) {
      state.set(`${t.name}.exp_avg`, { shape: [...t.shape], data: await this.gpu.download(t.m, t.length) });
      state.set(`${t.name}.exp_avg_sq`, {
        shape: [...t.shape],
        data: await this.gpu.download(t.v, t.length),
      });
    }
    return state;
  }

  importOptimizerState(state: Weights, optimizerStep: number): void {
    for (const t of this.trainable()) {
      for (const [suffix, buffer] of [
        ["exp_avg", t.m],
        ["exp_avg_sq", t.v],
      ] as const) {
        const tensor = state.get(`${t.name}.${suffix}`);
        if (!tensor || tensor.data.length !== t.length) {
          throw new Error(
            `The optimizer state has no '${t.name}.${suffix}' of ${t.length} values; it was saved for a different model or adapter.`,
          );
        }
        this.gpu.write(buffer, tensor.data);
      }
    }
    this.optimizerStep = optimizerStep;
  }

  /** Names of base weights, LoRA matrices and gradients holding NaN or Inf (in parameter order). */
  async nonFiniteTensors(): Promise<{ weights: string[]; gradients: string[] }> {
    const weights: string[] = [];
    const tensors = [...this.params.values()];
    if (this.lora)
      for (const name of this.lora.a.keys()) tensors.push(this.lora.a.get(name)!, this.lora.b.get(name)!);
    for (const t of tensors)
      if (!allFinite(await this.gpu.download(t.buffer, t.length))) weights.push(t.name);
    const gradients: string[] = [];
    for (const t of this.trainable())
      if (!allFinite(await this.gpu.download(t.grad, t.length))) gradients.push(t.name);
    return { weights, gradients };
  }

  // ---------------------------------------------------------------------------------------------
  // Forward, backward, training step.

  /** Logits [rows, vocab] and the masked mean loss (NaN when the batch has no targets). */
  async forward(batch: Batch): Promise<{ logits: Float32Array; loss: number }> {
    const io = this.uploadBatch(batch);
    const acts = this.activationsFor(batch.batchSize, batch.seqLen, 1);
    const step = this.gpu.step({ label: "forward" });
    this.recordForward(step, io, acts, 0);
    await step.submit();
    const rows = batch.batchSize * batch.seqLen;
    const logits = await this.gpu.download(acts.logits, rows * this.config.vocabSize);
    const loss = batch.targets ? (await this.gpu.download(acts.loss, 1))[0] : Number.NaN;
    io.set.release();
    return { logits, loss };
  }

  /** Forward and backward of one batch: the loss, with gradients left in the trainable tensors. */
  async gradients(batch: Batch): Promise<number> {
    const io = this.uploadBatch(batch, true);
    const acts = this.activationsFor(batch.batchSize, batch.seqLen, 1);
    const step = this.gpu.step({ label: "gradients" });
    for (const t of this.trainable()) step.clear(t.grad);
    this.recordForward(step, io, acts, 0);
    this.recordBackward(step, io, acts, 1);
    await step.submit();
    const loss = (await this.gpu.download(acts.loss, 1))[0];
    io.set.release();
    return loss;
  }

  /**
   * One optimizer step over `microBatches` (gradient accumulation: each micro-batch's loss is
   * weighted 1/n), recorded into one command encoder: zero gradients, forward+backward of each
   * micro-batch, global-norm clip, AdamW. A non-finite loss or norm leaves every parameter and
   * moment as it was (the AdamW kernel checks the norm on the device).
   */
  async trainStep(microBatches: Batch | Batch[], settings: OptimizerSettings): Promise<GpuStepResult> {
    const batches = Array.isArray(microBatches) ? microBatches : [microBatches];
    if (batches.length === 0) throw new Error("trainStep needs at least one batch.");
    const shape = batches[0];
    if (batches.some((b) => b.batchSize !== shape.batchSize || b.seqLen !== shape.seqLen)) {
      throw new Error("The micro-batches of one step must share one batch size and sequence length.");
    }
    const trainable = this.trainable();
    const ios = batches.map((b) => this.uploadBatch(b, true));
    const acts = this.activationsFor(shape.batchSize, shape.seqLen, batches.length);
    const state = this.optimizerBuffers(trainable);
    const step = this.gpu.step({ label: "train step" });
    for (const t of trainable) step.clear(t.grad);
    ios.forEach((io, slot) => {
      this.recordForward(step, io, acts, slot);
      this.recordBackward(step, io, acts, 1 / batches.length);
    });
    const maxNorm =
      settings.maxGradNorm && Number.isFinite(settings.maxGradNorm) ? settings.maxGradNorm : NO_CLIP;
    clipGradNorm(step, {
      grads: trainable.map((t) => ({ buffer: t.grad, length: t.length })),
      partials: state.partials,
      clip: state.clip,
      maxNorm,
    });
    const t = this.optimizerStep + 1;
    const weightDecay = settings.weightDecay ?? 0.1;
    for (const p of trainable) {
      guardedAdamw(step, {
        param: p.buffer,
        grad: p.grad,
        m: p.m,
        v: p.v,
        clip: state.clip,
        length: p.length,
        t,
        lr: settings.lr,
        beta1: settings.beta1 ?? 0.9,
        beta2: settings.beta2 ?? 0.95,
        eps: settings.eps ?? 1e-8,
        weightDecay: p.decay ? weightDecay : 0,
      });
    }
    // One read-back: the clip buffer's (norm, scale) goes after the micro-batches' (loss, count).
    step.copy(state.clip, 0, acts.lossLog, 8 * batches.length, 8);
    await step.submit();
    const stats = await this.gpu.download(acts.lossLog, 2 * batches.length + 2);
    for (const io of ios) io.set.release();
    const microLosses = batches.map((_, i) => stats[2 * i]);
    const loss = microLosses.reduce((sum, l) => sum + l, 0) / microLosses.length;
    const gradNorm = stats[2 * batches.length];
    const finite = Number.isFinite(loss) && Number.isFinite(gradNorm);
    // The kernel skipped the update exactly when the norm was non-finite.
    if (Number.isFinite(gradNorm)) this.optimizerStep = t;
    return { loss, microLosses, gradNorm, finite };
  }

  /** Gives every buffer back to the pool. The model is unusable afterwards. */
  release(): void {
    if (this.released) return;
    this.released = true;
    this.dropTrainingState();
    this.activations?.set.release();
    this.activations = undefined;
    this.loraSet?.release();
    this.weightSet.release();
  }

  // ---------------------------------------------------------------------------------------------
  // Building blocks shared with the KV-cache decoder (decode.ts).

  weight(name: string): GPUBuffer {
    return this.params.get(name)!.buffer;
  }

  headWeight(): GPUBuffer {
    return this.weight(this.config.tieWordEmbeddings ? HEAD_TIED : "lm_head.weight");
  }

  loraRank(): number {
    return this.lora?.config.r ?? 0;
  }

  isAdapted(name: string): boolean {
    return this.lora?.a.has(name) ?? false;
  }

  /** y = x·Wᵀ, plus scale·(x·Aᵀ)·Bᵀ when adapted (x·Aᵀ goes to `hidden`, kept for the backward). */
  recordProjection(
    step: Step,
    layer: number,
    projection: ProjectionName,
    x: GPUBuffer,
    y: GPUBuffer,
    rows: number,
    hidden: GPUBuffer | undefined,
  ): void {
    const name = projectionWeightName(layer, projection);
    const [outF, inF] = this.params.get(name)!.shape;
    recordLinear(step, x, this.weight(name), y, rows, inF, outF);
    const a = this.lora?.a.get(name);
    if (!this.lora || !a || !hidden) return;
    const r = this.lora.config.r;
    matmul(step, { a: x, b: a.buffer, c: hidden, m: rows, n: r, k: inF, transB: true });
    const b = this.lora.b.get(name)!;
    matmul(step, {
      a: hidden,
      b: b.buffer,
      c: y,
      m: rows,
      n: outF,
      k: r,
      transB: true,
      alpha: this.lora.scale,
      beta: 1,
    });
  }

  // ---------------------------------------------------------------------------------------------

  private recordForward(step: Step, io: BatchBuffers, acts: Activations, slot: number): void {
    const c = this.config;
    const rows = io.batchSize * io.seqLen;
    const d = c.hiddenSize;
    const attentionShape = {
      batch: io.batchSize,
      seq: io.seqLen,
      heads: c.numHeads,
      kvHeads: c.numKvHeads,
      headDim: c.headDim,
    };
    const rope = { positions: io.positions, rows, headDim: c.headDim, theta: c.ropeTheta };
    embeddingForward(step, {
      table: this.weight(HEAD_TIED),
      ids: io.inputs,
      out: acts.xs[0],
      tokens: rows,
      dim: d,
    });
    for (let layer = 0; layer < c.numLayers; layer++) {
      const a = acts.layers[layer];
      const prefix = `model.layers.${layer}.`;
      const x = acts.xs[layer];
      const hidden = (p: ProjectionName) => a.loraHidden.get(p);
      rmsnormForward(step, {
        x,
        w: this.weight(`${prefix}input_layernorm.weight`),
        y: a.norm1,
        rstd: a.rstd1,
        rows,
        dim: d,
        eps: c.rmsNormEps,
      });
      this.recordProjection(step, layer, "q_proj", a.norm1, acts.qRaw, rows, hidden("q_proj"));
      this.recordProjection(step, layer, "k_proj", a.norm1, acts.kRaw, rows, hidden("k_proj"));
      this.recordProjection(step, layer, "v_proj", a.norm1, a.v, rows, hidden("v_proj"));
      ropeForward(step, { ...rope, x: acts.qRaw, y: a.q, heads: c.numHeads });
      ropeForward(step, { ...rope, x: acts.kRaw, y: a.k, heads: c.numKvHeads });
      attentionForward(step, { q: a.q, k: a.k, v: a.v, out: a.attn, lse: a.lse, shape: attentionShape });
      this.recordProjection(step, layer, "o_proj", a.attn, acts.branch, rows, hidden("o_proj"));
      residualAdd(step, { a: x, b: acts.branch, out: a.mid, length: rows * d });
      rmsnormForward(step, {
        x: a.mid,
        w: this.weight(`${prefix}post_attention_layernorm.weight`),
        y: a.norm2,
        rstd: a.rstd2,
        rows,
        dim: d,
        eps: c.rmsNormEps,
      });
      this.recordProjection(step, layer, "gate_proj", a.norm2, a.gate, rows, hidden("gate_proj"));
      this.recordProjection(step, layer, "up_proj", a.norm2, a.up, rows, hidden("up_proj"));
      swigluForward(step, { gate: a.gate, up: a.up, out: a.act, length: rows * c.intermediateSize });
      this.recordProjection(step, layer, "down_proj", a.act, acts.branch, rows, hidden("down_proj"));
      residualAdd(step, { a: a.mid, b: acts.branch, out: acts.xs[layer + 1], length: rows * d });
    }
    rmsnormForward(step, {
      x: acts.xs[c.numLayers],
      w: this.weight("model.norm.weight"),
      y: acts.finalNorm,
      rstd: acts.finalRstd,
      rows,
      dim: d,
      eps: c.rmsNormEps,
    });
    linearForward(step, {
      x: acts.finalNorm,
      w: this.headWeight(),
      y: acts.logits,
      rows,
      inFeatures: d,
      outFeatures: c.vocabSize,
    });
    crossEntropyForward(step, this.crossEntropyArgs(io, acts));
    // Each micro-batch's (loss, count) is kept in its own slot for the read-back.
    step.copy(acts.loss, 0, acts.lossLog, slot * 8, 8);
  }

  private crossEntropyArgs(io: BatchBuffers, acts: Activations) {
    return {
      logits: acts.logits,
      targets: io.targets,
      mask: io.mask,
      lse: acts.ceLse,
      rowLoss: acts.rowLoss,
      loss: acts.loss,
      rows: io.batchSize * io.seqLen,
      vocab: this.config.vocabSize,
    };
  }

  private recordBackward(step: Step, io: BatchBuffers, acts: Activations, dLoss: number): void {
    const c = this.config;
    const rows = io.batchSize * io.seqLen;
    const d = c.hiddenSize;
    const grads = this.gradientMap();
    const normGrad = (name: string) => grads.get(name) ?? this.discardBuffer();
    const attentionShape = {
      batch: io.batchSize,
      seq: io.seqLen,
      heads: c.numHeads,
      kvHeads: c.numKvHeads,
      headDim: c.headDim,
    };
    const rope = { positions: io.positions, rows, headDim: c.headDim, theta: c.ropeTheta };
    crossEntropyBackward(step, { ...this.crossEntropyArgs(io, acts), dLogits: acts.dLogits, dLoss });
    const headName = c.tieWordEmbeddings ? HEAD_TIED : "lm_head.weight";
    this.recordLinearBackward(step, headName, {
      x: acts.finalNorm,
      dy: acts.dLogits,
      dx: acts.dNorm,
      accumulateDx: false,
      rows,
      acts,
    });
    rmsnormBackward(step, {
      x: acts.xs[c.numLayers],
      w: this.weight("model.norm.weight"),
      rstd: acts.finalRstd,
      dy: acts.dNorm,
      dx: acts.dx,
      dw: normGrad("model.norm.weight"),
      rows,
      dim: d,
    });
    for (let layer = c.numLayers - 1; layer >= 0; layer--) {
      const a = acts.layers[layer];
      const prefix = `model.layers.${layer}.`;
      const back = (p: ProjectionName, x: GPUBuffer, dy: GPUBuffer, dx: GPUBuffer, accumulateDx: boolean) =>
        this.recordProjectionBackward(step, layer, p, {
          x,
          dy,
          dx,
          accumulateDx,
          rows,
          hidden: a.loraHidden.get(p),
          acts,
        });
      // acts.dx holds the gradient of this layer's output; out = mid + down(act).
      back("down_proj", a.act, acts.dx, acts.dAct, false);
      swigluBackward(step, {
        gate: a.gate,
        up: a.up,
        dOut: acts.dAct,
        dGate: acts.dGate,
        dUp: acts.dUp,
        length: rows * c.intermediateSize,
      });
      back("gate_proj", a.norm2, acts.dGate, acts.dNorm, false);
      back("up_proj", a.norm2, acts.dUp, acts.dNorm, true);
      const postNorm = `${prefix}post_attention_layernorm.weight`;
      rmsnormBackward(step, {
        x: a.mid,
        w: this.weight(postNorm),
        rstd: a.rstd2,
        dy: acts.dNorm,
        dx: acts.branch,
        dw: normGrad(postNorm),
        rows,
        dim: d,
      });
      accumulate(step, { target: acts.dx, source: acts.branch, length: rows * d });
      // acts.dx now holds d mid; mid = input + o_proj(attn).
      back("o_proj", a.attn, acts.dx, acts.dAttn, false);
      attentionBackward(step, {
        q: a.q,
        k: a.k,
        v: a.v,
        out: a.attn,
        lse: a.lse,
        dOut: acts.dAttn,
        dq: acts.dq,
        dk: acts.dk,
        dv: acts.dv,
        rowDot: acts.rowDot,
        shape: attentionShape,
      });
      ropeBackward(step, { ...rope, x: acts.dq, y: acts.dqRaw, heads: c.numHeads });
      ropeBackward(step, { ...rope, x: acts.dk, y: acts.dkRaw, heads: c.numKvHeads });
      back("q_proj", a.norm1, acts.dqRaw, acts.dNorm, false);
      back("k_proj", a.norm1, acts.dkRaw, acts.dNorm, true);
      back("v_proj", a.norm1, acts.dv, acts.dNorm, true);
      const inputNorm = `${prefix}input_layernorm.weight`;
      rmsnormBackward(step, {
        x: acts.xs[layer],
        w: this.weight(inputNorm),
        rstd: a.rstd1,
        dy: acts.dNorm,
        dx: acts.branch,
        dw: normGrad(inputNorm),
        rows,
        dim: d,
      });
      accumulate(step, { target: acts.dx, source: acts.branch, length: rows * d });
    }
    const embedGrad = grads.get(HEAD_TIED);
    if (embedGrad) {
      embeddingBackward(step, {
        dOut: acts.dx,
        dTable: embedGrad,
        rows: io.plan.rows,
        offsets: io.plan.offsets,
        positions: io.plan.positions,
        uniqueIds: io.plan.uniqueIds,
        dim: d,
      });
    }
  }

  private recordProjectionBackward(
    step: Step,
    layer: number,
    projection: ProjectionName,
    args: {
      x: GPUBuffer;
      dy: GPUBuffer;
      dx: GPUBuffer;
      accumulateDx: boolean;
      rows: number;
      hidden: GPUBuffer | undefined;
      acts: Activations;
    },
  ): void {
    const name = projectionWeightName(layer, projection);
    const [outF, inF] = this.params.get(name)!.shape;
    const { rows, x, dy, dx } = args;
    this.recordLinearBackward(step, name, args);
    const a = this.lora?.a.get(name);
    if (!this.lora || !a || !args.hidden) return;
    const b = this.lora.b.get(name)!;
    const grads = this.gradientMap();
    const r = this.lora.config.r;
    const s = this.lora.scale;
    const dh = args.acts.dLoraHidden;
    // dB += s·dyᵀ·h;  dh = s·dy·B;  dA += dhᵀ·x;  dx += dh·A
    matmul(step, {
      a: dy,
      b: args.hidden,
      c: grads.get(b.name)!,
      m: outF,
      n: r,
      k: rows,
      transA: true,
      alpha: s,
      beta: 1,
    });
    matmul(step, { a: dy, b: b.buffer, c: dh, m: rows, n: r, k: outF, alpha: s });
    matmul(step, { a: dh, b: x, c: grads.get(a.name)!, m: r, n: inF, k: rows, transA: true, beta: 1 });
    matmul(step, { a: dh, b: a.buffer, c: dx, m: rows, n: inF, k: r, beta: 1 });
  }

  /**
   * dx = dy·W (written, or added with accumulateDx) and, when W trains, dW += dyᵀ·x computed as
   * (dyᵀ)·x: dy is transposed first (see `transpose` in kernels.ts), because part A's Aᵀ·B form is
   * the slowest on lavapipe at these shapes.
   */
  private recordLinearBackward(
    step: Step,
    name: string,
    args: {
      x: GPUBuffer;
      dy: GPUBuffer;
      dx: GPUBuffer;
      accumulateDx: boolean;
      rows: number;
      acts: Activations;
    },
  ): void {
    const [outF, inF] = this.params.get(name)!.shape;
    const { rows, acts } = args;
    linearBackward(step, {
      x: args.x,
      w: this.weight(name),
      dy: args.dy,
      dx: args.dx,
      rows,
      inFeatures: inF,
      outFeatures: outF,
      accumulateDx: args.accumulateDx,
    });
    const dw = this.gradientMap().get(name);
    if (!dw) return;
    transpose(step, { input: args.dy, output: acts.dyT, rows, cols: outF });
    matmul(step, { a: acts.dyT, b: args.x, c: dw, m: outF, n: inF, k: rows, beta: 1 });
  }

  private gradientMapCache: Map<string, GPUBuffer> | undefined;

  private gradientMap(): Map<string, GPUBuffer> {
    if (!this.gradientMapCache) {
      this.gradientMapCache = new Map(this.trainable().map((t) => [t.name, t.grad]));
    }
    return this.gradientMapCache;
  }

  private discardBuffer(): GPUBuffer {
    if (!this.discard)
      this.discard = this.weightSet.f32(this.config.hiddenSize, "frozen norm grad (discarded)");
    return this.discard;
  }

  private optimizerState: { partials: GPUBuffer; clip: GPUBuffer } | undefined;

  private optimizerBuffers(trainable: TrainableTensor[]): { partials: GPUBuffer; clip: GPUBuffer } {
    if (!this.optimizerState) {
      const set = this.trainingSet!;
      this.optimizerState = {
        partials: set.f32(gradNormPartialCount(trainable.map((t) => t.length)), "grad-norm partials"),
        clip: set.f32(2, "grad-norm clip"),
      };
    }
    return this.optimizerState;
  }

  private dropTrainingState(): void {
    this.trainingSet?.release();
    this.trainingSet = undefined;
    this.trainableList = undefined;
    this.gradientMapCache = undefined;
    this.optimizerState = undefined;
    this.optimizerStep = 0;
  }

  private findTensor(name: string): GpuTensor {
    const base = this.params.get(name);
    if (base) return base;
    if (this.lora) {
      for (const map of [this.lora.a, this.lora.b])
        for (const t of map.values()) if (t.name === name) return t;
    }
    throw new Error(`This model has no tensor '${name}'.`);
  }

  private uploadBatch(batch: Batch, needTargets = false): BatchBuffers {
    const c = this.config;
    const rows = batch.batchSize * batch.seqLen;
    if (!(rows > 0) || batch.inputs.length !== rows) {
      throw new Error(
        `A ${batch.batchSize}×${batch.seqLen} batch needs ${rows} input ids; it has ${batch.inputs.length}.`,
      );
    }
    if (needTargets && !batch.targets) throw new Error("Training needs a batch with targets.");
    const inputs = Uint32Array.from(batch.inputs);
    checkTokenIds(inputs, c.vocabSize);
    const mask = new Uint32Array(rows);
    const targets = new Uint32Array(rows);
    if (batch.targets) {
      if (batch.targets.length !== rows) throw new Error(`The batch's targets must hold ${rows} ids.`);
      for (let n = 0; n < rows; n++) {
        mask[n] = batch.mask ? (batch.mask[n] ? 1 : 0) : 1;
        if (!mask[n]) continue;
        const target = batch.targets[n];
        if (!(Number.isInteger(target) && target >= 0 && target < c.vocabSize)) {
          throw new Error(
            `Target id ${target} at position ${n} is outside the vocabulary (size ${c.vocabSize}); ` +
              "the tokenizer and the model's config.json disagree on vocab_size.",
          );
        }
        targets[n] = target;
      }
    }
    const positions = Uint32Array.from({ length: rows }, (_, n) => n % batch.seqLen);
    const plan = embeddingBackwardPlan(inputs);
    const set = new BufferSet(this.gpu);
    return {
      set,
      batchSize: batch.batchSize,
      seqLen: batch.seqLen,
      inputs: set.upload(inputs, "input ids"),
      targets: set.upload(targets, "targets"),
      mask: set.upload(mask, "loss mask"),
      positions: set.upload(positions, "positions"),
      plan: {
        rows: set.upload(plan.rows, "embedding plan rows"),
        offsets: set.upload(plan.offsets, "embedding plan offsets"),
        positions: set.upload(plan.positions, "embedding plan positions"),
        uniqueIds: plan.rows.length,
      },
    };
  }

  /** Activation buffers for a shape; a new shape gives the previous set back to the pool. */
  private activationsFor(batchSize: number, seqLen: number, slots: number): Activations {
    const key = `${batchSize}x${seqLen}x${slots}x${this.loraRank()}`;
    if (this.activations?.key === key) return this.activations;
    this.activations?.set.release();
    const c = this.config;
    const rows = batchSize * seqLen;
    const d = c.hiddenSize;
    const qDim = c.numHeads * c.headDim;
    const kvDim = c.numKvHeads * c.headDim;
    const inter = c.intermediateSize;
    const set = new BufferSet(this.gpu);
    const f = (elements: number, label: string) => set.f32(elements, label);
    const layers: LayerActivations[] = [];
    for (let layer = 0; layer < c.numLayers; layer++) {
      const loraHidden = new Map<string, GPUBuffer>();
      for (const p of Object.keys(PROJECTIONS) as ProjectionName[]) {
        if (this.isAdapted(projectionWeightName(layer, p)))
          loraHidden.set(p, f(rows * this.loraRank(), `${p} lora h`));
      }
      layers.push({
        norm1: f(rows * d, "norm1"),
        rstd1: f(rows, "rstd1"),
        q: f(rows * qDim, "q"),
        k: f(rows * kvDim, "k"),
        v: f(rows * kvDim, "v"),
        attn: f(rows * qDim, "attn"),
        lse: f(rows * c.numHeads, "attn lse"),
        mid: f(rows * d, "mid"),
        norm2: f(rows * d, "norm2"),
        rstd2: f(rows, "rstd2"),
        gate: f(rows * inter, "gate"),
        up: f(rows * inter, "up"),
        act: f(rows * inter, "act"),
        loraHidden,
      });
    }
    this.activations = {
      set,
      key,
      xs: Array.from({ length: c.numLayers + 1 }, (_, l) => f(rows * d, `residual ${l}`)),
      layers,
      qRaw: f(rows * qDim, "q before rope"),
      kRaw: f(rows * kvDim, "k before rope"),
      branch: f(rows * d, "branch"),
      finalNorm: f(rows * d, "final norm"),
      finalRstd: f(rows, "final rstd"),
      logits: f(rows * c.vocabSize, "logits"),
      ceLse: f(rows, "ce lse"),
      rowLoss: f(rows, "row loss"),
      loss: f(2, "loss"),
      lossLog: f(2 * slots + 2, "loss per micro-batch, then the gradient norm"),
      dLogits: f(rows * c.vocabSize, "dlogits"),
      dx: f(rows * d, "dx"),
      dNorm: f(rows * d, "dnorm"),
      dAct: f(rows * inter, "dact"),
      dGate: f(rows * inter, "dgate"),
      dUp: f(rows * inter, "dup"),
      dAttn: f(rows * qDim, "dattn"),
      dq: f(rows * qDim, "dq"),
      dk: f(rows * kvDim, "dk"),
      dv: f(rows * kvDim, "dv"),
      dqRaw: f(rows * qDim, "dq before rope"),
      dkRaw: f(rows * kvDim, "dk before rope"),
      rowDot: f(rows * c.numHeads, "attn row dot"),
      dLoraHidden: f(rows * Math.max(1, this.loraRank()), "lora dh"),
      dyT: f(rows * Math.max(d, qDim, kvDim, inter, c.vocabSize), "dy transposed"),
    };
    return this.activations;
  }
}

/**
 * y = x·Wᵀ. Part A picks its one-output-per-invocation variant for small outputs, which at the few
 * rows of a decode step (rows × out ≤ 4096) measured 4–17× slower than its blocked variants (8 rows:
 * 2.7 vs 0.65 ms at out 344, 5.2 vs 0.44 ms at in 344), so those shapes ask for a blocked one.
 */
export function recordLinear(
  step: Step,
  x: GPUBuffer,
  w: GPUBuffer,
  y: GPUBuffer,
  rows: number,
  inFeatures: number,
  outFeatures: number,
): void {
  let variant: MatmulVariant | undefined;
  if (rows * outFeatures <= 64 * 64) {
    if (variantFits("tile4x4", rows, outFeatures, inFeatures)) variant = "tile4x4";
    else if (variantFits("nt8x8", rows, outFeatures, inFeatures, false, true)) variant = "nt8x8";
  }
  matmul(step, { a: x, b: w, c: y, m: rows, n: outFeatures, k: inFeatures, transB: true, variant });
}

function loraTensor(
  set: BufferSet,
  name: string,
  tensor: { shape: number[]; data: Float32Array },
): GpuTensor {
  return {
    name,
    shape: [...tensor.shape],
    length: tensor.data.length,
    buffer: set.upload(tensor.data, name),
  };
}

function checkPair(name: string, pair: LoraPair, baseShape: number[], r: number): void {
  const [out, inF] = baseShape;
  if (pair.a.shape.join() !== [r, inF].join() || pair.b.shape.join() !== [out, r].join()) {
    throw new Error(
      `The LoRA pair for '${name}' has A [${pair.a.shape}] and B [${pair.b.shape}]; the base weight [${baseShape}] with r=${r} needs A [${r},${inF}] and B [${out},${r}].`,
    );
  }
}

function allFinite(values: Float32Array): boolean {
  for (let i = 0; i < values.length; i++) if (!Number.isFinite(values[i])) return false;
  return true;
}
