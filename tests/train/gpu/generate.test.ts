// KV-cache generation on the GPU against the uncached path and the reference's greedy decoder;
// batching; the text API; checkpoint save → load round trip.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { generate, generateIds } from "../../../runtime/train/generate/generate.ts";
import { loadGpuModel, saveGpuModel } from "../../../runtime/train/gpu/checkpoint.ts";
import { GpuKvPrefix } from "../../../runtime/train/gpu/decode.ts";
import { GpuLlama } from "../../../runtime/train/gpu/model.ts";
import { initLoraAdapter } from "../../../runtime/train/model/lora.ts";
import { initWeights } from "../../../runtime/train/model/params.ts";
import { generateBatch } from "../../../runtime/train/reference/generate.ts";
import { ReferenceLlama } from "../../../runtime/train/reference/model.ts";
import { ByteTokenizer, byteTokenizerFiles } from "../../../runtime/train/tokenizer/byte.ts";
import { microConfig, randomBatch, relError, useGpu } from "./helpers.ts";

const gpu = useGpu();
const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

// Larger init (std 0.5) spreads the logits, so f32 vs f64 rounding cannot flip a greedy argmax.
const config = microConfig({ maxPositionEmbeddings: 40 });
const weights = initWeights(config, 3, 0.5);
const prompts = [[1, 2, 3], [7], [10, 11, 12, 13, 14, 15], [5, 9]];

describe("GPU generation", () => {
  it("greedy with the KV cache equals without it and equals the reference, batched and one by one", async () => {
    const model = new GpuLlama(gpu(), config, weights);
    const options = { maxNewTokens: 10, stopTokenIds: [0] };
    const cached = await generateIds(model, prompts, options);
    const uncached = await generateIds(model, prompts, { ...options, useKvCache: false });
    const reference = generateBatch(ReferenceLlama.fromWeights(config, weights), prompts, options);
    expect(cached).toEqual(uncached);
    expect(cached).toEqual(reference);
    for (const [r, prompt] of prompts.entries()) {
      expect((await generateIds(model, [prompt], options))[0]).toEqual(cached[r]);
    }
    expect(cached.some((g) => g.ids.length === 10)).toBe(true);
    model.release();
  });

  it("a conversation's kept keys and values give the same next turn as running it whole", async () => {
    const model = new GpuLlama(gpu(), config, weights);
    const options = { maxNewTokens: 6, stopTokenIds: [0] };
    const turn1 = [
      [1, 2, 3],
      [7, 8],
      [10, 11, 12, 13],
    ];
    const prefixes = turn1.map(() => new GpuKvPrefix(model));
    const first = await generateIds(model, turn1, { ...options, prefixes });
    expect(first).toEqual(await generateIds(model, turn1, options));
    // Each prefix holds the prompt and the reply (all but the newest token, which may not have run).
    turn1.forEach((prompt, r) => {
      expect(prefixes[r].ids).toEqual(
        [...prompt, ...first[r].ids].slice(0, prompt.length + first[r].ids.length - 1),
      );
    });
    // Turn 2 appends the reply and a new message; one conversation instead starts over.
    const turn2 = turn1.map((prompt, r) => (r === 2 ? [20, 21] : [...prompt, ...first[r].ids, 30, 31]));
    expect(turn2.map((prompt, r) => prefixes[r].reusable(prompt))).toEqual([
      prefixes[0].ids.length,
      prefixes[1].ids.length,
      0,
    ]);
    const second = await generateIds(model, turn2, { ...options, prefixes });
    expect(second).toEqual(await generateIds(model, turn2, options));
    expect(second).toEqual(generateBatch(ReferenceLlama.fromWeights(config, weights), turn2, options));
    for (const prefix of prefixes) prefix.release();
    model.release();
  });

  it("samples with temperature and top-p: seeded, batched row r equals a single run with seed + r", async () => {
    const model = new GpuLlama(gpu(), config, weights);
    const options = { maxNewTokens: 8, temperature: 0.9, topP: 0.8, seed: 42 };
    const batched = await generateIds(model, prompts, options);
    expect(await generateIds(model, prompts, options)).toEqual(batched);
    for (const [r, prompt] of prompts.entries()) {
      expect((await generateIds(model, [prompt], { ...options, seed: 42 + r }))[0]).toEqual(batched[r]);
    }
    const other = await generateIds(model, prompts, { ...options, seed: 7 });
    expect(other).not.toEqual(batched);
    model.release();
  });

  it("stops at the context limit and applies a LoRA adapter while decoding", async () => {
    const model = new GpuLlama(gpu(), config, weights);
    const long = Array.from({ length: 36 }, (_, i) => i % 64);
    const [full, short] = await generateIds(model, [long, [4]], { maxNewTokens: 10 });
    expect(full.stopReason).toBe("context_full");
    expect(full.ids.length).toBe(4);
    expect(short.stopReason).toBe("max_tokens");
    const adapter = initLoraAdapter(
      config,
      { r: 2, alpha: 4, dropout: 0, targetModules: ["q_proj", "up_proj"], baseModel: "micro" },
      1,
    );
    for (const pair of adapter.pairs.values())
      for (let i = 0; i < pair.b.data.length; i++) pair.b.data[i] = Math.cos(i);
    model.attachLora(adapter);
    const reference = ReferenceLlama.fromWeights(config, weights);
    reference.attachLora(adapter);
    const options = { maxNewTokens: 6 };
    expect(await generateIds(model, prompts, options)).toEqual(generateBatch(reference, prompts, options));
    model.release();
  });

  it("generates text from string and chat prompts with stop strings", async () => {
    const tokenizer = new ByteTokenizer();
    const byteConfig = microConfig({ vocabSize: tokenizer.vocabSize, maxPositionEmbeddings: 64 });
    const model = new GpuLlama(gpu(), byteConfig, initWeights(byteConfig, 8, 0.5));
    const texts = await generate(model, tokenizer, ["ab", "hello"], { maxNewTokens: 5, stopTokenIds: [] });
    const ids = await generateIds(
      model,
      [
        [256, 97, 98],
        [256, ...new TextEncoder().encode("hello")],
      ],
      {
        maxNewTokens: 5,
      },
    );
    expect(texts).toEqual(ids.map((g) => tokenizer.decode(g.ids, { skipSpecial: true })));
    const chat = await generate(model, tokenizer, [[{ role: "user", content: "hi" }]], { maxNewTokens: 6 });
    expect(chat).toHaveLength(1);
    expect(texts[0].length).toBeGreaterThan(1);
    const stop = texts[0].slice(1, 2);
    const cut = await generate(model, tokenizer, ["ab"], {
      maxNewTokens: 5,
      stopTokenIds: [],
      stopStrings: [stop],
    });
    expect(cut[0]).toBe(texts[0].slice(0, texts[0].indexOf(stop)));
    model.release();
  });
});

describe("GPU model checkpoints", () => {
  it("save → load round trip is exact (weights, logits) and carries the tokenizer", async () => {
    const tokenizer = new ByteTokenizer();
    const byteConfig = microConfig({ vocabSize: tokenizer.vocabSize, tieWordEmbeddings: true });
    const model = new GpuLlama(gpu(), byteConfig, initWeights(byteConfig, 4, 0.1));
    const batch = randomBatch(byteConfig, 2, 8, 1);
    await model.trainStep(batch, { lr: 1e-2 });
    const dir = mkdtempSync(join(tmpdir(), "atune-gpu-ckpt-"));
    dirs.push(dir);
    await saveGpuModel(model, dir, { extraFiles: byteTokenizerFiles() });
    const { model: loaded, tokenizer: loadedTokenizer } = loadGpuModel(gpu(), dir);
    expect(loadedTokenizer?.encode("hi<|eos|>")).toEqual(tokenizer.encode("hi<|eos|>"));
    const saved = await model.exportWeights();
    for (const [name, tensor] of await loaded.exportWeights()) {
      expect(Buffer.from(tensor.data.buffer).equals(Buffer.from(saved.get(name)!.data.buffer)), name).toBe(
        true,
      );
    }
    const a = await model.forward(batch);
    const b = await loaded.forward(batch);
    expect(relError(b.logits, a.logits)).toBe(0);
    model.release();
    loaded.release();
  });
});
