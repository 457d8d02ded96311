import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { compileRecipe } from "../../compiler/compile.ts";
import { executePlan } from "../../runtime/executor/executor.ts";
import type { Progress } from "../../runtime/executor/progress.ts";
import { stageHandlers } from "../../runtime/stages/handlers.ts";
import { MODEL_DIR } from "../../runtime/stages/model-stage.ts";
import { loadCheckpoint } from "../../runtime/train/io/checkpoint.ts";
import { presetConfig } from "../../runtime/train/model/presets.ts";
import { trainBpeMerges } from "../../runtime/train/tokenizer/bpe-train.ts";
import { BYTE_SPECIAL_IDS, byteTokenizerFiles } from "../../runtime/train/tokenizer/byte.ts";
import { loadHfTokenizer } from "../../runtime/train/tokenizer/hf.ts";

const quiet = (): Progress => ({ start() {}, advance() {}, finish() {} });

/** A project folder with a tokenizer learned from a few sentences in tok/ and a recipe using it. */
function project(model: string): { dir: string; file: string } {
  const dir = mkdtempSync(join(tmpdir(), "atune-model-tokenizer-"));
  const merges = trainBpeMerges(
    ["How many orders have the status 'pending'?", "SELECT COUNT(*) FROM orders WHERE status = 'pending'"],
    { merges: 30 },
  );
  mkdirSync(join(dir, "tok"));
  for (const [name, content] of Object.entries(byteTokenizerFiles(merges))) {
    writeFileSync(join(dir, "tok", name), JSON.stringify(content));
  }
  const file = join(dir, "r.atune");
  writeFileSync(file, `recipe r {\n  model init = ${model}\n}\n`);
  return { dir, file };
}

describe("a built-in size with its own tokenizer (model option tokenizer)", () => {
  it("plans with the tokenizer's files as inputs, so a retrained tokenizer gives a new key", () => {
    const { dir, file } = project('builtin "tiny" { context = 64, tokenizer = "tok" }');
    const stage = compileRecipe(file).plan!.stages.find((s) => s.id === "model.init")!;
    expect(stage.config).toMatchObject({ source: "builtin", preset: "tiny", tokenizer: join(dir, "tok") });
    expect(stage.files?.map((f) => f.path)).toEqual([
      join(dir, "tok", "tokenizer.json"),
      join(dir, "tok", "tokenizer_config.json"),
    ]);
    const tokenizerJson = join(dir, "tok", "tokenizer.json");
    const json = JSON.parse(readFileSync(tokenizerJson, "utf8"));
    json.model.merges.pop();
    writeFileSync(tokenizerJson, JSON.stringify(json));
    const changed = compileRecipe(file).plan!.stages.find((s) => s.id === "model.init")!;
    expect(changed.key).not.toBe(stage.key);
  });

  it("writes a model whose vocabulary is the tokenizer's, with the tokenizer's files beside it", async () => {
    const { dir, file } = project('builtin "tiny" { context = 64, tokenizer = "tok" }');
    const plan = compileRecipe(file).plan!;
    const root = join(dir, "root");
    const manifest = await executePlan(plan, { root, handlers: stageHandlers, progress: quiet });
    const stage = manifest.stages.find((s) => s.id === "model.init")!;
    const modelDir = join(root, "cache", stage.key, MODEL_DIR);
    const tokenizer = loadHfTokenizer(join(dir, "tok"));
    expect(tokenizer.vocabSize).toBeGreaterThan(262);
    const { config } = loadCheckpoint(modelDir);
    expect(config).toEqual({
      ...presetConfig("tiny"),
      maxPositionEmbeddings: 64,
      vocabSize: tokenizer.vocabSize,
      bosTokenId: BYTE_SPECIAL_IDS.bos,
      eosTokenId: BYTE_SPECIAL_IDS.eos,
      padTokenId: BYTE_SPECIAL_IDS.pad,
    });
    expect(readFileSync(join(modelDir, "tokenizer.json"), "utf8")).toBe(
      readFileSync(join(dir, "tok", "tokenizer.json"), "utf8"),
    );
    expect(loadHfTokenizer(modelDir).encode(" orders")).toHaveLength(1);
  });

  it("is refused on the pretrained model, and a folder without a chat template fails with what to add", async () => {
    const pretrained = compileRecipe(project('builtin "tiny-chat" { tokenizer = "tok" }').file);
    expect(pretrained.plan).toBeNull();
    expect(pretrained.diagnostics.map((d) => [d.code, d.message])).toEqual([
      ["ATN3014", expect.stringContaining("tokenizer on the pretrained model 'tiny-chat'")],
    ]);

    const { dir, file } = project('builtin "tiny" { tokenizer = "tok" }');
    const configFile = join(dir, "tok", "tokenizer_config.json");
    const config = JSON.parse(readFileSync(configFile, "utf8"));
    delete config.chat_template;
    writeFileSync(configFile, JSON.stringify(config));
    const root = join(dir, "root");
    const failure = await executePlan(compileRecipe(file).plan!, {
      root,
      handlers: stageHandlers,
      progress: quiet,
    }).catch((error: Error) => error);
    expect(String(failure)).toContain("no chat_template in tokenizer_config.json");
  });
});
