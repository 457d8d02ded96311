import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ModelFileError } from "../../../runtime/train/io/errors.ts";
import { ADAPTER_CONFIG_FILE, loadLoraAdapter, saveLoraAdapter } from "../../../runtime/train/io/peft.ts";
import { readSafetensors } from "../../../runtime/train/io/safetensors.ts";
import type { LlamaConfig } from "../../../runtime/train/model/config.ts";
import { initLoraAdapter, type LoraAdapter, mergeLoraAdapter } from "../../../runtime/train/model/lora.ts";
import { initWeights } from "../../../runtime/train/model/params.ts";
import { createRng } from "../../../runtime/train/model/random.ts";
import { ReferenceLlama } from "../../../runtime/train/reference/model.ts";

const config: LlamaConfig = {
  modelType: "llama",
  vocabSize: 17,
  hiddenSize: 8,
  intermediateSize: 12,
  numLayers: 2,
  numHeads: 4,
  numKvHeads: 2,
  headDim: 2,
  ropeTheta: 10000,
  rmsNormEps: 1e-5,
  tieWordEmbeddings: true,
  maxPositionEmbeddings: 32,
};

/** An adapter with non-zero B (a fresh one has B = 0, which would make merge tests vacuous). */
function trainedAdapter(): LoraAdapter {
  const adapter = initLoraAdapter(
    config,
    {
      r: 4,
      alpha: 8,
      dropout: 0.05,
      targetModules: ["q_proj", "v_proj", "gate_proj"],
      baseModel: "atune/micro",
    },
    1,
  );
  const rng = createRng(2);
  for (const pair of adapter.pairs.values())
    for (let i = 0; i < pair.b.data.length; i++) pair.b.data[i] = rng.normal() * 0.1;
  return adapter;
}

describe("PEFT LoRA adapters", () => {
  it("saves PEFT's layout and loads it back exactly", () => {
    const dir = mkdtempSync(join(tmpdir(), "atune-peft-"));
    const adapter = trainedAdapter();
    saveLoraAdapter(dir, adapter);
    expect(readdirSync(dir).sort()).toEqual(["adapter_config.json", "adapter_model.safetensors"]);
    const json = JSON.parse(readFileSync(join(dir, ADAPTER_CONFIG_FILE), "utf8"));
    expect(json).toMatchObject({
      peft_type: "LORA",
      task_type: "CAUSAL_LM",
      r: 4,
      lora_alpha: 8,
      lora_dropout: 0.05,
      target_modules: ["q_proj", "v_proj", "gate_proj"],
      base_model_name_or_path: "atune/micro",
      bias: "none",
      fan_in_fan_out: false,
    });
    const stored = readSafetensors(join(dir, "adapter_model.safetensors")).tensors;
    expect(stored.get("base_model.model.model.layers.1.self_attn.q_proj.lora_A.weight")?.shape).toEqual([
      4, 8,
    ]);
    expect(stored.get("base_model.model.model.layers.1.self_attn.v_proj.lora_B.weight")?.shape).toEqual([
      4, 4,
    ]);
    expect(stored.get("base_model.model.model.layers.0.mlp.gate_proj.lora_B.weight")?.shape).toEqual([12, 4]);
    expect(stored.size).toBe(2 * 3 * 2);
    const loaded = loadLoraAdapter(dir, config);
    expect(loaded.config).toEqual({ ...adapter.config, useRslora: false });
    expect(loaded.pairs).toEqual(adapter.pairs);
  });

  it("merge equals W + (α/r)·B·A, and the merged model computes what the adapted one does", () => {
    const weights = initWeights(config, 3);
    const adapter = trainedAdapter();
    const merged = mergeLoraAdapter(weights, adapter);
    const name = "model.layers.1.mlp.gate_proj.weight";
    const { a, b } = adapter.pairs.get(name)!;
    const base = weights.get(name)!;
    const [out, inFeatures] = base.shape;
    for (let o = 0; o < out; o++) {
      for (let i = 0; i < inFeatures; i++) {
        let update = 0;
        for (let k = 0; k < 4; k++) update += b.data[o * 4 + k] * a.data[k * inFeatures + i];
        expect(merged.get(name)!.data[o * inFeatures + i]).toBeCloseTo(
          base.data[o * inFeatures + i] + 2 * update,
          6,
        );
      }
    }
    expect(merged.get("model.layers.1.self_attn.o_proj.weight")).toBe(
      weights.get("model.layers.1.self_attn.o_proj.weight"),
    );
    expect(weights.get(name)!.data).toEqual(base.data);

    const inputs = [1, 5, 9, 2, 16, 0];
    const batch = { inputs, batchSize: 1, seqLen: inputs.length };
    const adapted = ReferenceLlama.fromWeights(config, weights);
    adapted.attachLora(adapter);
    const mergedModel = ReferenceLlama.fromWeights(config, merged);
    const x = adapted.forward(batch).logits;
    const y = mergedModel.forward(batch).logits;
    expect(Math.max(...x.map((value, i) => Math.abs(value - y[i])))).toBeLessThan(1e-5);
  });

  it("explains adapters it cannot use", () => {
    const dir = mkdtempSync(join(tmpdir(), "atune-peft-"));
    saveLoraAdapter(dir, trainedAdapter());
    const configFile = join(dir, ADAPTER_CONFIG_FILE);
    const original = JSON.parse(readFileSync(configFile, "utf8"));
    const messageFor = (patch: object, model?: LlamaConfig) => {
      writeFileSync(configFile, JSON.stringify({ ...original, ...patch }));
      try {
        loadLoraAdapter(dir, model);
      } catch (error) {
        expect(error).toBeInstanceOf(ModelFileError);
        return (error as Error).message;
      }
      return expect.fail("expected a ModelFileError");
    };
    expect(messageFor({ peft_type: "IA3" })).toContain("key 'peft_type'");
    expect(messageFor({ use_dora: true })).toContain("DoRA");
    expect(messageFor({ target_modules: ["qkv"] })).toContain("key 'target_modules'");
    expect(messageFor({ r: 8 })).toContain("not rank r=8");
    expect(messageFor({}, { ...config, hiddenSize: 16, headDim: 4 })).toContain(
      "does not fit the base model",
    );
    writeFileSync(configFile, JSON.stringify(original));
    expect(loadLoraAdapter(dir, config).pairs.size).toBe(6);
  });
});
