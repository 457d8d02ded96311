/** `atune env` through bin/atune.js, the way a person runs it (a human game is played over piped stdin). */
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it, vi } from "vitest";
import { envCommand } from "../../cli/commands/env.ts";
import { guessEnv } from "../../examples/envs/template.ts";

const bin = fileURLToPath(new URL("../../bin/atune.js", import.meta.url));
const repo = fileURLToPath(new URL("../../", import.meta.url));
const atune = (args: string[], input = "") =>
  spawnSync(process.execPath, [bin, ...args], { encoding: "utf8", input, cwd: repo, timeout: 60_000 });

describe("atune env", () => {
  it("lists the built-in families with their group and description", () => {
    const out = atune(["env", "list"]);
    expect(out.status).toBe(0);
    expect(out.stdout).toMatch(/^family\s+group\s+description$/m);
    expect(out.stdout).toMatch(/^os\s+held-in\s+Operating-system tasks/m);
    expect(out.stdout).toMatch(/^db\s+held-in\s+Database tasks/m);
  });

  it("shows a family: action space, options, the 1-shot example and a sample task", () => {
    const out = atune(["env", "show", "db"]);
    expect(out.status).toBe(0);
    expect(out.stdout).toContain("Action space:\n  sql: <statement>");
    expect(out.stdout).toContain("statementTimeoutMs: Wall-clock limit for one SQL statement");
    expect(out.stdout).toContain("1-shot example:\n  Instruction: How many employees earn more than 50000?");
    expect(out.stdout).toMatch(/Sample task \(db\/train\/[0-9a-f]{12}\):\n {2}\S/);
  });

  it("plays an os episode with the expert, showing its thoughts, and wins", () => {
    const out = atune(["env", "play", "os", "--expert", "--seed", "3"]);
    expect(out.status).toBe(0);
    expect(out.stdout).toMatch(/^Thought: .+\nAction: bash: /m);
    expect(out.stdout).toMatch(/Done after \d turns: reward 1 \(success\)\.$/m);
  });

  it("plays a human game from a user module over piped stdin", () => {
    const [task] = guessEnv.tasks({ split: "train", count: 1, seed: 4 });
    const { secret } = task.data as { secret: number };
    const out = atune(
      ["env", "play", "./examples/envs/template.ts#guessEnv", "--seed", "4"],
      `hello\nguess: ${secret}\n`,
    );
    expect(out.status).toBe(0);
    expect(out.stdout).toContain(`Instruction: ${task.instruction}`);
    expect(out.stdout).toMatch(/action> hello\n {2}Invalid action "hello"\..*\n {2}\(invalid action\)/);
    expect(out.stdout).toContain(`Yes, it is ${secret}.`);
    expect(out.stdout).toContain("Done after 2 turns: reward 1 (success).");
  });
});

/** The error paths run in-process (spawning the CLI costs seconds each on a busy machine). */
describe("atune env errors", () => {
  const run = async (args: string[]) => {
    const errors: string[] = [];
    const spy = vi.spyOn(console, "error").mockImplementation((text: string) => {
      errors.push(text);
    });
    try {
      return { status: await envCommand.run(args), stderr: errors.join("\n") };
    } finally {
      spy.mockRestore();
    }
  };

  it("rejects an unknown family with a suggestion and the list", async () => {
    const out = await run(["show", "dbs"]);
    expect(out.status).toBe(2);
    expect(out.stderr).toContain("unknown environment family 'dbs'. Did you mean 'db'?");
    expect(out.stderr).toMatch(/Known families: .*\bos\b.*\bdb\b/);
    expect((await run(["show", "zzzzzzzz"])).stderr).not.toContain("Did you mean");
  });

  it("reports a bad module export and a bad option without a stack trace", async () => {
    const missing = await run(["play", "./examples/envs/grid.ts#nope"]);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain(
      "has no exported environment named 'nope' (environments it exports: gridEnv)",
    );
    const option = await run(["play", "db", "--options", '{"colour": 1}']);
    expect(option.status).toBe(1);
    expect(option.stderr).toBe(
      "atune env: db: unknown option 'colour'. Known options: domains, kinds, templates, statementTimeoutMs.",
    );
    await expect(envCommand.run(["play", "os", "--split", "dev"])).rejects.toThrow(
      /--split must be 'train' or 'test'/,
    );
    await expect(envCommand.run(["frob"])).rejects.toThrow(/unknown sub-command 'frob'/);
  });
});
