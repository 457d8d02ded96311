import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ModelFileError } from "../../../runtime/train/io/errors.ts";
import {
  llamaConfigToJson,
  parseLlamaConfig,
  readLlamaConfig,
  writeLlamaConfig,
} from "../../../runtime/train/model/config.ts";
import { countParameters, initWeights, parameterShapes } from "../../../runtime/train/model/params.ts";
import { PRESETS, presetConfig } from "../../../runtime/train/model/presets.ts";

// A SmolLM-style config.json as transformers writes it.
const HF_CONFIG = {
  architectures: ["LlamaForCausalLM"],
  attention_bias: false,
  attention_dropout: 0.0,
  bos_token_id: 1,
  eos_token_id: 2,
  hidden_act: "silu",
  hidden_size: 576,
  initializer_range: 0.02,
  intermediate_size: 1536,
  max_position_embeddings: 2048,
  mlp_bias: false,
  model_type: "llama",
  num_attention_heads: 9,
  num_hidden_layers: 30,
  num_key_value_heads: 3,
  pretraining_tp: 1,
  rms_norm_eps: 1e-5,
  rope_scaling: null,
  rope_theta: 10000.0,
  tie_word_embeddings: true,
  torch_dtype: "bfloat16",
  transformers_version: "4.40.1",
  use_cache: true,
  vocab_size: 49152,
};

function writeConfig(json: unknown): string {
  const file = join(mkdtempSync(join(tmpdir(), "atune-config-")), "config.json");
  writeFileSync(file, JSON.stringify(json));
  return file;
}

function errorOf(action: () => unknown): ModelFileError {
  try {
    action();
  } catch (error) {
    expect(error).toBeInstanceOf(ModelFileError);
    return error as ModelFileError;
  }
  return expect.fail("expected a ModelFileError");
}

describe("Llama config.json", () => {
  it("parses a transformers config and derives head_dim", () => {
    const config = readLlamaConfig(writeConfig(HF_CONFIG));
    expect(config).toMatchObject({
      modelType: "llama",
      hiddenSize: 576,
      numHeads: 9,
      numKvHeads: 3,
      headDim: 64,
      vocabSize: 49152,
      tieWordEmbeddings: true,
      ropeTheta: 10000,
      rmsNormEps: 1e-5,
      bosTokenId: 1,
      eosTokenId: 2,
    });
    expect(countParameters(config)).toBe(134_515_008); // SmolLM-135M
  });

  it("round-trips through llamaConfigToJson", () => {
    const config = readLlamaConfig(writeConfig(HF_CONFIG));
    const written = llamaConfigToJson(config);
    expect(written.architectures).toEqual(["LlamaForCausalLM"]);
    expect(written.rope_scaling).toBeNull();
    expect(parseLlamaConfig(JSON.parse(JSON.stringify(written)))).toEqual(config);
    const file = writeConfig({});
    writeLlamaConfig(file, config);
    expect(readLlamaConfig(file)).toEqual(config);
    const mistral = parseLlamaConfig({
      ...HF_CONFIG,
      model_type: "mistral",
      head_dim: 32,
      eos_token_id: [2, 7],
    });
    expect(mistral.headDim).toBe(32);
    expect(parseLlamaConfig(llamaConfigToJson(mistral))).toEqual(mistral);
  });

  it("names the file and key of a missing key", () => {
    const { num_hidden_layers: _, ...missing } = HF_CONFIG;
    const file = writeConfig(missing);
    const error = errorOf(() => readLlamaConfig(file));
    expect(error.message).toContain(file);
    expect(error.message).toContain("'num_hidden_layers' is missing");
  });

  it("rejects heads that do not divide", () => {
    expect(
      errorOf(() => parseLlamaConfig({ ...HF_CONFIG, num_attention_heads: 7 }, "a/config.json")).message,
    ).toMatch(/a\/config\.json: key 'num_attention_heads' \(7\) must divide hidden_size \(576\)/);
    expect(
      errorOf(() => parseLlamaConfig({ ...HF_CONFIG, num_key_value_heads: 2 }, "b.json")).message,
    ).toMatch(/b\.json: key 'num_key_value_heads' \(2\) must divide num_attention_heads \(9\)/);
  });

  it("rejects features the decoder does not implement", () => {
    const scaled = { ...HF_CONFIG, rope_scaling: { type: "llama3", factor: 8 } };
    expect(errorOf(() => readLlamaConfig(writeConfig(scaled))).message).toMatch(
      /config\.json: key 'rope_scaling' is set/,
    );
    expect(errorOf(() => parseLlamaConfig({ ...HF_CONFIG, attention_bias: true })).message).toContain(
      "'attention_bias'",
    );
    expect(errorOf(() => parseLlamaConfig({ ...HF_CONFIG, hidden_act: "gelu" })).message).toContain(
      "'hidden_act'",
    );
    expect(errorOf(() => parseLlamaConfig({ ...HF_CONFIG, model_type: "qwen2" })).message).toContain(
      "biases",
    );
    expect(errorOf(() => parseLlamaConfig({ ...HF_CONFIG, vocab_size: -3 })).message).toContain(
      "'vocab_size'",
    );
    expect(errorOf(() => readLlamaConfig(writeConfig([1, 2]))).message).toContain("JSON object");
    const broken = join(mkdtempSync(join(tmpdir(), "atune-config-")), "config.json");
    writeFileSync(broken, "{ not json");
    expect(errorOf(() => readLlamaConfig(broken)).message).toContain("not valid JSON");
  });
});

describe("presets and parameters", () => {
  it("tiny and small have the advertised sizes and HF names", () => {
    expect(countParameters(PRESETS.tiny)).toBeGreaterThan(500_000);
    expect(countParameters(PRESETS.tiny)).toBeLessThan(1_000_000);
    expect(countParameters(PRESETS.small)).toBeGreaterThan(3_000_000);
    expect(countParameters(PRESETS.small)).toBeLessThan(6_000_000);
    const shapes = parameterShapes(presetConfig("tiny"));
    expect(shapes.get("model.layers.3.self_attn.k_proj.weight")).toEqual([64, 128]);
    expect(shapes.get("model.layers.0.mlp.down_proj.weight")).toEqual([128, 344]);
    expect(shapes.get("model.norm.weight")).toEqual([128]);
    expect(shapes.has("lm_head.weight")).toBe(false);
    expect(() => presetConfig("huge")).toThrow(/tiny, small/);
  });

  it("initialises like HF (N(0, 0.02²) matrices, unit norms), reproducibly by seed", () => {
    const config = presetConfig("tiny");
    const weights = initWeights(config, 42);
    const embed = weights.get("model.embed_tokens.weight")!.data;
    const mean = embed.reduce((a, b) => a + b, 0) / embed.length;
    const std = Math.sqrt(embed.reduce((a, b) => a + (b - mean) ** 2, 0) / embed.length);
    expect(Math.abs(mean)).toBeLessThan(1e-3);
    expect(std).toBeCloseTo(0.02, 3);
    expect(weights.get("model.layers.2.input_layernorm.weight")!.data.every((x) => x === 1)).toBe(true);
    expect(initWeights(config, 42).get("model.layers.1.self_attn.q_proj.weight")).toEqual(
      weights.get("model.layers.1.self_attn.q_proj.weight"),
    );
    expect(initWeights(config, 43).get("model.embed_tokens.weight")!.data[0]).not.toBe(embed[0]);
  });
});
