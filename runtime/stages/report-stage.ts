import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { StageHandler } from "../executor/executor.ts";
import { buildReportData, type ReportConfig } from "../report/data.ts";
import { renderHtml } from "../report/html.ts";
import { renderMarkdown } from "../report/markdown.ts";

export type { ReportConfig } from "../report/data.ts";

/**
 * Reads the eval stages it names and writes report.md and report.html into its directory. The
 * summary names both files (relative to the stage's directory, which moves when the stage
 * finishes) and carries the headline numbers: each compared model's group scores.
 */
export const reportStage: StageHandler = {
  async run({ stage, dir, inputs }) {
    const config = stage.config as unknown as ReportConfig;
    const data = buildReportData(stage.id, config, inputs);
    writeFileSync(join(dir, "report.md"), renderMarkdown(data));
    writeFileSync(join(dir, "report.html"), renderHtml(data));
    return {
      markdown: "report.md",
      html: "report.html",
      rows: data.rows.map((row) => ({
        label: row.label,
        model: row.model,
        eval: row.eval,
        params: row.params,
        groups: Object.fromEntries(
          row.groups.map((g) => [g.group, { normalised: g.normalised, raw: g.raw, tasks: g.tasks }]),
        ),
      })),
      episodesEmbedded: data.episodes.length,
    };
  },
};
