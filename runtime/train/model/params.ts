import type { LlamaConfig } from "./config.ts";
import { createRng } from "./random.ts";

/** A dense row-major f32 tensor: the interchange format between the CPU side and the GPU model. */
export interface Tensor {
  shape: number[];
  data: Float32Array;
}

/** Model weights keyed by Hugging Face `LlamaForCausalLM` tensor names. */
export type Weights = Map<string, Tensor>;

/** The projections LoRA can target, with the HF module path inside a decoder layer. */
export const PROJECTIONS = {
  q_proj: "self_attn.q_proj",
  k_proj: "self_attn.k_proj",
  v_proj: "self_attn.v_proj",
  o_proj: "self_attn.o_proj",
  gate_proj: "mlp.gate_proj",
  up_proj: "mlp.up_proj",
  down_proj: "mlp.down_proj",
} as const;

export type ProjectionName = keyof typeof PROJECTIONS;

export function numElements(shape: readonly number[]): number {
  return shape.reduce((product, size) => product * size, 1);
}

export function layerPrefix(layer: number): string {
  return `model.layers.${layer}.`;
}

/** HF name of projection `name` in `layer`, e.g. `model.layers.0.self_attn.q_proj.weight`. */
export function projectionWeightName(layer: number, name: ProjectionName): string {
  return `${layerPrefix(layer)}${PROJECTIONS[name]}.weight`;
}

/** `[out_features, in_features]` of a projection (torch.nn.Linear layout). */
export function projectionShape(config: LlamaConfig, name: ProjectionName): [number, number] {
  const d = config.hiddenSize;
  const qDim = config.numHeads * config.headDim;
  const kvDim = config.numKvHeads * config.headDim;
  switch (name) {
    case "q_proj":
      return [qDim, d];
    case "k_proj":
    case "v_proj":
      return [kvDim, d];
    case "o_proj":
      return [d, qDim];
    case "gate_proj":
    case "up_proj":
      return [config.intermediateSize, d];
    case "down_proj":
      return [d, config.intermediateSize];
  }
}

/** Every parameter of the model with its shape, in the order HF lists them. */
export function parameterShapes(config: LlamaConfig): Map<string, number[]> {
  const shapes = new Map<string, number[]>();
  shapes.set("model.embed_tokens.weight", [config.vocabSize, config.hiddenSize]);
  for (let layer = 0; layer < config.numLayers; layer++) {
    for (const name of Object.keys(PROJECTIONS) as ProjectionName[]) {
      shapes.set(projectionWeightName(layer, name), projectionShape(config, name));
    }
    shapes.set(`${layerPrefix(layer)}input_layernorm.weight`, [config.hiddenSize]);
    shapes.set(`${layerPrefix(layer)}post_attention_layernorm.weight`, [config.hiddenSize]);
  }
  shapes.set("model.norm.weight", [config.hiddenSize]);
  if (!config.tieWordEmbeddings) shapes.set("lm_head.weight", [config.vocabSize, config.hiddenSize]);
  return shapes;
}

export function countParameters(config: LlamaConfig): number {
  let total = 0;
  for (const shape of parameterShapes(config).values()) total += numElements(shape);
  return total;
}

/** HF's initialisation: every matrix ~ N(0, std²) (std = initializer_range, 0.02), norm weights at 1. */
export function initWeights(config: LlamaConfig, seed: number, std = 0.02): Weights {
  const rng = createRng(seed);
  const weights: Weights = new Map();
  for (const [name, shape] of parameterShapes(config)) {
    const data = new Float32Array(numElements(shape));
    if (shape.length === 1) data.fill(1);
    else for (let i = 0; i < data.length; i++) data[i] = rng.normal() * std;
    weights.set(name, { shape, data });
  }
  return weights;
}

/**
 * Checks that `weights` holds exactly the model's tensors with the right shapes. A tied model may
 * carry a redundant `lm_head.weight` (some exporters write it); it is dropped, as are stored RoPE
 * frequencies. Returns the problems found (empty when the weights fit).
 */
export function checkWeights(config: LlamaConfig, weights: Weights): string[] {
  const problems: string[] = [];
  const expected = parameterShapes(config);
  if (config.tieWordEmbeddings) weights.delete("lm_head.weight");
  // Older exports store RoPE's inverse frequencies; they are recomputed from rope_theta.
  for (const name of [...weights.keys()]) if (name.endsWith("rotary_emb.inv_freq")) weights.delete(name);
  for (const [name, shape] of expected) {
    const tensor = weights.get(name);
    if (!tensor) problems.push(`tensor '${name}' is missing`);
    else if (tensor.shape.join(",") !== shape.join(",")) {
      problems.push(`tensor '${name}' has shape [${tensor.shape}], expected [${shape}]`);
    }
  }
  for (const name of weights.keys()) {
    if (!expected.has(name)) problems.push(`unexpected tensor '${name}'`);
  }
  return problems;
}
