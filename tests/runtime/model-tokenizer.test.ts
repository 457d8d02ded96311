import { mkdirSync, mkdtempSync, readFileSync, realpathSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { compileRecipe } from "../../compiler/compile.ts";
import { executePlan } from "../../runtime/executor/executor.ts";
import type { Progress } from "../../runtime/executor/progress.ts";
import { stageHandlers } from "../../runtime/stages/handlers.ts";
import { MODEL_DIR } from "../../runtime/stages/model-stage.ts";
import { loadCheckpoint, saveCheckpoint } from "../../runtime/train/io/checkpoint.ts";
import { initWeights } from "../../runtime/train/model/params.ts";
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

  it("is refused on the pretrained model; a file instead of a folder, or a folder without a chat template, says what to do", async () => {
    const named = compileRecipe(project('builtin "tiny" { tokenizer = "tok/tokenizer.json" }').file);
    expect(named.diagnostics[0]).toMatchObject({
      code: "ATN3006",
      message: expect.stringContaining("tokenizer.json is a file; a built-in size's tokenizer is a folder"),
    });

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

describe("a Hugging Face directory with its tokenizer or chat template named elsewhere", () => {
  it("is used through an overlay of the directory: the named files replace its own, the weights are linked", async () => {
    const { dir } = project('builtin "tiny"');
    const hfDir = join(dir, "hf-model");
    const config = { ...presetConfig("tiny"), maxPositionEmbeddings: 64 };
    const files = byteTokenizerFiles();
    const tokenizerConfig = { ...(files["tokenizer_config.json"] as Record<string, unknown>) };
    delete tokenizerConfig.chat_template;
    saveCheckpoint(hfDir, {
      config,
      weights: initWeights(config, 1),
      extraFiles: { "tokenizer.json": files["tokenizer.json"], "tokenizer_config.json": tokenizerConfig },
    });
    const template =
      "{% for message in messages %}[{{ message['role'] }}] {{ message['content'] }}{{ eos_token }}{% endfor %}";
    writeFileSync(join(dir, "chat.jinja"), template);
    const file = join(dir, "hf.atune");
    writeFileSync(
      file,
      `recipe r {\n  model m = hf "./hf-model" { tokenizer = "./tok/tokenizer.json", chat_template = "./chat.jinja" }\n}\n`,
    );
    const plan = compileRecipe(file).plan!;
    expect(plan.stages[0].config).toMatchObject({
      source: "hf",
      path: hfDir,
      tokenizer: join(dir, "tok", "tokenizer.json"),
      chatTemplate: join(dir, "chat.jinja"),
    });
    const root = join(dir, "root");
    const manifest = await executePlan(plan, { root, handlers: stageHandlers, progress: quiet });
    const overlay = join(root, "cache", manifest.stages[0].key, MODEL_DIR);
    const tokenizer = loadHfTokenizer(overlay);
    expect(tokenizer.chatTemplate).toBe(template);
    expect(tokenizer.encode(" orders")).toHaveLength(1);
    expect(realpathSync(join(overlay, "model.safetensors"))).toBe(
      realpathSync(join(hfDir, "model.safetensors")),
    );
    // The user's directory is left as it was.
    expect(loadHfTokenizer(hfDir).chatTemplate).toBeUndefined();
    expect(loadHfTokenizer(hfDir).encode(" orders")).toHaveLength(7);
  });
});
