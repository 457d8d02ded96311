import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { compileRecipe } from "../../compiler/compile.ts";
import { executePlan } from "../../runtime/executor/executor.ts";
import type { Progress } from "../../runtime/executor/progress.ts";
import { closeRunGpu } from "../../runtime/stages/gpu.ts";
import { stageHandlers } from "../../runtime/stages/handlers.ts";
import { loadCheckpoint } from "../../runtime/train/io/checkpoint.ts";
import { presetConfig } from "../../runtime/train/model/presets.ts";
import { pretrainedModelDir } from "../../runtime/train/model/pretrained.ts";

const quiet = (): Progress => ({ start() {}, advance() {}, finish() {} });
/** A recipe file in a fresh folder: an evaluation of one model on eight general questions. */
function recipe(model: string): string {
  const file = join(mkdtempSync(join(tmpdir(), "atune-pretrained-")), "r.atune");
  writeFileSync(
    file,
    `recipe r {
  model base = ${model}
  dataset general = builtin "general" { split = test, count = 8 }
  eval compare = evaluate [base] { general = [general] }
}
`,
  );
  return file;
}

afterAll(closeRunGpu);

describe("the pretrained built-in model tiny-chat", () => {
  const dir = pretrainedModelDir("tiny-chat");

  it("ships as the tiny architecture with a 1,024-token context and the byte tokenizer's chat template", () => {
    const { config } = loadCheckpoint(dir);
    expect(config).toEqual({ ...presetConfig("tiny"), maxPositionEmbeddings: 1024 });
    const tokenizerConfig = JSON.parse(readFileSync(join(dir, "tokenizer_config.json"), "utf8"));
    expect(tokenizerConfig.chat_template).toContain("<|assistant|>");
    // models/README.md names the recipe and the weights' sha256 that it reproduces.
    const sha = createHash("sha256")
      .update(readFileSync(join(dir, "model.safetensors")))
      .digest("hex");
    expect(readFileSync(new URL("../../models/README.md", import.meta.url), "utf8")).toContain(sha);
  });

  it("plans with its files as the stage's inputs, so the key follows the weights", () => {
    const plan = compileRecipe(recipe('builtin "tiny-chat"')).plan!;
    const stage = plan.stages.find((s) => s.id === "model.base")!;
    expect(stage.config).toMatchObject({ source: "builtin", preset: "tiny-chat" });
    expect(stage.files?.map((f) => f.path.slice(dir.length + 1))).toEqual([
      "config.json",
      "model.safetensors",
      "tokenizer.json",
      "tokenizer_config.json",
    ]);
    const withContext = compileRecipe(recipe('builtin "tiny-chat" { context = 2048 }'));
    expect(withContext.plan).toBeNull();
    expect(withContext.diagnostics.map((d) => d.code)).toEqual(["ATN3014"]);
  });

  it("answers general questions better than the same architecture untrained", async () => {
    const scores: number[] = [];
    for (const model of ['builtin "tiny-chat"', 'builtin "tiny" { context = 1024 }']) {
      const plan = compileRecipe(recipe(model)).plan!;
      const root = mkdtempSync(join(tmpdir(), "atune-pretrained-"));
      const manifest = await executePlan(plan, { root, handlers: stageHandlers, progress: quiet });
      const evaluation = manifest.stages.find((s) => s.id === "eval.compare")!;
      const [general] = (evaluation.summary as { families: Array<{ meanReward: number }> }).families;
      scores.push(general.meanReward);
    }
    expect(scores[0]).toBeGreaterThan(scores[1]);
  });
});
