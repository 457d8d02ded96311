import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { EnvTask } from "../../runtime/env/types.ts";
import { executePlan } from "../../runtime/executor/executor.ts";
import type { GeneratorConfig } from "../../runtime/plan/config.ts";
import { stageHandlers } from "../../runtime/stages/handlers.ts";
import { type Behaviour, type FakeServer, startFakeServer } from "../generators/fake-server.ts";
import { deriveConfig, derivePlan, jsonl, quiet, runPlan, seedTasks, stageDir } from "./helpers.ts";

let fake: FakeServer;
beforeAll(async () => {
  fake = await startFakeServer();
});
afterAll(() => fake.close());

const teacher = (): GeneratorConfig => ({
  type: "openai",
  baseURL: fake.baseURL,
  model: "fake-teacher",
  temperature: 0,
  maxTokens: 512,
  concurrency: 1,
  timeoutMs: 5000,
  retries: 0,
});
const reply = (content: string): Behaviour => ({ kind: "reply", content });
const task = (value: unknown): Behaviour => reply(JSON.stringify(value));
const reasons = (rejected: Array<{ reason: string }>) => rejected.map((r) => r.reason);

describe("a model teacher writing tasks (openai, against a local fake endpoint)", () => {
  it("db: keeps good questions, rejects malformed and unverifiable ones, counts tokens, reruns from the cache", async () => {
    fake.requests.length = 0;
    fake.script = [
      task({ question: "How many employees are there?", sql: "SELECT COUNT(*) FROM employees" }),
      reply("A good task would ask about salaries."),
      task({ question: "Who earns most?" }),
      task({ question: "What is on the staff list?", sql: "SELECT salary FROM staff" }),
      task({
        question: "Who earns over ten million?",
        sql: "SELECT name FROM employees WHERE salary > 10000000",
      }),
      task({ question: "Remove everyone.", sql: "DELETE FROM employees" }),
      reply(
        'Here it is:\n```json\n{"question": "What is the highest salary?", "sql": "SELECT MAX(salary) FROM employees"}\n```',
      ),
    ];
    const plan = derivePlan(
      seedTasks("db", 4, { domains: ["company"], kinds: ["select"] }),
      deriveConfig("derive", 2, teacher(), { concurrency: 1 }),
    );
    const root = mkdtempSync(join(tmpdir(), "atune-derive-openai-"));
    const manifest = await runPlan(plan, root);
    const dir = stageDir(root, manifest, "derive.new");
    const tasks = jsonl<EnvTask>(join(dir, "tasks.jsonl"));
    expect(tasks.map((t) => t.instruction)).toEqual([
      "How many employees are there?",
      "What is the highest salary?",
    ]);
    expect(reasons(jsonl(join(dir, "rejected.jsonl")))).toEqual([
      "unparseable",
      "unparseable",
      "sql_error",
      "empty_answer",
      "not_a_question",
    ]);
    expect(jsonl(join(dir, "records.jsonl"))).toHaveLength(2);

    // Every reply reported 10 prompt and 5 completion tokens: the manifest adds them up.
    const requests = fake.requests.length;
    expect(requests).toBeGreaterThan(7);
    const usage = { promptTokens: 10 * requests, completionTokens: 5 * requests };
    expect(manifest.stages[1].tokens).toEqual(usage);
    expect(manifest.tokens).toMatchObject({
      ...usage,
      totalTokens: 15 * requests,
      unreported: [],
      cost: "unpriced",
    });
    expect(manifest.tokens?.spentThisRun).toEqual(usage);

    // Forced rerun: every reply comes back from the response cache, nothing is paid, same tasks.
    const again = await executePlan(plan, {
      root,
      handlers: stageHandlers,
      progress: quiet,
      force: ["derive.new"],
    });
    expect(fake.requests).toHaveLength(requests);
    expect(jsonl(join(stageDir(root, again, "derive.new"), "tasks.jsonl"))).toEqual(tasks);
    expect(again.tokens).toMatchObject({ promptTokens: 0, completionTokens: 0 });
  });

  it("reports a shortfall when the attempts run out before enough tasks are verified", async () => {
    fake.requests.length = 0;
    fake.script = Array.from({ length: 15 }, () => reply("Sorry, I cannot write tasks."));
    const root = mkdtempSync(join(tmpdir(), "atune-derive-short-"));
    const manifest = await runPlan(
      derivePlan(seedTasks("db", 2), deriveConfig("derive", 1, teacher(), { concurrency: 1 })),
      root,
    );
    const summary = manifest.stages[1].summary as any;
    expect(fake.requests).toHaveLength(15);
    expect(summary.taskSets["tasks.seed"].derivation).toMatchObject({
      asked: 1,
      kept: 0,
      shortfall: 1,
      attempts: 15,
      maxAttempts: 15,
      rejected: { unparseable: 15 },
    });
    expect(summary.warnings).toEqual([
      expect.stringContaining("db: only 0 of 1 tasks were verified within 15 attempts"),
    ]);
    expect(jsonl(join(stageDir(root, manifest, "derive.new"), "records.jsonl"))).toEqual([]);
  });

  it("os: a second solve by the verifier must agree with the written checker", async () => {
    fake.requests.length = 0;
    const lines = (n: number) => Array.from({ length: n }, (_, i) => `line ${i}`).join("\n") + "\n";
    fake.script = [
      // attempt 0: a good question; the verifier solves it in two turns
      task({
        instruction: "How many lines does notes/a.txt have? Answer with a number.",
        files: [{ path: "notes/a.txt", content: lines(3) }],
        solution: "wc -l < notes/a.txt",
        answer: "3",
        answer_type: "number",
      }),
      reply("Thought: Count the lines.\nAction: bash: wc -l < notes/a.txt"),
      reply("Thought: wc printed 3.\nAction: answer: 3"),
      // attempt 1: solution and checker collude on a wrong answer; the verifier's solve disagrees
      task({
        instruction: "How many lines does notes/b.txt have? Answer with a number.",
        files: [{ path: "notes/b.txt", content: lines(2) }],
        solution: "echo 5",
        answer: "5",
        answer_type: "number",
      }),
      reply("Thought: It has two lines.\nAction: answer: 2"),
      // attempt 2: the checker contradicts the solution
      task({
        instruction: "How many lines does notes/c.txt have? Answer with a number.",
        files: [{ path: "notes/c.txt", content: lines(4) }],
        solution: "wc -l < notes/c.txt",
        answer: "7",
      }),
      // attempt 3: a file outside the home directory
      task({
        instruction: "Read it.",
        files: [{ path: "../../etc/shadow", content: "" }],
        solution: "cat x",
        answer: "x",
      }),
      // attempt 4: a good file-changing task
      task({
        instruction: "Create the file out.txt containing the line hello.",
        files: [],
        solution: "echo hello > out.txt",
        checks: [{ path: "out.txt", content: "hello\n" }],
      }),
      reply("Thought: Write the file.\nAction: bash: echo hello > out.txt"),
      reply("Thought: Done.\nAction: finish"),
      // collection on the two kept tasks
      reply("Thought: Count them.\nAction: answer: 3"),
      reply("Thought: Write it.\nAction: bash: echo hello > out.txt"),
      reply("Thought: Done.\nAction: finish"),
    ];
    const root = mkdtempSync(join(tmpdir(), "atune-derive-openai-os-"));
    const manifest = await runPlan(
      derivePlan(seedTasks("os", 3), deriveConfig("self_instruct", 2, teacher(), { concurrency: 1 })),
      root,
    );
    const dir = stageDir(root, manifest, "derive.new");
    const tasks = jsonl<EnvTask>(join(dir, "tasks.jsonl"));
    expect(tasks.map((t) => t.instruction)).toEqual([
      "How many lines does notes/a.txt have? Answer with a number.",
      "Create the file out.txt containing the line hello.",
    ]);
    const rejected = jsonl(join(dir, "rejected.jsonl"));
    expect(reasons(rejected)).toEqual(["verifier_disagreed", "solution_disagreed", "unparseable"]);
    expect(rejected[1].detail).toMatch(/prints "4", but the checker expects "7"/);
    const summary = manifest.stages[1].summary as any;
    expect(summary.taskSets["tasks.seed"].collection).toMatchObject({ episodes: 2, success: 2 });
    expect(fake.script).toHaveLength(0);
  });
});
