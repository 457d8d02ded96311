/**
 * The sandboxed environments: expert steps per second for os and db, the bubblewrap sandbox's
 * per-command cost next to plain bash, and one SQL statement through the worker process next to
 * better-sqlite3 in-process.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { sharedSqlHost } from "../runtime/env/db/host.ts";
import { dbEnv, dbTasks } from "../runtime/env/db/index.ts";
import { referenceBytes } from "../runtime/env/db/reference.ts";
import type { DbTaskData } from "../runtime/env/db/tasks.ts";
import { osEnv, osTasks } from "../runtime/env/os/index.ts";
import { ensureSandbox, handToSandbox, runSandboxed } from "../runtime/env/sandbox/bwrap.ts";
import type { Environment, EnvTask } from "../runtime/env/types.ts";
import { type BenchRow, timeIt } from "./bench.ts";

/** Plays every task with the expert, one after another; returns steps per second. */
async function expertStepsPerSecond(env: Environment, tasks: EnvTask[]): Promise<number> {
  let steps = 0;
  const started = performance.now();
  for (const task of tasks) {
    const episode = await env.open(task);
    let observation = (await episode.reset()).observation;
    const expert = env.expert!(task);
    for (let turn = 0; turn < env.maxTurns; turn++) {
      const result = await episode.step(expert.next(observation).action);
      steps++;
      observation = result.observation;
      if (result.done) break;
    }
    await episode.close();
  }
  return steps / ((performance.now() - started) / 1000);
}

function plainBash(): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn("bash", ["-c", "true"], { stdio: "ignore" });
    child.on("error", reject);
    child.on("close", () => resolve());
  });
}

export async function run(): Promise<BenchRow[]> {
  await ensureSandbox();
  const dir = mkdtempSync(join(tmpdir(), "atune-bench-sandbox-"));
  handToSandbox(dir);
  const sandboxMs = await timeIt(() => runSandboxed(dir, "true"), 1000, 10);
  const bashMs = await timeIt(plainBash, 1000, 10);
  rmSync(dir, { recursive: true, force: true });

  const osRate = await expertStepsPerSecond(osEnv, osTasks({ split: "test", count: 40, seed: 1 }));
  const dbTaskList = dbTasks({ split: "test", count: 300, seed: 1 });
  await expertStepsPerSecond(dbEnv, dbTaskList.slice(0, 5)); // starts the SQL worker
  const dbRate = await expertStepsPerSecond(dbEnv, dbTaskList);

  // One SELECT through the worker process vs. the same SELECT in-process.
  const [task] = dbTaskList;
  const episode = await dbEnv.open(task);
  await episode.reset();
  const workerMs = await timeIt(() => episode.step("sql: SELECT COUNT(*) FROM sqlite_master"), 1000, 20);
  await episode.close();
  const local = new Database(referenceBytes(task.data as DbTaskData));
  const localStatement = local.prepare("SELECT COUNT(*) FROM sqlite_master");
  const localMs = await timeIt(() => localStatement.get(), 500, 100);
  local.close();
  sharedSqlHost().stop();

  return [
    {
      name: "sandboxed command (bwrap + bash, `true`)",
      value: sandboxMs,
      unit: "ms",
      baseline: { name: "plain bash -c true", value: bashMs },
      note: `sandbox overhead ≈ ${(sandboxMs - bashMs).toFixed(1)} ms per command`,
    },
    { name: "os expert steps (40 episodes, sequential)", value: osRate, unit: "steps/s" },
    { name: "db expert steps (300 episodes, sequential)", value: dbRate, unit: "steps/s" },
    {
      name: "db step: one SELECT via the SQL worker",
      value: workerMs,
      unit: "ms",
      baseline: { name: "better-sqlite3 in-process", value: localMs },
      note: "IPC round trip + guard + table formatting",
    },
  ];
}
