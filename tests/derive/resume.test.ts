import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { jsonl, runPlan, stageDir } from "./helpers.ts";
import { resumePlan } from "./resume-plan.ts";

const child = fileURLToPath(new URL("./fixtures/derive-child.ts", import.meta.url));

describe("derive stage after kill -9", () => {
  it("a rerun continues the attempt log and gives exactly the uninterrupted tasks and records", async () => {
    const plan = resumePlan();
    const key = plan.stages[1].key;
    const reference = mkdtempSync(join(tmpdir(), "atune-derive-ref-"));
    const referenceDir = stageDir(reference, await runPlan(plan, reference), "derive.new");

    const root = mkdtempSync(join(tmpdir(), "atune-derive-kill-"));
    const log = join(root, "cache", `${key}.partial`, "derive-tasks.seed.jsonl");
    const first = spawn(process.execPath, ["--import", "tsx", child, root], { stdio: "ignore" });
    let exited = false;
    const exit = new Promise((resolve) => first.on("exit", resolve)).then(() => {
      exited = true;
    });
    while (jsonl(log).length < 5 && !exited) await new Promise((resolve) => setTimeout(resolve, 5));
    first.kill("SIGKILL");
    await exit;
    expect(existsSync(join(root, "cache", key, "stage.json"))).toBe(false);
    const before = jsonl(log).length;

    const manifest = await runPlan(plan, root);
    const dir = stageDir(root, manifest, "derive.new");
    for (const file of ["tasks.jsonl", "rejected.jsonl", "records.jsonl"]) {
      expect(readFileSync(join(dir, file), "utf8")).toBe(readFileSync(join(referenceDir, file), "utf8"));
    }
    const summary = manifest.stages[1].summary as any;
    expect(summary.taskSets["tasks.seed"].derivation.resumed).toBe(before);
    expect(summary.taskSets["tasks.seed"].derivation.kept).toBe(30);
    // Nothing was attempted twice: the log holds each attempt number once.
    const attempts = jsonl(join(dir, "derive-tasks.seed.jsonl")).map((a) => a.attempt);
    expect(attempts).toEqual(attempts.map((_, i) => i));
  });
});
