import { createHash } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import { runEpisode } from "../../runtime/agent/loop.ts";
import { firstColumn } from "../../runtime/env/db/expert.ts";
import { sharedSqlHost } from "../../runtime/env/db/host.ts";
import { dbEnv, dbExampleTask, dbTasks } from "../../runtime/env/db/index.ts";
import { answerMatchesRows } from "../../runtime/env/db/judge.ts";
import { referenceBytes } from "../../runtime/env/db/reference.ts";
import { type DbTaskData, dbTemplateKinds } from "../../runtime/env/db/tasks.ts";
import { expertGenerator } from "../../runtime/generators/expert.ts";
import { mapLimit, playExpert } from "./play.ts";

afterAll(() => sharedSqlHost().stop());

const sha = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");

describe("db family: tasks", () => {
  it("is deterministic: the same query gives the same tasks", () => {
    expect(dbTasks({ split: "test", count: 40, seed: 8 })).toEqual(
      dbTasks({ split: "test", count: 40, seed: 8 }),
    );
  });

  it("keeps train and test disjoint over 1000 tasks each, with distinct tasks within a split", () => {
    const train = dbTasks({ split: "train", count: 1000, seed: 2 });
    const test = dbTasks({ split: "test", count: 1000, seed: 2 });
    const key = (t: { instruction: string; data: unknown }) => JSON.stringify([t.instruction, t.data]);
    const trainKeys = new Set(train.map(key));
    expect(trainKeys.size).toBe(1000);
    expect(new Set(test.map(key)).size).toBe(1000);
    expect(test.filter((t) => trainKeys.has(key(t)))).toEqual([]);
    const kinds = new Set(train.map((t) => (t.data as DbTaskData).kind));
    expect(kinds).toEqual(new Set(["select", "modify"]));
    // Every template listed for the templates option (with its kind) is one the generator draws, and back.
    const drawn = new Set(
      train.map((t) => {
        const data = t.data as DbTaskData;
        return `${data.domain}/${data.template}/${data.kind}`;
      }),
    );
    const listed = Object.entries(dbTemplateKinds).flatMap(([d, kinds]) =>
      Object.entries(kinds).map(([name, kind]) => `${d}/${name}/${kind}`),
    );
    expect([...drawn].sort()).toEqual(listed.sort());
  });

  it("narrows to the templates asked for, and names the known ones for an unknown one", () => {
    const tasks = dbTasks({
      split: "train",
      count: 40,
      seed: 1,
      options: { domains: ["shop"], templates: ["count-status", "customer-total"] },
    });
    const templates = new Set(tasks.map((t) => (t.data as DbTaskData).template));
    expect(templates).toEqual(new Set(["count-status", "customer-total"]));
    expect(() =>
      dbTasks({
        split: "train",
        count: 1,
        seed: 0,
        options: { domains: ["shop"], templates: ["average-salary"] },
      }),
    ).toThrow(
      /unknown template 'average-salary' in option 'templates' for domains shop\. Known: customer-total, /,
    );
    // A template whose kind is left out of 'kinds' could never be drawn: named up front.
    expect(() =>
      dbTasks({
        split: "train",
        count: 1,
        seed: 0,
        options: { domains: ["shop"], kinds: ["modify"], templates: ["count-status", "cancel-pending"] },
      }),
    ).toThrow(
      "db: template 'count-status' (select) cannot be drawn with option 'kinds' = [modify]; add the kind to 'kinds' or drop the template.",
    );
  });

  it("filters by kind and domain, and rejects unknown options", () => {
    const modify = dbTasks({
      split: "train",
      count: 30,
      seed: 1,
      options: { kinds: ["modify"], domains: ["school"] },
    });
    expect(
      modify.every(
        (t) => (t.data as DbTaskData).kind === "modify" && (t.data as DbTaskData).domain === "school",
      ),
    ).toBe(true);
    expect(() => dbTasks({ split: "train", count: 1, seed: 0, options: { size: 3 } })).toThrow(
      /unknown option 'size'/,
    );
    expect(() => dbTasks({ split: "train", count: 1, seed: 0, options: { kinds: ["drop"] } })).toThrow(
      /option 'kinds'/,
    );
  });
});

describe("db family: episodes", () => {
  it("the expert solves at least 99% of 300 tasks, selects and modifications alike", async () => {
    const tasks = dbTasks({ split: "test", count: 300, seed: 21 });
    const played = await mapLimit(tasks, 4, (task) => playExpert(dbEnv, task));
    const solved = played.filter((p) => p.reward === 1).length;
    expect(solved / tasks.length).toBeGreaterThanOrEqual(0.99);
    const modifications = tasks.filter((t) => (t.data as DbTaskData).kind === "modify").length;
    expect(modifications).toBeGreaterThan(50);
  });

  it("the expert's episodes survive the runtime's agent loop (ReAct parsing, repetition rule)", async () => {
    const tasks = dbTasks({ split: "train", count: 20, seed: 12 });
    const results = await mapLimit(tasks, 4, (task) =>
      runEpisode(dbEnv, task, expertGenerator, {
        examples: [dbEnv.example],
        maxTurns: dbEnv.maxTurns,
        invalidActions: "map",
      }),
    );
    expect(results.map((r) => r.finishReason)).toEqual(tasks.map(() => "done"));
    expect(
      results.every((r) => r.success && r.record.conversations.some((t) => t.from === "gpt" && t.loss)),
    ).toBe(true);
  });

  it("replays the 1-shot example exactly", async () => {
    const episode = await dbEnv.open(dbExampleTask);
    expect((await episode.reset()).observation).toBe(dbEnv.example.observation);
    for (const step of dbEnv.example.steps) {
      expect((await episode.step(step.action)).observation).toBe(step.observation);
    }
    await episode.close();
  });

  it("gives each episode a fresh copy and never modifies the reference", async () => {
    const [task] = dbTasks({
      split: "train",
      count: 1,
      seed: 4,
      options: { domains: ["company"], kinds: ["select"] },
    });
    const before = sha(referenceBytes(task.data as DbTaskData));
    const first = await dbEnv.open(task);
    const second = await dbEnv.open(task);
    await first.reset();
    await second.reset();
    expect((await first.step("sql: DELETE FROM employees")).observation).toMatch(/^OK: \d+ rows changed\.$/);
    expect((await first.step("sql: SELECT COUNT(*) AS n FROM employees")).observation).toBe(
      "n\n---\n0\n(1 row)",
    );
    const other = await second.step("sql: SELECT COUNT(*) AS n FROM employees");
    expect(Number(firstColumn(other.observation)![0])).toBeGreaterThan(0);
    await first.close();
    await second.close();
    expect(sha(referenceBytes(task.data as DbTaskData))).toBe(before);
  });

  it("reports SQL errors and invalid actions as observations", async () => {
    const [task] = dbTasks({ split: "train", count: 1, seed: 6, options: { kinds: ["modify"] } });
    const episode = await dbEnv.open(task);
    await episode.reset();
    expect((await episode.step("SELECT 1")).observation).toContain('Use "sql: <statement>"');
    expect((await episode.step("sql: SELEC 1")).observation).toMatch(/^Error: near "SELEC": syntax error/);
    expect((await episode.step("sql: SELECT * FROM nowhere")).observation).toBe(
      "Error: no such table: nowhere",
    );
    expect((await episode.step("sql: BEGIN")).observation).toContain(
      "transactions are managed by the environment",
    );
    expect((await episode.step("answer: 3")).info.valid).toBe(false);
    const result = await episode.step("commit");
    expect(result.done).toBe(true);
    expect(result.reward).toBe(0);
    expect(result.observation).toMatch(/^The database is not as expected: /);
    await episode.close();
  });
});

describe("db answers", () => {
  it("match order-insensitively unless the question asks for an order", () => {
    const rows = [["Ada Reed"], ["Ben Stone"]];
    expect(answerMatchesRows('["Ben Stone", "Ada Reed"]', rows, false)).toBe(true);
    expect(answerMatchesRows("Ben Stone, Ada Reed", rows, false)).toBe(true);
    expect(answerMatchesRows("Ben Stone, Ada Reed", rows, true)).toBe(false);
    expect(answerMatchesRows("Ada Reed", rows, false)).toBe(false);
    expect(answerMatchesRows("[]", [], false)).toBe(true);
    expect(answerMatchesRows("4500.0", [[4500]], false)).toBe(true);
    expect(answerMatchesRows("NULL", [[null]], false)).toBe(true);
  });
});
