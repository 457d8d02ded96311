import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { writeFileAtomic } from "../../../runtime/train/io/atomic.ts";
import { loadCheckpoint, saveCheckpoint } from "../../../runtime/train/io/checkpoint.ts";
import { f16BitsToF32, f32ToBf16Bits, f32ToF16Bits } from "../../../runtime/train/io/dtype.ts";
import { ModelFileError } from "../../../runtime/train/io/errors.ts";
import {
  INDEX_FILE,
  parseSafetensors,
  readSafetensors,
  readSafetensorsDir,
  serializeSafetensors,
  writeSafetensors,
  writeSafetensorsDir,
} from "../../../runtime/train/io/safetensors.ts";
import type { LlamaConfig } from "../../../runtime/train/model/config.ts";
import { initWeights, type Weights } from "../../../runtime/train/model/params.ts";
import { createRng } from "../../../runtime/train/model/random.ts";

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), "atune-st-"));
}

function sampleTensors(): Weights {
  const rng = createRng(3);
  const values = (count: number) => Float32Array.from({ length: count }, () => rng.normal() * 3);
  return new Map([
    ["b.weight", { shape: [3, 4], data: values(12) }],
    ["a.bias", { shape: [5], data: values(5) }],
    ["c.scalar", { shape: [], data: Float32Array.of(-7.25) }],
  ]);
}

function bytesOf(tensors: Weights, dtype: "F32" | "F16" | "BF16" = "F32"): Uint8Array {
  return Buffer.concat([...serializeSafetensors(tensors, dtype)]);
}

function errorMessage(action: () => unknown): string {
  try {
    action();
  } catch (error) {
    expect(error).toBeInstanceOf(ModelFileError);
    return (error as Error).message;
  }
  return expect.fail("expected a ModelFileError");
}

describe("safetensors", () => {
  it("writes and reads f32 exactly, with format=pt metadata and an 8-byte aligned header", () => {
    const file = join(tempDir(), "model.safetensors");
    const tensors = sampleTensors();
    writeSafetensors(file, tensors);
    const read = readSafetensors(file);
    expect(read.metadata.format).toBe("pt");
    for (const [name, tensor] of tensors) {
      expect(read.tensors.get(name)).toEqual(tensor);
      expect(read.dtypes.get(name)).toBe("F32");
    }
    const bytes = readFileSync(file);
    const headerLength = Number(bytes.readBigUInt64LE(0));
    expect(headerLength % 8).toBe(0);
    const header = JSON.parse(bytes.subarray(8, 8 + headerLength).toString());
    expect(Object.keys(header)).toEqual(["__metadata__", "a.bias", "b.weight", "c.scalar"]);
    expect(header["a.bias"]).toEqual({ dtype: "F32", shape: [5], data_offsets: [0, 20] });
  });

  it("converts f16 and bf16 within their rounding", () => {
    const tensors = sampleTensors();
    for (const [dtype, relative] of [
      ["F16", 2 ** -11],
      ["BF16", 2 ** -8],
    ] as const) {
      const read = parseSafetensors(bytesOf(tensors, dtype));
      for (const [name, tensor] of tensors) {
        expect(read.dtypes.get(name)).toBe(dtype);
        tensor.data.forEach((value, i) => {
          expect(Math.abs(read.tensors.get(name)!.data[i] - value)).toBeLessThanOrEqual(
            Math.abs(value) * relative,
          );
        });
      }
    }
    // Exact cases: round-to-nearest-even, subnormals, overflow, bf16 truncation.
    expect(f32ToF16Bits(1)).toBe(0x3c00);
    expect(f32ToF16Bits(65504)).toBe(0x7bff);
    expect(f32ToF16Bits(1e6)).toBe(0x7c00);
    expect(f16BitsToF32(f32ToF16Bits(2 ** -24))).toBe(2 ** -24);
    expect(f32ToF16Bits(1 + 2 ** -11)).toBe(0x3c00); // tie rounds to even
    expect(f32ToF16Bits(1 + 3 * 2 ** -11)).toBe(0x3c02);
    expect(f32ToBf16Bits(1)).toBe(0x3f80);
    expect(f32ToBf16Bits(-2)).toBe(0xc000);
  });

  it("explains a corrupted header or out-of-bounds offsets, naming the file and tensor", () => {
    const good = bytesOf(sampleTensors());
    expect(errorMessage(() => parseSafetensors(good.subarray(0, 5), "x.safetensors"))).toMatch(
      /^x\.safetensors: is not a valid safetensors file: .*shorter than the 8-byte header length/,
    );
    const hugeLength = Uint8Array.from(good);
    new DataView(hugeLength.buffer).setBigUint64(0, 1n << 40n, true);
    expect(errorMessage(() => parseSafetensors(hugeLength, "y.safetensors"))).toContain("runs past the end");
    const badJson = Uint8Array.from(good);
    badJson[8] = "!".charCodeAt(0);
    expect(errorMessage(() => parseSafetensors(badJson))).toContain("header is not valid JSON");
    const headerLength = Number(new DataView(good.buffer, good.byteOffset).getBigUint64(0, true));
    const withHeader = (header: object) => {
      const text = Buffer.from(JSON.stringify(header));
      const length = Buffer.alloc(8);
      length.writeBigUInt64LE(BigInt(text.length));
      return Buffer.concat([length, text, good.subarray(8 + headerLength)]);
    };
    const outOfBounds = withHeader({ "w.weight": { dtype: "F32", shape: [4], data_offsets: [60, 76] } });
    expect(errorMessage(() => parseSafetensors(outOfBounds, "z.safetensors"))).toMatch(
      /z\.safetensors: .*tensor 'w\.weight' has data_offsets \[60, 76\] outside the 72 bytes of data/,
    );
    const wrongSize = withHeader({ "w.weight": { dtype: "F32", shape: [3], data_offsets: [0, 16] } });
    expect(errorMessage(() => parseSafetensors(wrongSize))).toContain(
      "tensor 'w.weight' holds 16 bytes but shape [3] in F32 needs 12",
    );
    const overlapping = withHeader({
      "p.weight": { dtype: "F32", shape: [4], data_offsets: [0, 16] },
      "q.weight": { dtype: "F32", shape: [2], data_offsets: [8, 16] },
    });
    expect(errorMessage(() => parseSafetensors(overlapping))).toContain(
      "tensors 'p.weight' and 'q.weight' overlap",
    );
    const int64 = withHeader({ ids: { dtype: "I64", shape: [2], data_offsets: [0, 16] } });
    expect(errorMessage(() => parseSafetensors(int64))).toContain("tensor 'ids' has dtype \"I64\"");
    expect(errorMessage(() => readSafetensors(join(tempDir(), "missing.safetensors")))).toContain(
      "cannot read",
    );
  });

  it("writes and loads a sharded directory (index + 2 shards)", () => {
    const dir = tempDir();
    const tensors = sampleTensors();
    const files = writeSafetensorsDir(dir, tensors, { maxShardBytes: 50 });
    expect(files).toEqual([
      "model-00001-of-00002.safetensors",
      "model-00002-of-00002.safetensors",
      INDEX_FILE,
    ]);
    const index = JSON.parse(readFileSync(join(dir, INDEX_FILE), "utf8"));
    expect(index.metadata.total_size).toBe((12 + 5 + 1) * 4);
    expect(index.weight_map["b.weight"]).toBe("model-00001-of-00002.safetensors");
    expect(index.weight_map["a.bias"]).toBe("model-00002-of-00002.safetensors");
    const read = readSafetensorsDir(dir);
    for (const [name, tensor] of tensors) expect(read.tensors.get(name)).toEqual(tensor);
    // An index naming a tensor its shard lacks is reported against the index.
    writeFileSync(
      join(dir, INDEX_FILE),
      JSON.stringify({ weight_map: { ...index.weight_map, "d.weight": files[0] } }),
    );
    expect(errorMessage(() => readSafetensorsDir(dir))).toContain("maps tensor 'd.weight'");
    expect(errorMessage(() => readSafetensorsDir(tempDir()))).toContain(
      "holds neither model.safetensors nor",
    );
  });

  it("replaces an earlier save in the other layout instead of leaving it to shadow the new one", () => {
    const dir = tempDir();
    const tensors = sampleTensors();
    writeSafetensorsDir(dir, tensors);
    writeSafetensorsDir(dir, tensors, { maxShardBytes: 10 });
    expect(readdirSync(dir).sort()).toEqual([
      "model-00001-of-00003.safetensors",
      "model-00002-of-00003.safetensors",
      "model-00003-of-00003.safetensors",
      INDEX_FILE,
    ]);
    writeSafetensorsDir(dir, tensors, { maxShardBytes: 50 });
    expect(readdirSync(dir).filter((name) => name.startsWith("model-"))).toHaveLength(2);
    const changed: Weights = new Map([["only.weight", { shape: [1], data: Float32Array.of(2) }]]);
    writeSafetensorsDir(dir, changed);
    expect(readdirSync(dir)).toEqual(["model.safetensors"]);
    expect(readSafetensorsDir(dir).tensors).toEqual(changed);
  });

  it("leaves no partial file when a write fails midway", () => {
    const dir = tempDir();
    const file = join(dir, "model.safetensors");
    writeFileAtomic(file, ["old contents"]);
    function* failing(): Generator<Uint8Array> {
      yield new Uint8Array(1000).fill(7);
      throw new Error("disk full (simulated)");
    }
    expect(() => writeFileAtomic(file, failing())).toThrow("disk full (simulated)");
    expect(readFileSync(file, "utf8")).toBe("old contents");
    expect(readdirSync(dir)).toEqual(["model.safetensors"]);
    const fresh = join(dir, "new.safetensors");
    expect(() => writeFileAtomic(fresh, failing())).toThrow();
    expect(existsSync(fresh)).toBe(false);
    expect(readdirSync(dir)).toEqual(["model.safetensors"]);
  });
});

describe("checkpoint directory", () => {
  const config: LlamaConfig = {
    modelType: "llama",
    vocabSize: 20,
    hiddenSize: 8,
    intermediateSize: 12,
    numLayers: 2,
    numHeads: 2,
    numKvHeads: 1,
    headDim: 4,
    ropeTheta: 10000,
    rmsNormEps: 1e-6,
    tieWordEmbeddings: false,
    maxPositionEmbeddings: 64,
    bosTokenId: 0,
    eosTokenId: 1,
  };

  it("saves config.json + safetensors (+ generation_config, tokenizer files) and loads them back", () => {
    const dir = join(tempDir(), "ckpt");
    const weights = initWeights(config, 5);
    saveCheckpoint(dir, {
      config,
      weights,
      generationConfig: { bos_token_id: 0, eos_token_id: 1 },
      extraFiles: { "tokenizer_config.json": { chat_template: "{{ x }}" } },
    });
    expect(readdirSync(dir).sort()).toEqual([
      "config.json",
      "generation_config.json",
      "model.safetensors",
      "tokenizer_config.json",
    ]);
    const json = JSON.parse(readFileSync(join(dir, "config.json"), "utf8"));
    expect(json).toMatchObject({
      architectures: ["LlamaForCausalLM"],
      torch_dtype: "float32",
      num_key_value_heads: 1,
    });
    const loaded = loadCheckpoint(dir);
    expect(loaded.config).toEqual(config);
    for (const [name, tensor] of weights) expect(loaded.weights.get(name)).toEqual(tensor);
  });

  it("stores no lm_head for a tied model and refuses incomplete weights", () => {
    const weights = initWeights(config, 6);
    const tiedDir = tempDir();
    saveCheckpoint(tiedDir, { config: { ...config, tieWordEmbeddings: true }, weights });
    expect(readSafetensorsDir(tiedDir).tensors.has("lm_head.weight")).toBe(false);
    expect(weights.has("lm_head.weight")).toBe(true);
    const incomplete = new Map(weights);
    incomplete.delete("model.norm.weight");
    expect(() => saveCheckpoint(tempDir(), { config, weights: incomplete })).toThrow(
      /cannot save a checkpoint to .*: tensor 'model\.norm\.weight' is missing/,
    );
  });

  it("reports weights that do not fit config.json", () => {
    const dir = tempDir();
    const weights = initWeights(config, 5);
    saveCheckpoint(dir, { config, weights, maxShardBytes: 1000 });
    expect(existsSync(join(dir, INDEX_FILE))).toBe(true);
    expect(loadCheckpoint(dir).weights.size).toBe(weights.size);
    writeFileSync(
      join(dir, "config.json"),
      JSON.stringify({
        ...JSON.parse(readFileSync(join(dir, "config.json"), "utf8")),
        intermediate_size: 16,
      }),
    );
    expect(errorMessage(() => loadCheckpoint(dir))).toMatch(
      /the weights do not match config\.json: tensor 'model\.layers\.0\.mlp\.gate_proj\.weight' has shape \[12,8\], expected \[16,8\]/,
    );
  });
});
