/**
 * The report as one self-contained HTML page: inline CSS, inline SVG charts, the data as embedded
 * JSON and an inline script for the trajectory browser. No network, no external files.
 */
import { errorTypes } from "../eval/taxonomy.ts";
import { browserScript } from "./browser-script.ts";
import { colorAt, groupedBarChart, lineChart, type Series, stackedBarChart } from "./charts.ts";
import { groupLabel, type ReportData } from "./data.ts";
import { escapeHtml, jsonForScript } from "./escape.ts";
import { errorLabel, formatNormalised, formatPercent, formatReward } from "./format.ts";
import { reportStyle } from "./style.ts";
import { errorTotals, groupScore, presentErrorTypes, sweepPoints } from "./summary.ts";

const dashes = ["", "7 4", "2 4", "10 4 2 4"];

export function renderHtml(data: ReportData): string {
  const sections = [
    comparisonSection(data),
    familySection(data),
    sweepSection(data),
    errorSection(data),
    browserSection(data),
  ].filter((section) => section !== "");
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(data.title)}</title>
<style>${reportStyle}</style>
</head>
<body>
<main>
<h1>${escapeHtml(data.title)}</h1>
<p class="note">${escapeHtml(describeRun(data))}</p>
${sections.join("\n")}
</main>
<script type="application/json" id="report-data">${jsonForScript(data)}</script>
<script>${browserScript}</script>
</body>
</html>
`;
}

function describeRun(data: ReportData): string {
  const episodes = data.samples.reduce((sum, s) => sum + s.total, 0);
  const evals = new Set(data.rows.map((row) => row.eval)).size;
  return (
    `${data.rows.length} compared model${data.rows.length === 1 ? "" : "s"} from ${evals} eval ` +
    `stage${evals === 1 ? "" : "s"}, ${data.families.length} task famil${data.families.length === 1 ? "y" : "ies"}, ` +
    `${episodes} episodes.`
  );
}

function comparisonSection(data: ReportData): string {
  const best = new Map(
    data.groups.map((group) => [
      group,
      Math.max(...data.rows.map((row) => groupScore(row, group)?.normalised ?? Number.NEGATIVE_INFINITY)),
    ]),
  );
  const header =
    `<tr><th rowspan="2">model</th>${data.groups.map((g) => `<th colspan="2">${escapeHtml(groupLabel(g))}</th>`).join("")}</tr>` +
    `<tr>${data.groups.map(() => "<th>normalised</th><th>raw</th>").join("")}</tr>`;
  const body = data.rows
    .map((row) => {
      const cells = data.groups.map((group) => {
        const score = groupScore(row, group);
        if (!score) return "<td>–</td><td>–</td>";
        const isBest = data.rows.length > 1 && score.normalised === best.get(group);
        return (
          `<td${isBest ? ' class="best"' : ""}>${formatNormalised(score.normalised)}</td>` +
          `<td>${formatReward(score.raw)}</td>`
        );
      });
      return `<tr><td class="name">${escapeHtml(row.label)}</td>${cells.join("")}</tr>`;
    })
    .join("");
  return `<section id="comparison">
<h2>Comparison</h2>
<p class="note">Normalised: each family's score (mean reward) divided by the mean over all compared models,
averaged over the group — the AgentTuning paper's overall score, where 1.00 is the average model (best in bold).
Raw: the group's mean reward (0–1).</p>
<table class="comparison"><thead>${header}</thead><tbody>${body}</tbody></table>
</section>`;
}

function familySection(data: ReportData): string {
  const series: Series[] = data.rows.map((row, i) => ({ name: row.label, color: colorAt(i) }));
  const cells = data.families.map(({ family, group }) =>
    data.rows.map((row) => row.families.find((f) => f.family === family && f.group === group)),
  );
  const chart = groupedBarChart({
    id: "chart-families",
    title: "Success rate per family",
    categories: data.families.map(({ family, group }) => ({ label: family, note: groupLabel(group) })),
    series,
    values: cells.map((row) => row.map((result) => result?.successRate)),
    details: cells.map((row) =>
      row.map((result) =>
        result
          ? `${result.model} on ${result.family}: success ${formatPercent(result.successRate)} ` +
            `(${result.success}/${result.episodes}), mean reward ${formatReward(result.meanReward)}`
          : "",
      ),
    ),
    max: 1,
    ticks: [0, 0.25, 0.5, 0.75, 1],
    format: (v) => `${Math.round(v * 100)}%`,
  });
  const header = `<tr><th>family</th><th>group</th>${data.rows.map((row) => `<th>${escapeHtml(row.label)}</th>`).join("")}</tr>`;
  const body = data.families
    .map(({ family, group }, f) => {
      const values = cells[f].map((result) =>
        result
          ? `<td>${formatPercent(result.successRate)} / ${formatReward(result.meanReward)} (${result.episodes})</td>`
          : "<td>–</td>",
      );
      return `<tr><td class="name">${escapeHtml(family)}</td><td class="name">${escapeHtml(groupLabel(group))}</td>${values.join("")}</tr>`;
    })
    .join("");
  return `<section id="families">
<h2>Per family</h2>
<p class="note">One bar per model, side by side; hover a bar for its counts and mean reward.</p>
${chart}
<details><summary>Numbers: success rate / mean reward (episodes)</summary>
<table class="families"><thead>${header}</thead><tbody>${body}</tbody></table></details>
</section>`;
}

function sweepSection(data: ReportData): string {
  const sweep = sweepPoints(data);
  if (!sweep || data.sweep === undefined) return "";
  const models = [...new Set(sweep.points.map((p) => p.row.model))];
  const series = data.groups.flatMap((group, g) =>
    models.map((model, m) => ({
      name: models.length > 1 ? `${groupLabel(group)} · ${model}` : groupLabel(group),
      color: colorAt(g),
      dash: dashes[m % dashes.length],
      points: sweep.points
        .filter((p) => p.row.model === model && groupScore(p.row, group))
        .map((p) => {
          const score = groupScore(p.row, group)!;
          return {
            x: p.value,
            y: score.raw,
            detail: `${p.row.label}, ${groupLabel(group)}: raw ${formatReward(score.raw)}, normalised ${formatNormalised(score.normalised)}`,
          };
        }),
    })),
  );
  const chart = lineChart({
    id: "chart-sweep",
    title: `Held-in, held-out and general against ${data.sweep}`,
    xLabel: data.sweep,
    xs: sweep.points.map((p) => p.value),
    numeric: sweep.numeric,
    series: series.filter((s) => s.points.length > 0),
    max: 1,
    ticks: [0, 0.25, 0.5, 0.75, 1],
    format: (v) => v.toFixed(2),
  });
  const header = `<tr><th>${escapeHtml(data.sweep)}</th><th>model</th>${data.groups.map((g) => `<th>${escapeHtml(groupLabel(g))}</th>`).join("")}</tr>`;
  const body = sweep.points
    .map(({ value, row }) => {
      const cells = data.groups.map((group) => {
        const score = groupScore(row, group);
        return score
          ? `<td>${formatNormalised(score.normalised)} (${formatReward(score.raw)})</td>`
          : "<td>–</td>";
      });
      return `<tr><td>${escapeHtml(String(value))}</td><td class="name">${escapeHtml(row.model)}</td>${cells.join("")}</tr>`;
    })
    .join("");
  return `<section id="sweep">
<h2>Sweep over ${escapeHtml(data.sweep)}</h2>
<p class="note">Raw mean reward (0–1) of each group at each value of ${escapeHtml(data.sweep)}; raw scores, unlike
normalised ones, do not move when the set of compared models changes. Table: normalised (raw).</p>
${chart}
<table class="sweep"><thead>${header}</thead><tbody>${body}</tbody></table>
</section>`;
}

function errorSection(data: ReportData): string {
  const totals = errorTotals(data.rows);
  // Only the types that occur, each keeping its taxonomy colour so reports compare at a glance.
  const present = presentErrorTypes(totals);
  const keys: Series[] = present.map((type) => ({
    name: errorLabel(type),
    color: colorAt(errorTypes.indexOf(type)),
  }));
  const chart = stackedBarChart({
    id: "chart-errors",
    title: "Error types per model",
    bars: totals.map((t) => ({
      label: t.row,
      note: `${t.failed} failed of ${t.episodes}`,
      segments: present.map((type) => t.counts[type]),
    })),
    keys,
  });
  return `<section id="errors">
<h2>Errors</h2>
<p class="note">Failed episodes by error type (detected by rules). One episode can show several types, so a bar
can be longer than its failures; a failure that shows none (a wrong final answer) adds nothing.</p>
${present.length === 0 ? '<p class="note">No failed episode showed any error type.</p>' : chart}
</section>`;
}

function browserSection(data: ReportData): string {
  const total = data.samples.reduce((sum, s) => sum + s.total, 0);
  const cut = data.samples.filter((s) => s.shown < s.total);
  const capNote =
    cut.length === 0
      ? `All ${total} episodes are embedded.`
      : `${data.episodes.length} of ${total} episodes are embedded: at most ${data.episodeCap} per model × task set, ` +
        `spread evenly over the task order (${cut.map((s) => `${s.row} on ${s.family}: ${s.shown} of ${s.total}`).join("; ")}). ` +
        `The full logs are the eval stages' episodes-*.jsonl files.`;
  return `<section id="trajectories">
<h2>Trajectories</h2>
<p class="note" id="episode-cap">${escapeHtml(capNote)} Turns longer than ${data.turnCharCap} characters are cut.
Turns marked <strong>trained on</strong> (red edge) are those a fine-tuning run on this record would learn from
(loss: true, or a gpt turn with loss: null).</p>
<div class="filters">
<label>Model <select id="filter-model"></select></label>
<label>Family <select id="filter-family"></select></label>
<label>Outcome <select id="filter-outcome"></select></label>
<span class="note" id="episode-count"></span>
</div>
<div class="browser">
<ul id="episode-list"></ul>
<div id="episode-detail"><p class="placeholder">Select an episode to read its turns.</p></div>
</div>
</section>`;
}
