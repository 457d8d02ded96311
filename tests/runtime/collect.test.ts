import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { expertGenerator } from "../../runtime/generators/expert.ts";
import { collectTrajectories } from "../../runtime/stages/collect.ts";
import { counterEnv } from "./counter-env.ts";

const child = fileURLToPath(new URL("./fixtures/collect-child.ts", import.meta.url));
const runChild = (log: string) =>
  spawn(process.execPath, ["--import", "tsx", child, log], { stdio: "ignore" });
const lines = (file: string) =>
  existsSync(file) ? readFileSync(file, "utf8").split("\n").filter(Boolean) : [];

describe("collectTrajectories", () => {
  it("writes episodes in task order whatever the concurrency, and summarises them", async () => {
    const env = counterEnv();
    const tasks = env.tasks({ split: "train", count: 12, seed: 5 });
    const dir = mkdtempSync(join(tmpdir(), "atune-collect-"));
    const episode = { examples: [env.example], maxTurns: 10, invalidActions: "error" as const };
    const serial = await collectTrajectories({
      env,
      tasks,
      generator: expertGenerator,
      episode,
      logFile: join(dir, "a.jsonl"),
    });
    const parallel = await collectTrajectories({
      env,
      tasks,
      generator: expertGenerator,
      episode,
      logFile: join(dir, "b.jsonl"),
      concurrency: 4,
    });
    expect(readFileSync(join(dir, "b.jsonl"), "utf8")).toBe(readFileSync(join(dir, "a.jsonl"), "utf8"));
    expect(serial.summary).toEqual({
      episodes: 12,
      resumed: 0,
      success: 12,
      finishReasons: { done: 12 },
      meanReward: 1,
    });
    expect(parallel.episodes.map((e) => e.record.id)).toEqual(tasks.map((t) => t.id));
  });

  it("after kill -9 mid-collection, a rerun gives exactly the uninterrupted data", async () => {
    const dir = mkdtempSync(join(tmpdir(), "atune-kill-"));
    const reference = join(dir, "reference.jsonl");
    await new Promise((resolve) => runChild(reference).on("exit", resolve));
    expect(lines(reference)).toHaveLength(40);

    const interrupted = join(dir, "interrupted.jsonl");
    const first = runChild(interrupted);
    while (lines(interrupted).length < 8) await new Promise((r) => setTimeout(r, 20));
    first.kill("SIGKILL");
    await new Promise((resolve) => first.on("exit", resolve));
    const before = lines(interrupted).length;
    expect(before).toBeGreaterThanOrEqual(8);
    expect(before).toBeLessThan(40);

    await new Promise((resolve) => runChild(interrupted).on("exit", resolve));
    expect(readFileSync(interrupted, "utf8")).toBe(readFileSync(reference, "utf8"));
  });
});
