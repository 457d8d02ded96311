import { describe, expect, it } from "vitest";
import { buildReportData, type ReportConfig, spreadSample } from "../../runtime/report/data.ts";
import { renderMarkdown } from "../../runtime/report/markdown.ts";
import { baseVsTuned, sweepBranch } from "./fixtures.ts";

const single = (): string => {
  const config: ReportConfig = { title: "Base vs tuned", evals: [{ stage: "eval.compare" }] };
  return renderMarkdown(buildReportData("report.main", config, { "eval.compare": baseVsTuned() }));
};

describe("Markdown report", () => {
  it("shows the comparison table with normalised scores and raw means per group", () => {
    const markdown = single();
    expect(markdown.startsWith("# Base vs tuned\n")).toBe(true);
    expect(markdown).toContain(
      "| model | held-in normalised | held-in raw | held-out normalised | held-out raw | general normalised | general raw |",
    );
    // household: 0.2 / 0.8 around a mean of 0.5; shop: 0.5 / 0.7 around 0.6.
    expect(markdown).toContain("| base | 0.62 | 0.350 | 0.50 | 0.100 | 1.00 | 0.500 |");
    expect(markdown).toContain("| tuned | 1.38 | 0.750 | 1.50 | 0.300 | 1.00 | 0.500 |");
  });

  it("lists every family with each model's success rate, mean reward and episodes", () => {
    const markdown = single();
    expect(markdown).toContain("| family | group | base | tuned |");
    expect(markdown).toContain("| household | held-in | 20.0% / 0.200 (10) | 80.0% / 0.800 (10) |");
    expect(markdown).toContain("| shop | held-in | 40.0% / 0.500 (10) | 60.0% / 0.700 (10) |");
    expect(markdown).toContain("| sciworld | held-out | 10.0% / 0.100 (10) | 30.0% / 0.300 (10) |");
    expect(markdown).toContain("| general_choice | general | 50.0% / 0.500 (10) | 50.0% / 0.500 (10) |");
  });

  it("counts the error taxonomy per model over its families, only the types that occur", () => {
    const markdown = single();
    expect(markdown).toContain(
      "| model | episodes | failed | invalid format | invalid action | short term repetition | long term repetition | task limit exceeded |",
    );
    expect(markdown).toContain("| base | 40 | 28 | 3 | 5 | 4 | 0 | 6 |");
    expect(markdown).toContain("| tuned | 40 | 18 | 0 | 0 | 0 | 1 | 2 |");
    expect(markdown).not.toContain("refusal");
    expect(markdown).not.toContain("## Sweep");
  });

  it("tables held-in, held-out and general against the swept param, in the param's order", () => {
    const config: ReportConfig = {
      title: "Sweep",
      sweep: "eta",
      evals: [
        { stage: "eval.eta_1", params: { eta: 1 } },
        { stage: "eval.eta_0.2", params: { eta: 0.2 } },
        { stage: "eval.eta_0", params: { eta: 0 } },
      ],
    };
    const markdown = renderMarkdown(
      buildReportData("report.sweep", config, {
        "eval.eta_1": sweepBranch(9, 1, 2),
        "eval.eta_0.2": sweepBranch(8, 5, 6),
        "eval.eta_0": sweepBranch(2, 4, 7),
      }),
    );
    expect(markdown).toContain("## Sweep over eta");
    const table = markdown.slice(markdown.indexOf("| eta |")).split("\n").slice(0, 5);
    expect(table).toEqual([
      "| eta | model | held-in | held-out | general |",
      "| --- | --- | --- | --- | --- |",
      "| 0 | tuned | 0.32 (0.200) | 1.20 (0.400) | 1.40 (0.700) |",
      "| 0.2 | tuned | 1.26 (0.800) | 1.50 (0.500) | 1.20 (0.600) |",
      "| 1 | tuned | 1.42 (0.900) | 0.30 (0.100) | 0.40 (0.200) |",
    ]);
    // Rows of a sweep are named by their branch.
    expect(markdown).toContain("| tuned (eta=0.2) | 1.26 | 0.800 | 1.50 | 0.500 | 1.20 | 0.600 |");
  });

  it("escapes table pipes in names", () => {
    const output = baseVsTuned();
    const config: ReportConfig = { title: "t", evals: [{ stage: "eval.x", params: { note: "a|b" } }] };
    expect(renderMarkdown(buildReportData("report.t", config, { "eval.x": output }))).toContain(
      "| base (note=a\\|b) |",
    );
  });
});

describe("report configuration errors", () => {
  const build =
    (config: ReportConfig, inputs = { "eval.compare": baseVsTuned() }) =>
    () =>
      buildReportData("report.main", config, inputs);

  it("names an eval stage that is not an input", () => {
    expect(build({ title: "t", evals: [{ stage: "eval.other" }] })).toThrow(
      "report stage report.main: eval stage eval.other is not an input of this stage; inputs are eval.compare",
    );
  });

  it("names an eval without a value for the swept param", () => {
    expect(build({ title: "t", sweep: "eta", evals: [{ stage: "eval.compare" }] })).toThrow(
      "eval stage eval.compare has no value for the swept param 'eta'",
    );
  });

  it("refuses an input that is not an eval stage", () => {
    const notEval = { dir: "/nowhere", config: {}, summary: { records: 3 } };
    expect(build({ title: "t", evals: [{ stage: "mix.x" }] }, { "mix.x": notEval } as never)).toThrow(
      "mix.x is not an eval stage",
    );
  });

  it("says which episode log is missing and how to recreate it", () => {
    const output = baseVsTuned();
    output.dir = "/nonexistent-eval-dir";
    expect(build({ title: "t", evals: [{ stage: "eval.compare" }] }, { "eval.compare": output })).toThrow(
      "rerun it with --force eval.compare",
    );
  });
});

describe("episode sampling", () => {
  it("keeps at most the cap, spread evenly and deterministically over the list", () => {
    const items = Array.from({ length: 10 }, (_, i) => i);
    expect(spreadSample(items, 4)).toEqual([0, 2, 5, 7]);
    expect(spreadSample(items, 20)).toEqual(items);
  });

  it("embeds at most the cap per model × task set and records what was left out", () => {
    const data = buildReportData(
      "report.main",
      { title: "t", evals: [{ stage: "eval.compare" }] },
      { "eval.compare": baseVsTuned() },
      { episodes: 3 },
    );
    expect(data.episodes).toHaveLength(2 * 4 * 3);
    expect(data.samples[0]).toEqual({ row: "base", family: "household", total: 10, shown: 3 });
    // The shared prompt is stored once, not with every episode.
    expect(data.prompts).toHaveLength(1);
    expect(data.episodes[0].turns[0].value).toBe("Task 0 of household.");
  });
});
