import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { UsageError } from "../../cli/command.ts";
import { tokenizerCommand } from "../../cli/commands/tokenizer.ts";
import { loadHfTokenizer } from "../../runtime/train/tokenizer/hf.ts";

/** Runs `atune tokenizer …` in this process and captures what it prints. */
async function run(...args: string[]): Promise<{ status: number; stdout: string; stderr: string }> {
  const out: string[] = [];
  const err: string[] = [];
  vi.spyOn(console, "log").mockImplementation((...parts) => void out.push(parts.join(" ")));
  vi.spyOn(console, "error").mockImplementation((...parts) => void err.push(parts.join(" ")));
  const status = await tokenizerCommand.run(args);
  return { status, stdout: out.join("\n"), stderr: err.join("\n") };
}
afterEach(() => vi.restoreAllMocks());

const dir = mkdtempSync(join(tmpdir(), "atune-tokenizer-cli-"));
const record = (id: string, task: string, action: string) =>
  JSON.stringify({
    id,
    conversations: [
      { from: "human", value: task, loss: null },
      { from: "gpt", value: action, loss: true },
    ],
  });
const episodes = join(dir, "episodes.jsonl");
writeFileSync(
  episodes,
  [
    record("db/1", "How many orders have the status 'pending'?", "Action: sql: SELECT COUNT(*) FROM orders"),
    record("db/2", "How many orders have the status 'shipped'?", "Action: sql: SELECT COUNT(*) FROM orders"),
  ].join("\n"),
);

describe("atune tokenizer train", () => {
  it("writes a tokenizer folder that loads, with at most the asked-for vocabulary", async () => {
    const output = join(dir, "tok");
    const result = await run("train", "-o", output, "--vocab", "300", episodes);
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(
      /tok: 300 ids \(38 merges\) from 2 records, 164 characters; [\d.]+ characters per token/,
    );
    const tokenizer = loadHfTokenizer(output);
    expect(tokenizer.vocabSize).toBe(300);
    expect(tokenizer.encode(" orders")).toHaveLength(1);
    expect(JSON.parse(readFileSync(join(output, "tokenizer_config.json"), "utf8")).chat_template).toContain(
      "<|assistant|>",
    );
  });

  it("counts a record found in two files once, so the same corpus gives the same tokenizer", async () => {
    const once = join(dir, "once");
    const twice = join(dir, "twice");
    await run("train", "-o", once, "--vocab", "320", episodes);
    await run("train", "-o", twice, "--vocab", "320", episodes, episodes);
    expect(readFileSync(join(twice, "tokenizer.json"), "utf8")).toBe(
      readFileSync(join(once, "tokenizer.json"), "utf8"),
    );
  });

  it("says when the corpus runs out of pairs before the vocabulary is full", async () => {
    const result = await run("train", "-o", join(dir, "big"), "--vocab", "5000", episodes);
    expect(result.stdout).toContain("fewer than --vocab 5000: no pair left that occurs at least twice");
  });

  it("explains a missing file, a bad --vocab and a missing output", async () => {
    const missing = await run("train", "-o", join(dir, "x"), "--vocab", "300", join(dir, "nope.jsonl"));
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain("nope.jsonl: file not found; check the path");
    await expect(run("train", "-o", join(dir, "x"), "--vocab", "100", episodes)).rejects.toThrow(
      new UsageError("--vocab needs a whole number ≥ 262, got '100'"),
    );
    await expect(run("train", "--vocab", "300", episodes)).rejects.toThrow("train needs -o FOLDER");
    await expect(run("train", "-o", episodes, "--vocab", "300", episodes)).rejects.toThrow(
      `-o ${episodes} is a file; name a folder (it is created if missing)`,
    );
    await expect(run("fit")).rejects.toThrow("unknown sub-command 'fit'");
  });
});
