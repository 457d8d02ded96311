/** The report as Markdown: comparison table, per-family results, error taxonomy, and the sweep. */
import { groupLabel, type ReportData } from "./data.ts";
import { errorLabel, formatNormalised, formatPercent, formatReward } from "./format.ts";
import { errorTotals, groupScore, presentErrorTypes, sweepPoints } from "./summary.ts";

export function renderMarkdown(data: ReportData): string {
  const out: string[] = [`# ${data.title}`, ""];

  out.push("## Comparison", "");
  out.push(
    "Normalised score: each family's score (mean reward) divided by the mean over all compared models, " +
      "averaged over the group (the AgentTuning paper's overall score; 1.00 is the average model). " +
      "Raw: the group's mean reward.",
    "",
  );
  out.push(
    table(
      ["model", ...data.groups.flatMap((g) => [`${groupLabel(g)} normalised`, `${groupLabel(g)} raw`])],
      data.rows.map((row) => [
        row.label,
        ...data.groups.flatMap((group) => {
          const score = groupScore(row, group);
          return score ? [formatNormalised(score.normalised), formatReward(score.raw)] : ["–", "–"];
        }),
      ]),
    ),
    "",
  );

  out.push("## Per family", "", "Each cell: success rate / mean reward (episodes).", "");
  out.push(
    table(
      ["family", "group", ...data.rows.map((row) => row.label)],
      data.families.map(({ family, group }) => [
        family,
        groupLabel(group),
        ...data.rows.map((row) => {
          const result = row.families.find((f) => f.family === family && f.group === group);
          return result
            ? `${formatPercent(result.successRate)} / ${formatReward(result.meanReward)} (${result.episodes})`
            : "–";
        }),
      ]),
    ),
    "",
  );

  out.push("## Errors", "");
  const totals = errorTotals(data.rows);
  const types = presentErrorTypes(totals);
  out.push(
    "Failed episodes classified by the error taxonomy; one episode can show several types, so a row's " +
      "counts may add up to more than its failures.",
    "",
  );
  if (types.length === 0) {
    out.push("No failed episode showed any error type.", "");
  }
  out.push(
    table(
      ["model", "episodes", "failed", ...types.map(errorLabel)],
      totals.map((t) => [
        t.row,
        String(t.episodes),
        String(t.failed),
        ...types.map((type) => String(t.counts[type])),
      ]),
    ),
    "",
  );

  const sweep = sweepPoints(data);
  if (sweep && data.sweep !== undefined) {
    out.push(`## Sweep over ${data.sweep}`, "", "Each cell: normalised score (raw mean).", "");
    out.push(
      table(
        [data.sweep, "model", ...data.groups.map(groupLabel)],
        sweep.points.map(({ value, row }) => [
          String(value),
          row.model,
          ...data.groups.map((group) => {
            const score = groupScore(row, group);
            return score ? `${formatNormalised(score.normalised)} (${formatReward(score.raw)})` : "–";
          }),
        ]),
      ),
      "",
    );
  }
  return out.join("\n");
}

function table(header: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.map(cell).join(" | ")} |`;
  return [line(header), line(header.map(() => "---")), ...rows.map(line)].join("\n");
}

/** A table cell: pipes and line breaks in names would break the table. */
function cell(text: string): string {
  return text.replace(/\|/g, "\\|").replace(/\r?\n/g, " ");
}
