import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it, vi } from "vitest";
import { UsageError } from "../../cli/command.ts";
import { dataCommand } from "../../cli/commands/data.ts";
import { scratch, writeAgentInstructParquet } from "./helpers.ts";

// Each bin/atune.js start costs seconds (tsx compiles the whole CLI), so a few cases go through
// the real binary and the rest call the command in-process.
const bin = fileURLToPath(new URL("../../bin/atune.js", import.meta.url));
const atune = (...args: string[]) =>
  spawnSync(process.execPath, [bin, "data", ...args], { encoding: "utf8" });

/** Runs `atune data …` in this process and captures what it prints. */
async function inProcess(...args: string[]): Promise<{ status: number; stdout: string; stderr: string }> {
  const out: string[] = [];
  const err: string[] = [];
  vi.spyOn(console, "log").mockImplementation((...parts) => void out.push(parts.join(" ")));
  vi.spyOn(console, "error").mockImplementation((...parts) => void err.push(parts.join(" ")));
  const status = await dataCommand.run(args);
  return { status, stdout: out.join("\n"), stderr: err.join("\n") };
}
afterEach(() => vi.restoreAllMocks());

const dir = scratch();
const row = (id: string, loss: boolean) => ({
  id,
  conversations: [
    { from: "human", loss: null, value: "Task: list /tmp" },
    { from: "gpt", loss, value: "Act: bash ls /tmp" },
  ],
});

describe("atune data (through bin/atune.js)", () => {
  it("general writes the built-in set", async () => {
    const file = join(dir, "general.jsonl");
    const written = atune("general", "--split", "train", "--count", "40", "--seed", "5", "-o", file);
    expect(written.stderr).toContain("wrote 40 instruct records");
    expect(written.status).toBe(0);
    const stats = await inProcess("stats", file, "--json");
    const summary = JSON.parse(stats.stdout);
    expect(summary).toMatchObject({ records: 40, turns: 80, trainedTurns: 40, families: { general: 40 } });
    expect(summary.lossFlags.null).toEqual({ system: 0, human: 40, gpt: 40 });
  });

  it("convert reads the AgentInstruct Parquet shape and writes ShareGPT", () => {
    const input = writeAgentInstructParquet(join(dir, "os.parquet"), [row("os_0", false), row("os_1", true)]);
    const output = join(dir, "os-sharegpt.json");
    const converted = atune("convert", input, output, "--to", "sharegpt");
    expect(converted.stderr).toContain("converted 2 records");
    expect(converted.stderr).toContain("(agentinstruct, parquet)");
    expect(converted.status).toBe(0);
    expect(JSON.parse(readFileSync(output, "utf8"))[0]).toEqual({
      id: "os_0",
      conversations: [
        { from: "human", value: "Task: list /tmp" },
        { from: "gpt", value: "Act: bash ls /tmp" },
      ],
    });
  });

  it("convert fails on bad lines naming file and line, without a stack trace", () => {
    const input = join(dir, "mixed.jsonl");
    writeFileSync(
      input,
      [JSON.stringify(row("os_0", true)), "{broken", JSON.stringify({ id: "x" })].join("\n"),
    );
    const failed = atune("convert", input, join(dir, "never.jsonl"));
    expect(failed.stderr).toContain(`${input}:2: not valid JSON`);
    expect(failed.stderr).toContain(`${input}:3: missing "conversations"`);
    expect(failed.stderr).not.toMatch(/\n\s+at /);
    expect(failed.status).toBe(1);
  });

  it("rejects a wrong format name with usage and exit code 2", () => {
    const wrong = atune("convert", "a.jsonl", "b.jsonl", "--to", "gsm8k");
    expect(wrong.stderr).toContain("--to gsm8k is not a format here");
    expect(wrong.stderr).toContain("Usage:");
    expect(wrong.status).toBe(2);
  });
});

describe("atune data (in-process)", () => {
  it("--skip-bad-lines converts the good lines and says how many were skipped", async () => {
    const input = join(dir, "skip.jsonl");
    writeFileSync(
      input,
      [JSON.stringify(row("os_0", true)), "{broken", JSON.stringify({ id: "x" })].join("\n"),
    );
    const output = join(dir, "skip-out.jsonl");
    const result = await inProcess("convert", input, output, "--skip-bad-lines");
    expect(result.status).toBe(0);
    expect(result.stderr).toContain("skipped 2 bad lines");
    expect(result.stderr).toContain(`${input}:2: not valid JSON`);
    expect(readFileSync(output, "utf8").trim().split("\n")).toHaveLength(1);
  });

  it("stats prints loss flags by speaker and families from meta or id", async () => {
    const input = writeAgentInstructParquet(join(dir, "mix.parquet"), [
      row("os_0", false),
      row("os_1", true),
      row("db_0", true),
    ]);
    const stats = await inProcess("stats", input);
    expect(stats.status).toBe(0);
    expect(stats.stdout).toMatch(/trained-on turns\s+2 /);
    expect(stats.stdout).toMatch(/false\s+0\s+0\s+1\n/);
    expect(stats.stdout).toMatch(/os \(from id\)\s+2/);
    expect(stats.stdout).toMatch(/db \(from id\)\s+1/);
  });

  it("general --set choice --items writes scoreable multiple-choice items", async () => {
    const file = join(dir, "choice.jsonl");
    const result = await inProcess(
      "general",
      "--split",
      "test",
      "--set",
      "choice",
      "--items",
      "--count",
      "10",
      "-o",
      file,
    );
    expect(result.status).toBe(0);
    const items = readFileSync(file, "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(items).toHaveLength(10);
    expect(items[0]).toMatchObject({ split: "test", answer: expect.stringMatching(/^[ABCD]$/) });
    expect(items[0].choices).toHaveLength(4);
  });

  it("reports a missing file and an over-large request as errors (exit 1)", async () => {
    const missing = await inProcess("stats", join(dir, "nope.jsonl"));
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain("nope.jsonl: file not found");
    const tooMany = await inProcess(
      "general",
      "--set",
      "choice",
      "--count",
      "100000",
      "-o",
      join(dir, "x.jsonl"),
    );
    expect(tooMany.status).toBe(1);
    expect(tooMany.stderr).toMatch(/only \d+ distinct train questions/);
  });

  it("treats bad options as usage errors", async () => {
    await expect(dataCommand.run(["stats"])).rejects.toThrow(UsageError);
    await expect(dataCommand.run(["general", "-o", "x.txt"])).rejects.toThrow(/\.jsonl or \.json/);
    await expect(dataCommand.run(["general", "-o", "x.jsonl", "--count", "0"])).rejects.toThrow(/--count/);
    await expect(dataCommand.run(["convert", "a", "b", "--bogus"])).rejects.toThrow(UsageError);
    await expect(dataCommand.run(["convert", "a.jsonl", "b.parquet"])).rejects.toThrow(
      /b\.parquet: name a \.jsonl or \.json/,
    );
    await expect(dataCommand.run(["frob"])).rejects.toThrow(/unknown subcommand 'frob'/);
  });
});
