import { mkdtempSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadCheckpoint, saveCheckpoint } from "../../../runtime/train/io/checkpoint.ts";
import { makeBatch } from "../../../runtime/train/model/batch.ts";
import type { LlamaConfig } from "../../../runtime/train/model/config.ts";
import { PRESETS } from "../../../runtime/train/model/presets.ts";
import { generate } from "../../../runtime/train/reference/generate.ts";
import { ReferenceLlama } from "../../../runtime/train/reference/model.ts";
import { AdamW } from "../../../runtime/train/reference/optim.ts";
import { trainStep } from "../../../runtime/train/reference/train-step.ts";
import { ByteTokenizer, byteTokenizerFiles } from "../../../runtime/train/tokenizer/byte.ts";
import { ChatTemplate } from "../../../runtime/train/tokenizer/chat-template.ts";
import { loadHfTokenizer } from "../../../runtime/train/tokenizer/hf.ts";
import { encodeConversation } from "../../../runtime/train/tokenizer/loss-mask.ts";
import { encodeChatPrompt } from "../../../runtime/train/tokenizer/prompt.ts";

// A byte-vocabulary model shaped like the presets but tiny enough to train in a test.
const config: LlamaConfig = {
  ...PRESETS.tiny,
  hiddenSize: 16,
  intermediateSize: 32,
  numLayers: 1,
  numHeads: 2,
  numKvHeads: 1,
  headDim: 8,
  maxPositionEmbeddings: 64,
};

describe("record → masked batch → training → checkpoint → generation", () => {
  const tokenizer = new ByteTokenizer();
  const template = new ChatTemplate(tokenizer.chatTemplate);
  const encoded = encodeConversation(
    {
      id: "kg_1",
      conversations: [
        { from: "human", value: "ping" },
        { from: "gpt", value: "pong", loss: true },
      ],
    },
    { tokenizer, template, endOfTurn: tokenizer.eosToken, mode: "loss_flags" },
  );

  it("makeBatch shifts targets and mask by one and pads untrained", () => {
    const batch = makeBatch([encoded, { ids: [1, 2, 3], mask: [0, 1, 1] }], 20, tokenizer.padId);
    const trained = [...batch.mask.keys()].filter((i) => batch.mask[i] === 1);
    // "pong<|eos|>" are the 5 targets of row 0; row 1 predicts 2 and 3.
    expect(trained.map((i) => batch.targets[i])).toEqual([...tokenizer.encode("pong<|eos|>"), 2, 3]);
    expect(batch.inputs[20 + 2]).toBe(tokenizer.padId);
    expect(batch.mask[20 + 2]).toBe(0);
  });

  it("trains only on the masked tokens, saves an HF directory and generates the answer", () => {
    const model = ReferenceLlama.initialize(config, 21);
    const batch = makeBatch([encoded], encoded.ids.length - 1, tokenizer.padId);
    // The loss does not see unmasked targets.
    const before = model.forward(batch).loss;
    const changed = {
      ...batch,
      targets: Int32Array.from(batch.targets!, (t, i) => (batch.mask![i] ? t : 0)),
    };
    expect(model.forward(changed).loss).toBe(before);

    const optimizer = new AdamW(model.trainableParameters(), { weightDecay: 0 });
    const first = trainStep(model, optimizer, batch, 2e-2);
    expect(first.loss).toBe(before);
    expect(first.gradNorm).toBeGreaterThan(0);
    for (let step = 1; step < 60; step++) trainStep(model, optimizer, batch, 2e-2);
    expect(model.forward(batch).loss).toBeLessThan(0.1);

    const dir = join(mkdtempSync(join(tmpdir(), "atune-pipeline-")), "checkpoint");
    saveCheckpoint(dir, {
      config,
      weights: model.exportWeights(),
      generationConfig: {
        bos_token_id: tokenizer.bosId,
        eos_token_id: tokenizer.eosId,
        pad_token_id: tokenizer.padId,
      },
      extraFiles: byteTokenizerFiles(),
    });
    expect(readdirSync(dir).sort()).toEqual([
      "config.json",
      "generation_config.json",
      "model.safetensors",
      "tokenizer.json",
      "tokenizer_config.json",
    ]);
    const loaded = loadCheckpoint(dir);
    const hfTokenizer = loadHfTokenizer(dir);
    const reloaded = ReferenceLlama.fromWeights(loaded.config, loaded.weights);
    const prompt = encodeChatPrompt(hfTokenizer, new ChatTemplate(hfTokenizer.chatTemplate!), [
      { role: "user", content: "ping" },
    ]);
    expect(prompt).toEqual(encoded.ids.slice(0, prompt.length));
    const reply = generate(reloaded, prompt, {
      maxNewTokens: 10,
      stopTokenIds: [hfTokenizer.eosId!],
      decode: (ids) => hfTokenizer.decode(ids),
    });
    expect(reply).toMatchObject({ text: "pong", stopReason: "stop_token" });
  });
});
