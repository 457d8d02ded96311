import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { cacheDir, executePlan, StageFailure } from "../../runtime/executor/executor.ts";
import type { Progress } from "../../runtime/executor/progress.ts";
import { PlanBuilder } from "../../runtime/plan/build.ts";
import { stageHandlers } from "../../runtime/stages/handlers.ts";
import { type ReportConfig, reportStage } from "../../runtime/stages/report-stage.ts";

const quiet = (): Progress => ({ start() {}, advance() {}, finish() {} });
const counterModule = {
  path: fileURLToPath(new URL("../runtime/counter-env.ts", import.meta.url)),
  export: "counter",
};
const handlers = { ...stageHandlers, report: reportStage };

function evalPlan(report: ReportConfig) {
  const plan = new PlanBuilder("test");
  for (const [id, seed] of [
    ["tasks.counter_in", 1],
    ["tasks.counter_out", 2],
  ] as const) {
    plan.add(id, "tasks", { env: { module: counterModule }, split: "test", count: 4, seed, options: {} });
  }
  plan.add(
    "eval.compare",
    "eval",
    {
      models: [{ name: "expert", generator: { type: "expert" } }],
      sets: [
        { stage: "tasks.counter_in", group: "held_in" },
        { stage: "tasks.counter_out", group: "held_out" },
      ],
      shots: 1,
      invalidActions: "map",
      concurrency: 1,
    },
    ["tasks.counter_in", "tasks.counter_out"],
  );
  plan.add("report.main", "report", report as unknown as Record<string, unknown>, ["eval.compare"]);
  return plan.build({ name: "r", file: "r.atune", sha256: "0" }, {});
}

describe("report stage", () => {
  it("writes report.md and report.html after an eval stage, with the numbers", async () => {
    const root = mkdtempSync(join(tmpdir(), "atune-report-stage-"));
    const plan = evalPlan({ title: "Counter check", evals: [{ stage: "eval.compare" }] });
    const manifest = await executePlan(plan, { root, handlers, progress: quiet });
    const report = manifest.stages.find((s) => s.id === "report.main")!;
    expect(report.status).toBe("ran");
    expect(report.summary).toEqual({
      markdown: "report.md",
      html: "report.html",
      rows: [
        {
          label: "expert",
          model: "expert",
          eval: "eval.compare",
          params: {},
          groups: {
            held_in: { normalised: 1, raw: 1, tasks: 1 },
            held_out: { normalised: 1, raw: 1, tasks: 1 },
          },
        },
      ],
      episodesEmbedded: 8,
    });

    const dir = cacheDir(root, report.key);
    const markdown = readFileSync(join(dir, "report.md"), "utf8");
    expect(markdown).toContain("# Counter check");
    expect(markdown).toContain("| expert | 1.00 | 1.000 | 1.00 | 1.000 |");
    expect(markdown).toContain("| counter | held-in | 100.0% / 1.000 (4) |");
    expect(markdown).toContain("| counter | held-out | 100.0% / 1.000 (4) |");
    expect(markdown).toContain("| expert | 8 | 0 |");

    const html = readFileSync(join(dir, "report.html"), "utf8");
    expect(html).toContain("<title>Counter check</title>");
    expect(html).toContain('<td class="name">expert</td><td>1.00</td><td>1.000</td>');
    // The embedded data holds every episode with its turns (the counter's expert adds until done).
    const json = html.slice(html.indexOf('id="report-data">') + 17, html.indexOf("</script>"));
    const data = JSON.parse(json) as { episodes: Array<{ id: string; success: boolean; turns: unknown[] }> };
    expect(data.episodes).toHaveLength(8);
    expect(data.episodes.every((e) => e.success && e.turns.length >= 2)).toBe(true);
    expect(existsSync(join(dir, "stage.json"))).toBe(true);
  });

  it("fails with the stage's name when it reports on a stage it does not read", async () => {
    const root = mkdtempSync(join(tmpdir(), "atune-report-stage-"));
    const plan = evalPlan({ title: "t", evals: [{ stage: "eval.missing" }] });
    const run = executePlan(plan, { root, handlers, progress: quiet });
    await expect(run).rejects.toThrow(StageFailure);
    await expect(run).rejects.toThrow(
      "stage report.main failed: report stage report.main: eval stage eval.missing is not an input of this stage",
    );
  });
});
