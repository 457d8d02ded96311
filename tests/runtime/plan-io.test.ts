import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { executePlan } from "../../runtime/executor/executor.ts";
import type { Progress } from "../../runtime/executor/progress.ts";
import { PlanBuilder } from "../../runtime/plan/build.ts";
import { formatPlan, PlanFileError, readPlanFile } from "../../runtime/plan/io.ts";
import { changedFields, planStatus, renderPlanStatus } from "../../runtime/plan/status.ts";

const quiet = (): Progress => ({ start() {}, advance() {}, finish() {} });
const dir = mkdtempSync(join(tmpdir(), "atune-planio-"));

function plan(count: number) {
  const builder = new PlanBuilder("1.0");
  builder.add("tasks.a", "tasks", {
    env: { builtin: "household" },
    split: "train",
    count,
    seed: 1,
    options: {},
  });
  builder.add("tasks.b", "tasks", {
    env: { builtin: "household" },
    split: "test",
    count: 2,
    seed: 1,
    options: {},
  });
  return builder.build({ name: "r", file: "/x/r.atune", sha256: "0" }, {});
}

describe("plan files", () => {
  it("round-trips JSON and YAML", () => {
    for (const format of ["json", "yaml"] as const) {
      const file = join(dir, `p.${format}`);
      writeFileSync(file, formatPlan(plan(3), format));
      expect(readPlanFile(file, "1.0")).toEqual(plan(3));
    }
  });

  it("refuses edited, foreign and broken plans with the fix", () => {
    const edited = plan(3);
    edited.stages[0].config.count = 99;
    writeFileSync(join(dir, "edited.json"), formatPlan(edited));
    expect(() => readPlanFile(join(dir, "edited.json"), "1.0")).toThrow(
      /changed after compiling[\s\S]*recompile/,
    );
    writeFileSync(join(dir, "p.json"), formatPlan(plan(3)));
    expect(() => readPlanFile(join(dir, "p.json"), "2.0")).toThrow(
      "compiled by atune 1.0, this is atune 2.0",
    );
    writeFileSync(join(dir, "bad.json"), "{");
    expect(() => readPlanFile(join(dir, "bad.json"), "1.0")).toThrow(PlanFileError);
    expect(() => readPlanFile(join(dir, "missing.json"), "1.0")).toThrow("no such plan file");
  });
});

describe("plan status", () => {
  it("marks cached, new and changed stages with the changed fields", async () => {
    const root = mkdtempSync(join(tmpdir(), "atune-status-"));
    expect(planStatus(plan(3), root).map((l) => l.mark)).toEqual(["+", "+"]);
    await executePlan(plan(3), { root, handlers: { tasks: { run: async () => ({}) } }, progress: quiet });
    expect(planStatus(plan(3), root).map((l) => l.mark)).toEqual(["=", "="]);
    const status = planStatus(plan(4), root);
    expect(status[0]).toMatchObject({ mark: "~", changed: ["count"] });
    expect(renderPlanStatus(status)).toContain("~ tasks.a  tasks  (changed: count)");
    expect(renderPlanStatus(status)).toContain("2 stages: 1 to run (1 changed), 1 cached");
  });

  it("finds nested changed fields", () => {
    expect(changedFields({ a: { b: 1, c: [1] } }, { a: { b: 2, c: [1] }, d: 1 })).toEqual(["a.b", "d"]);
  });
});
