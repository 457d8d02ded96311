import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runEpisode } from "../../runtime/agent/loop.ts";
import { osDerivation, referenceSolution } from "../../runtime/env/os/derive.ts";
import { osEnv } from "../../runtime/env/os/index.ts";
import { type OsTaskData, osTemplates } from "../../runtime/env/os/tasks.ts";
import { Rng } from "../../runtime/env/sandbox/random.ts";
import type { EnvTask, VerifyContext } from "../../runtime/env/types.ts";
import { expertGenerator } from "../../runtime/generators/expert.ts";
import { deriveConfig, derivePlan, jsonl, runPlan, seedTasks, stageDir } from "./helpers.ts";

/** The second solve, as the stage makes it: the expert as an agent in the sandboxed environment. */
const expertSolve: VerifyContext = {
  solve: (task) =>
    runEpisode(osEnv, task, expertGenerator, { examples: [], maxTurns: 8, invalidActions: "map" }),
};

const candidate = (
  template: keyof typeof osTemplates,
  seed: number,
  change?: (data: any) => void,
): EnvTask => {
  const made = osTemplates[template](new Rng(seed));
  const data: any = { ...structuredClone(made.data), solution: referenceSolution(made.data) };
  change?.(data);
  return {
    id: `os/self_instruct/${template}-${seed}`,
    family: "os",
    split: "train",
    instruction: made.instruction,
    data,
  };
};

describe("os self-instruct", () => {
  it("keeps tasks whose reference solution and a second solve both satisfy the checker", async () => {
    const root = mkdtempSync(join(tmpdir(), "atune-derive-os-"));
    const manifest = await runPlan(derivePlan(seedTasks("os", 4), deriveConfig("self_instruct", 5)), root);
    const dir = stageDir(root, manifest, "derive.new");
    const tasks = jsonl<EnvTask>(join(dir, "tasks.jsonl"));
    const summary = manifest.stages[1].summary as any;
    expect(tasks).toHaveLength(5);
    expect(summary.taskSets["tasks.seed"].derivation).toMatchObject({ asked: 5, kept: 5, shortfall: 0 });
    expect(summary.taskSets["tasks.seed"].collection).toMatchObject({ episodes: 5, success: 5 });
    for (const task of tasks) {
      expect(task.id).toMatch(/^os\/self_instruct\//);
      expect(typeof (task.data as { solution: unknown }).solution).toBe("string");
      expect(osDerivation.inTestSplit!({ instruction: task.instruction, data: task.data })).toBe(false);
    }
    expect(jsonl(join(dir, "records.jsonl")).map((r) => r.id)).toEqual(tasks.map((t) => t.id));
  });

  it("rejects a planted wrong checker, a wrong solution, and a checker the second solve disagrees with", async () => {
    const good = await osDerivation.verify(candidate("csv-sum", 11), expertSolve);
    expect(good.ok).toBe(true);

    // The checker expects a different sum than the file holds: the reference solution disagrees.
    const wrongChecker = candidate("csv-sum", 11, (data) => {
      data.goal.answer = String(Number(data.goal.answer) + 1);
    });
    expect(await osDerivation.verify(wrongChecker, expertSolve)).toMatchObject({
      ok: false,
      reason: "solution_disagreed",
    });

    // A solution that fails outright.
    const failing = candidate("rename-file", 5, (data) => {
      data.solution = "mv drafts/nothing-here.md drafts/x.md";
    });
    expect(await osDerivation.verify(failing, expertSolve)).toMatchObject({
      ok: false,
      reason: "solution_disagreed",
    });

    // Solution and checker agree with each other but not with the files: only the second solve catches it.
    const colluding = candidate("count-lines", 3, (data: OsTaskData & { solution: string }) => {
      if (data.goal.kind !== "question") throw new Error("count-lines is a question");
      data.goal.answer = String(Number(data.goal.answer) + 2);
      data.solution = `echo ${data.goal.answer}`;
    });
    expect(await osDerivation.verify(colluding, expertSolve)).toMatchObject({
      ok: false,
      reason: "verifier_disagreed",
    });
  });

  it("says when an expert verifier cannot solve a model-written task", async () => {
    const [seed] = osEnv.tasks({ split: "train", count: 1, seed: 2 });
    const written = osDerivation.writing!.fromJson(
      { instruction: "Print hi.", files: [], solution: "echo hi", answer: "hi", answer_type: "text" },
      seed,
    );
    const task: EnvTask = { id: "os/self_instruct/x", family: "os", split: "train", ...written };
    const verdict = await osDerivation.verify(task, expertSolve);
    expect(verdict).toMatchObject({ ok: false, reason: "verifier_error" });
    expect(!verdict.ok && verdict.detail).toMatch(/verifier = teacher/);
  });

  it("reads a model's task JSON, refusing paths that leave the home directory", () => {
    const [seed] = osEnv.tasks({ split: "train", count: 1, seed: 2 });
    const task = {
      instruction: "How many lines does notes/a.txt have?",
      files: [{ path: "notes/a.txt", content: "x\ny\n", mode: "640" }],
      solution: "wc -l < notes/a.txt",
      answer: 2,
    };
    const content = osDerivation.writing!.fromJson(task, seed);
    expect(content.data).toMatchObject({
      template: "self-instruct",
      files: [{ path: "notes/a.txt", content: "x\ny\n", mode: 0o640 }],
      goal: { kind: "question", answer: "2", answerType: "number" },
    });
    const withChecks = osDerivation.writing!.fromJson(
      {
        ...task,
        answer: undefined,
        checks: [
          { path: "out.txt", content: "2\n" },
          { path: "x", absent: true },
        ],
      },
      seed,
    );
    expect((withChecks.data as OsTaskData).goal).toEqual({
      kind: "end-state",
      checks: [
        { type: "content", path: "out.txt", content: "2\n" },
        { type: "absent", path: "x" },
      ],
    });
    const bad = (change: Record<string, unknown>) => () =>
      osDerivation.writing!.fromJson({ ...task, ...change }, seed);
    expect(bad({ files: [{ path: "../../etc/passwd", content: "" }] })).toThrow(/relative path/);
    expect(bad({ files: [{ path: "/etc/passwd", content: "" }] })).toThrow(/relative path/);
    expect(bad({ solution: "" })).toThrow(/"solution"/);
    expect(bad({ answer: undefined })).toThrow(/"answer"/);
    expect(bad({ answer_type: "date" })).toThrow(/answer_type/);
    expect(osDerivation.writing!.toJson(seed)).toMatchObject({ instruction: seed.instruction });
  });
});
