import type { LlamaConfig } from "./config.ts";
import {
  PROJECTIONS,
  type ProjectionName,
  projectionShape,
  projectionWeightName,
  type Tensor,
  type Weights,
} from "./params.ts";
import { createRng } from "./random.ts";

export interface LoraConfig {
  /** Rank r of the update B·A. */
  r: number;
  alpha: number;
  dropout: number;
  targetModules: ProjectionName[];
  /** Recorded in adapter_config.json so the adapter names its base model. */
  baseModel: string;
  /** Rank-stabilised scaling α/√r instead of α/r (PEFT's `use_rslora`). */
  useRslora?: boolean;
}

/** One adapted projection: W' = W + scale · B · A, A `[r, in]`, B `[out, r]`. */
export interface LoraPair {
  a: Tensor;
  b: Tensor;
}

export interface LoraAdapter {
  config: LoraConfig;
  /** Keyed by the base weight's HF name, e.g. `model.layers.0.self_attn.q_proj.weight`. */
  pairs: Map<string, LoraPair>;
}

export function loraScale(config: LoraConfig): number {
  return config.useRslora ? config.alpha / Math.sqrt(config.r) : config.alpha / config.r;
}

export function isProjectionName(name: string): name is ProjectionName {
  return Object.hasOwn(PROJECTIONS, name);
}

/**
 * A fresh adapter as PEFT initialises one: A ~ U(-1/√in, 1/√in) (kaiming-uniform with a=√5),
 * B = 0, so the adapted model starts equal to the base model.
 */
export function initLoraAdapter(model: LlamaConfig, config: LoraConfig, seed: number): LoraAdapter {
  const rng = createRng(seed);
  const pairs = new Map<string, LoraPair>();
  for (let layer = 0; layer < model.numLayers; layer++) {
    for (const target of config.targetModules) {
      const [out, inFeatures] = projectionShape(model, target);
      const bound = 1 / Math.sqrt(inFeatures);
      const a = new Float32Array(config.r * inFeatures);
      for (let i = 0; i < a.length; i++) a[i] = (2 * rng.uniform() - 1) * bound;
      pairs.set(projectionWeightName(layer, target), {
        a: { shape: [config.r, inFeatures], data: a },
        b: { shape: [out, config.r], data: new Float32Array(out * config.r) },
      });
    }
  }
  return { config: structuredClone(config), pairs };
}

/** Base weights with the adapter folded in (W + scale·B·A); the input map is not modified. */
export function mergeLoraAdapter(weights: Weights, adapter: LoraAdapter): Weights {
  const merged: Weights = new Map(weights);
  const scale = loraScale(adapter.config);
  for (const [name, { a, b }] of adapter.pairs) {
    const base = weights.get(name);
    if (!base) throw new Error(`the adapter updates '${name}', which the base weights do not have`);
    const [out, inFeatures] = base.shape;
    const r = a.shape[0];
    if (a.shape[1] !== inFeatures || b.shape[0] !== out || b.shape[1] !== r) {
      throw new Error(
        `the adapter for '${name}' has A [${a.shape}] and B [${b.shape}], which do not fit the base weight [${base.shape}]`,
      );
    }
    const data = Float32Array.from(base.data);
    for (let o = 0; o < out; o++) {
      for (let k = 0; k < r; k++) {
        const coefficient = scale * b.data[o * r + k];
        if (coefficient === 0) continue;
        const aRow = k * inFeatures;
        const row = o * inFeatures;
        for (let i = 0; i < inFeatures; i++) data[row + i] += coefficient * a.data[aRow + i];
      }
    }
    merged.set(name, { shape: [...base.shape], data });
  }
  return merged;
}
