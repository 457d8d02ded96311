// The training loop on the GPU model: bucketing and seeded order, overfitting a small set, exact
// resume from a checkpoint, the NaN/Inf stop, LoRA checkpoints, progress reporting.
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { Progress } from "../../../runtime/executor/progress.ts";
import { loadGpuModel, saveGpuModel } from "../../../runtime/train/gpu/checkpoint.ts";
import { GpuLlama } from "../../../runtime/train/gpu/model.ts";
import { initLoraAdapter } from "../../../runtime/train/model/lora.ts";
import { initWeights } from "../../../runtime/train/model/params.ts";
import {
  BYTE_CHAT_TEMPLATE,
  ByteTokenizer,
  byteTokenizerFiles,
} from "../../../runtime/train/tokenizer/byte.ts";
import { ChatTemplate } from "../../../runtime/train/tokenizer/chat-template.ts";
import type { ConversationRecord } from "../../../runtime/train/tokenizer/loss-mask.ts";
import { batchAt, encodeRecords, packExamples, planBatches } from "../../../runtime/train/trainer/data.ts";
import { TrainingDivergedError, type TrainOptions, train } from "../../../runtime/train/trainer/train.ts";
import { microConfig, randomBatch, useGpu } from "./helpers.ts";

const gpu = useGpu();
const dirs: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), "atune-trainer-"));
  dirs.push(dir);
  return dir;
};
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

const tokenizer = new ByteTokenizer();
const template = new ChatTemplate(BYTE_CHAT_TEMPLATE);
const config = microConfig({ vocabSize: tokenizer.vocabSize, tieWordEmbeddings: true });

function record(id: string, question: string, answer: string, extra: Partial<ConversationRecord> = {}) {
  return {
    id,
    conversations: [
      { from: "human", value: question, loss: null },
      { from: "gpt", value: answer, loss: null },
    ],
    ...extra,
  } satisfies ConversationRecord;
}

const RECORDS = [
  record("a", "2+2?", "4"),
  record("b", "capital of France?", "Paris"),
  record("c", "hi", "hello there"),
  record("d", "color of sky?", "blue"),
  record("e", "3*3?", "9"),
  record("f", "opposite of up?", "down"),
];

const base = (overrides: Partial<TrainOptions> = {}): TrainOptions => ({
  tokenizer,
  template,
  endOfTurn: "<|eos|>",
  lossMode: "assistant_only",
  maxSeqLen: 32,
  batchSize: 2,
  lr: 1e-2,
  seed: 5,
  ...overrides,
});

describe("training data", () => {
  it("buckets by length, pads within a bucket, and orders batches by seed", () => {
    const data = encodeRecords(RECORDS, base());
    expect(data.examples).toHaveLength(6);
    const plans = planBatches(data.examples, 2, 32);
    expect(plans).toHaveLength(3);
    const lengths = plans.map((p) => p.examples.map((i) => data.examples[i].length));
    for (let i = 1; i < lengths.length; i++)
      expect(Math.min(...lengths[i])).toBeGreaterThanOrEqual(Math.max(...lengths[i - 1]));
    for (const plan of plans) expect(plan.seqLen % 8 === 0 || plan.seqLen === 32).toBe(true);
    const epoch = [0, 1, 2].map((p) => batchAt(plans, 5, p));
    expect(new Set(epoch).size).toBe(3);
    expect([0, 1, 2].map((p) => batchAt(plans, 5, p))).toEqual(epoch);
  });

  it("packs whole examples end to end into rows of at most maxSeqLen predictions, masks kept", () => {
    const data = encodeRecords(RECORDS, base());
    const rows = packExamples(data.examples, 64, 5);
    // Every example lands in exactly one row, whole and in one piece.
    const ids = rows.flatMap((row) => row.recordId.split("+")).sort();
    expect(ids).toEqual(["a", "b", "c", "d", "e", "f"]);
    const byId = new Map(data.examples.map((e) => [e.recordId, e]));
    for (const row of rows) {
      expect(row.length).toBeLessThanOrEqual(64);
      expect(row.length).toBe(row.ids.length - 1);
      const parts = row.recordId.split("+").map((id) => byId.get(id)!);
      expect(row.ids).toEqual(parts.flatMap((p) => p.ids));
      expect([...row.mask]).toEqual(parts.flatMap((p) => [...p.mask]));
    }
    // Rows are full: no two consecutive rows could have been one.
    expect(rows.length).toBeLessThan(data.examples.length);
    for (let i = 1; i < rows.length; i++)
      expect(rows[i - 1].ids.length + rows[i].ids.length - 1).toBeGreaterThan(64);
    // The same seed gives the same rows; an example longer than a row is a row of its own.
    expect(packExamples(data.examples, 64, 5)).toEqual(rows);
    expect(packExamples(data.examples, 4, 5)).toHaveLength(6);
  });

  it("loss_flags drops records with no trained turn and reports them", () => {
    const flagged = record("x", "q", "a");
    flagged.conversations[1].loss = false as unknown as null;
    const data = encodeRecords([flagged, RECORDS[0]], base({ lossMode: "loss_flags" }));
    expect(data.withoutTrainedTokens).toEqual(["x"]);
    expect(data.examples.map((e) => e.recordId)).toEqual(["a"]);
  });
});

describe("train()", () => {
  it("overfits a small fixed set to loss < 0.05, reporting progress", async () => {
    const model = new GpuLlama(gpu(), config, initWeights(config, 1));
    const events: string[] = [];
    const progress: Progress = {
      start: (total, unit) => events.push(`start ${total} ${unit}`),
      advance: () => events.push("advance"),
      finish: () => events.push("finish"),
    };
    const summary = await train(
      model,
      RECORDS,
      base({ batchSize: 6, maxSteps: 60, lr: 2e-2, warmupFraction: 0.05, weightDecay: 0, progress }),
    );
    expect(summary.finalLoss).toBeLessThan(0.05);
    expect(summary.losses[0]).toBeGreaterThan(3);
    expect(summary.steps).toBe(60);
    expect(summary.tokens).toBeGreaterThan(0);
    expect(events[0]).toBe("start 60 steps");
    expect(events.filter((e) => e === "advance")).toHaveLength(60);
    expect(events.at(-1)).toBe("finish");
    model.release();
  });

  it("resumes exactly: 6 steps straight equals 3 + resume + 3 (full model, gradient accumulation)", async () => {
    const options = base({
      maxSteps: 6,
      gradientAccumulation: 2,
      checkpointEvery: 3,
      lr: 5e-3,
      warmupFraction: 0.3,
    });
    const straight = new GpuLlama(gpu(), config, initWeights(config, 2));
    const full = await train(straight, RECORDS, { ...options, outputDir: tempDir() });
    const firstRun = tempDir();
    const first = new GpuLlama(gpu(), config, initWeights(config, 2));
    // A run cut short right after its step-3 checkpoint (the step callback throws).
    let steps = 0;
    await expect(
      train(first, RECORDS, {
        ...options,
        outputDir: firstRun,
        onStep: () => {
          if (++steps === 3) throw new Error("interrupted");
        },
      }),
    ).rejects.toThrow("interrupted");
    expect(existsSync(join(firstRun, "checkpoint-3", "trainer_state.json"))).toBe(true);
    const resumed = new GpuLlama(gpu(), config, initWeights(config, 99));
    const rest = await train(resumed, RECORDS, {
      ...options,
      resumeFrom: join(firstRun, "checkpoint-3"),
      outputDir: tempDir(),
    });
    expect(rest.losses).toEqual(full.losses);
    const other = new GpuLlama(gpu(), config, initWeights(config, 2));
    await expect(
      train(other, RECORDS, { ...options, batchSize: 3, resumeFrom: join(firstRun, "checkpoint-3") }),
    ).rejects.toThrow(/batchSize 2 → 3/);
    other.release();
    const want = await straight.exportWeights();
    for (const [name, tensor] of await resumed.exportWeights()) {
      expect(Buffer.from(tensor.data.buffer).equals(Buffer.from(want.get(name)!.data.buffer)), name).toBe(
        true,
      );
    }
    for (const model of [straight, first, resumed]) model.release();
  });

  it("LoRA: checkpoints are PEFT adapters and resume exactly; base weights never change", async () => {
    const weights = initWeights(config, 3);
    const loraConfig = {
      r: 2,
      alpha: 4,
      dropout: 0,
      targetModules: ["q_proj" as const, "v_proj" as const],
      baseModel: "micro",
    };
    const make = () => {
      const model = new GpuLlama(gpu(), config, weights);
      model.attachLora(initLoraAdapter(config, loraConfig, 4));
      return model;
    };
    const options = base({ maxSteps: 4, checkpointEvery: 2, lr: 1e-2 });
    const straight = make();
    await train(straight, RECORDS, { ...options, outputDir: tempDir() });
    const firstRun = tempDir();
    let steps = 0;
    const first = make();
    await expect(
      train(first, RECORDS, {
        ...options,
        outputDir: firstRun,
        onStep: () => {
          if (++steps === 2) throw new Error("interrupted");
        },
      }),
    ).rejects.toThrow("interrupted");
    expect(existsSync(join(firstRun, "checkpoint-2", "adapter_model.safetensors"))).toBe(true);
    expect(existsSync(join(firstRun, "checkpoint-2", "config.json"))).toBe(false);
    const plain = new GpuLlama(gpu(), config, weights);
    await expect(
      train(plain, RECORDS, { ...options, resumeFrom: join(firstRun, "checkpoint-2") }),
    ).rejects.toThrow(/holds a LoRA adapter; attach/);
    plain.release();
    const resumed = make();
    await train(resumed, RECORDS, { ...options, resumeFrom: join(firstRun, "checkpoint-2") });
    const want = await straight.exportLora();
    for (const [name, pair] of (await resumed.exportLora()).pairs) {
      expect(Buffer.from(pair.a.data.buffer).equals(Buffer.from(want.pairs.get(name)!.a.data.buffer))).toBe(
        true,
      );
      expect(Buffer.from(pair.b.data.buffer).equals(Buffer.from(want.pairs.get(name)!.b.data.buffer))).toBe(
        true,
      );
    }
    const after = await resumed.exportWeights();
    for (const [name, tensor] of weights) {
      expect(Buffer.from(after.get(name)!.data.buffer).equals(Buffer.from(tensor.data.buffer)), name).toBe(
        true,
      );
    }
    for (const model of [straight, first, resumed]) model.release();
  });

  it("stops on NaN naming the step and the tensor, skips that update and keeps the last good checkpoint", async () => {
    const model = new GpuLlama(gpu(), config, initWeights(config, 6));
    const outputDir = tempDir();
    const poisoned = "model.layers.1.mlp.up_proj.weight";
    let steps = 0;
    let good: Map<string, { data: Float32Array }> | undefined;
    const error = await train(model, RECORDS, {
      ...base({ maxSteps: 10, checkpointEvery: 2, outputDir }),
      onStep: async () => {
        steps++;
        if (steps === 3) {
          const values = new Float32Array(config.intermediateSize * config.hiddenSize).fill(0.01);
          values[5] = Number.NaN;
          model.writeTensor(poisoned, values);
          good = await model.exportWeights();
        }
      },
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TrainingDivergedError);
    const diverged = error as TrainingDivergedError;
    expect(diverged.step).toBe(4);
    expect(diverged.tensor).toBe(poisoned);
    expect(diverged.lastCheckpoint).toBe(join(outputDir, "checkpoint-2"));
    expect(diverged.message).toContain("step 4");
    expect(diverged.message).toContain("was not applied");
    expect(existsSync(join(outputDir, "checkpoint-4"))).toBe(false);
    // The guarded AdamW skipped the update: every other weight is as it was before the bad step.
    const now = await model.exportWeights();
    for (const [name, tensor] of good!) {
      if (name === poisoned) continue;
      expect(Buffer.from(now.get(name)!.data.buffer).equals(Buffer.from(tensor.data.buffer)), name).toBe(
        true,
      );
    }
    model.release();
  });

  it("stops when a huge learning rate makes the loss non-finite", async () => {
    const model = new GpuLlama(gpu(), config, initWeights(config, 7));
    const error = await train(
      model,
      RECORDS,
      base({ maxSteps: 30, lr: 1e30, warmupFraction: 0, maxGradNorm: Number.POSITIVE_INFINITY }),
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TrainingDivergedError);
    expect((error as TrainingDivergedError).step).toBeGreaterThan(1);
    expect((error as TrainingDivergedError).message).toMatch(/model\.|lm_head|loss/);
    model.release();
  });

  it("model directory → GPU model → train → checkpoint → reload gives identical logits", async () => {
    const start = tempDir();
    const initial = new GpuLlama(gpu(), config, initWeights(config, 8));
    await saveGpuModel(initial, start, { extraFiles: byteTokenizerFiles() });
    initial.release();
    const { model, tokenizer: dirTokenizer } = loadGpuModel(gpu(), start);
    expect(dirTokenizer).toBeDefined();
    const outputDir = tempDir();
    const summary = await train(model, RECORDS, {
      ...base({ maxSteps: 2 }),
      tokenizer: dirTokenizer!,
      template: new ChatTemplate(dirTokenizer!.chatTemplate!),
      outputDir,
      modelFiles: byteTokenizerFiles(),
    });
    expect(summary.checkpoints).toEqual([join(outputDir, "checkpoint-2")]);
    const { model: reloaded, tokenizer: reloadedTokenizer } = loadGpuModel(gpu(), summary.checkpoints[0]);
    expect(reloadedTokenizer?.encode("<|user|>hi")).toEqual(tokenizer.encode("<|user|>hi"));
    const batch = randomBatch(config, 2, 8, 4);
    const a = await model.forward(batch);
    const b = await reloaded.forward(batch);
    expect(Buffer.from(b.logits.buffer).equals(Buffer.from(a.logits.buffer))).toBe(true);
    model.release();
    reloaded.release();
  });
});
