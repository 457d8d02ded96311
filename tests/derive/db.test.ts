import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { dbDerivation } from "../../runtime/env/db/derive.ts";
import { dbEnv } from "../../runtime/env/db/index.ts";
import { referenceResult } from "../../runtime/env/db/reference.ts";
import type { DbTaskData } from "../../runtime/env/db/tasks.ts";
import type { EnvTask } from "../../runtime/env/types.ts";
import { deriveConfig, derivePlan, jsonl, runPlan, seedTasks, stageDir } from "./helpers.ts";

const noSolve = async () => {
  throw new Error("db verification never needs a second solve");
};
const derivedTask = (seed: EnvTask, question: string, sql: string): EnvTask => ({
  id: "db/derive/test",
  family: "db",
  split: "train",
  ...dbDerivation.writing!.fromJson({ question, sql }, seed),
});

describe("db task derivation", () => {
  it("derives verified questions with the expert teacher: counts, answers, reasons, no test tasks", async () => {
    const root = mkdtempSync(join(tmpdir(), "atune-derive-db-"));
    const manifest = await runPlan(derivePlan(seedTasks("db", 6), deriveConfig("derive", 40)), root);
    const dir = stageDir(root, manifest, "derive.new");
    const tasks = jsonl<EnvTask>(join(dir, "tasks.jsonl"));
    const rejected = jsonl(join(dir, "rejected.jsonl"));
    const summary = manifest.stages[1].summary as any;

    expect(tasks).toHaveLength(40);
    expect(jsonl(join(dir, "records.jsonl"))).toHaveLength(40);
    expect(summary.taskSets["tasks.seed"].derivation).toMatchObject({ asked: 40, kept: 40, shortfall: 0 });
    expect(summary.taskSets["tasks.seed"].derivation.attempts).toBe(40 + rejected.length);
    expect(summary.taskSets["tasks.seed"].collection.success).toBe(40);
    expect(new Set(tasks.map((t) => t.id)).size).toBe(40);
    for (const task of tasks) {
      const data = task.data as DbTaskData & { expected: unknown[][] };
      expect(task).toMatchObject({ family: "db", split: "train" });
      const rows = referenceResult(data);
      expect(rows.length).toBeGreaterThan(0);
      expect(rows.flat().some((cell) => cell !== null)).toBe(true);
      expect(data.expected).toEqual(rows);
    }

    // Every rejection says why; the expert's candidates are dropped for these reasons only.
    const reasons = new Set(rejected.map((r) => r.reason));
    expect(reasons.size).toBeGreaterThan(0);
    for (const reason of reasons) expect(["empty_answer", "contaminated", "duplicate"]).toContain(reason);
    expect(rejected.every((r) => typeof r.detail === "string" && r.detail.length > 0)).toBe(true);
    expect(summary.taskSets["tasks.seed"].derivation.rejected).toEqual(
      Object.fromEntries([...reasons].map((r) => [r, rejected.filter((x) => x.reason === r).length])),
    );

    // No kept task is in the test half of the family's content partition, nor equals a drawn test task.
    expect(tasks.some((t) => dbDerivation.inTestSplit!({ instruction: t.instruction, data: t.data }))).toBe(
      false,
    );
    const test = dbEnv.tasks({ split: "test", count: 200, seed: 1 });
    const testQuestions = new Set(test.map((t) => `${t.instruction}|${(t.data as DbTaskData).referenceSql}`));
    expect(
      tasks.some((t) => testQuestions.has(`${t.instruction}|${(t.data as DbTaskData).referenceSql}`)),
    ).toBe(false);
  });

  it("keeps a question only when its SQL is allowed, runs, only reads and answers", async () => {
    const [seed] = dbEnv.tasks({ split: "train", count: 1, seed: 4, options: { domains: ["company"] } });
    const verify = (question: string, sql: string) =>
      dbDerivation.verify(derivedTask(seed, question, sql), { solve: noSolve });

    const good = await verify("How many employees are there?", "SELECT COUNT(*) FROM employees;");
    expect(good.ok).toBe(true);
    if (good.ok) expect((good.task.data as { expected: unknown }).expected).toEqual([[expect.any(Number)]]);

    expect(await verify("?", "SELECT nope FROM employees")).toMatchObject({ ok: false, reason: "sql_error" });
    expect(await verify("?", "ATTACH DATABASE 'x' AS y")).toMatchObject({ ok: false, reason: "sql_error" });
    expect(await verify("?", "SELECT name FROM employees WHERE salary > 10000000")).toMatchObject({
      ok: false,
      reason: "empty_answer",
    });
    expect(await verify("?", "SELECT MAX(salary) FROM employees WHERE salary < 0")).toMatchObject({
      ok: false,
      reason: "empty_answer",
    });
    expect(await verify("?", "DELETE FROM employees")).toMatchObject({ ok: false, reason: "not_a_question" });
    expect(await verify("?", "SELECT random()")).toMatchObject({ ok: false, reason: "nondeterministic" });
    expect(await verify("?", "SELECT hex(zeroblob(20000))")).toMatchObject({
      ok: false,
      reason: "answer_too_large",
    });
    const runaway = "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r) SELECT COUNT(*) FROM r";
    const slow = derivedTask(seed, "?", runaway);
    (slow.data as { limits: { statementTimeoutMs: number } }).limits = { statementTimeoutMs: 200 };
    expect(await dbDerivation.verify(slow, { solve: noSolve })).toMatchObject({
      ok: false,
      reason: "sql_error",
    });
  });

  it("parses a model's task JSON over the seed's database, and says what is wrong with a bad one", () => {
    const [seed] = dbEnv.tasks({ split: "train", count: 1, seed: 4 });
    const content = dbDerivation.writing!.fromJson({ question: " Who? ", sql: "SELECT 1 ORDER BY 1;" }, seed);
    expect(content.instruction).toBe("Who?");
    expect(content.data).toMatchObject({
      tables: (seed.data as DbTaskData).tables,
      kind: "select",
      referenceSql: "SELECT 1 ORDER BY 1",
      ordered: true,
    });
    expect(() => dbDerivation.writing!.fromJson({ sql: "SELECT 1" }, seed)).toThrow(/"question"/);
    expect(() => dbDerivation.writing!.fromJson({ question: "q" }, seed)).toThrow(/"sql"/);
    expect(() => dbDerivation.writing!.fromJson([1], seed)).toThrow(/JSON object/);
    expect(dbDerivation.writing!.describe(seed)).toContain((seed.data as DbTaskData).tables[0].schema);
  });
});
