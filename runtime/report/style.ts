/** The HTML report's stylesheet, inlined into the page. */
export const reportStyle = `
:root { color-scheme: light; --ink: #222; --muted: #666; --line: #ddd; --accent: #4e79a7; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--ink); background: #fafafa; }
main { max-width: 1180px; margin: 0 auto; padding: 24px 28px 64px; background: #fff; min-height: 100vh; }
h1 { font-size: 26px; margin: 0 0 4px; }
h2 { font-size: 19px; margin: 36px 0 8px; padding-bottom: 4px; border-bottom: 1px solid var(--line); }
h3 { font-size: 16px; margin: 0 0 6px; word-break: break-all; }
p.note, .note { color: var(--muted); margin: 4px 0 12px; }
table { border-collapse: collapse; margin: 8px 0 16px; font-variant-numeric: tabular-nums; }
th, td { border: 1px solid var(--line); padding: 5px 10px; }
th { background: #f3f5f8; font-weight: 600; text-align: center; }
td { text-align: right; }
td.name { text-align: left; font-weight: 500; }
td.best { font-weight: 700; }
figure.chart { margin: 12px 0 20px; }
figure.chart svg { max-width: 100%; height: auto; }
figcaption { font-weight: 600; margin-bottom: 6px; }
.legend { display: flex; flex-wrap: wrap; gap: 6px 16px; margin-top: 4px; color: var(--muted); }
.legend-item { display: inline-flex; align-items: center; gap: 6px; }
.filters { display: flex; flex-wrap: wrap; gap: 10px; align-items: center; margin: 8px 0; }
.filters label { display: inline-flex; gap: 6px; align-items: center; }
select { font: inherit; padding: 3px 6px; }
.browser { display: grid; grid-template-columns: minmax(260px, 340px) 1fr; gap: 16px; align-items: start; }
#episode-list { list-style: none; margin: 0; padding: 0; max-height: 640px; overflow-y: auto; border: 1px solid var(--line); border-radius: 6px; }
#episode-list li.empty { padding: 12px; color: var(--muted); }
.episode-item button { display: block; width: 100%; text-align: left; border: 0; border-bottom: 1px solid #eee; background: #fff; padding: 7px 10px; font: inherit; cursor: pointer; }
.episode-item button:hover { background: #f3f6fb; }
.episode-item button.selected { background: #e4ecf7; }
.episode-id { font-weight: 600; margin-left: 6px; word-break: break-all; }
.episode-meta { display: block; color: var(--muted); font-size: 12px; }
.badge { display: inline-block; border-radius: 10px; padding: 0 8px; font-size: 12px; font-weight: 600; }
.badge.success { background: #dcefdc; color: #245c24; }
.badge.failure { background: #f7dcdc; color: #8a1f1f; }
#episode-detail { min-height: 200px; border: 1px solid var(--line); border-radius: 6px; padding: 12px 14px; }
#episode-detail .placeholder { color: var(--muted); }
.facts { color: var(--muted); margin: 0 0 10px; }
details.prompt { margin: 0 0 12px; }
details.prompt summary { cursor: pointer; color: var(--muted); }
details.prompt[open] { padding-bottom: 8px; border-bottom: 1px dashed var(--line); }
.turns-label { margin: 0; color: var(--muted); font-weight: 600; }
.turn { border: 1px solid var(--line); border-left: 5px solid #ccc; border-radius: 4px; margin: 8px 0; background: #fff; }
.turn.from-human { background: #fbfbfb; }
.turn.trained { border-left-color: #e15759; background: #fff7f6; }
.turn-head { display: flex; justify-content: space-between; gap: 8px; padding: 3px 8px; border-bottom: 1px solid #eee; font-size: 12px; }
.speaker { font-weight: 700; text-transform: uppercase; letter-spacing: 0.04em; }
.loss-mark { color: var(--muted); }
.turn.trained .loss-mark { color: #b22; font-weight: 600; }
.turn-text { margin: 0; padding: 6px 8px; white-space: pre-wrap; word-break: break-word; font: 12.5px/1.45 ui-monospace, "DejaVu Sans Mono", monospace; }
.cut { padding: 0 8px 6px; color: var(--muted); font-size: 12px; }
@media (max-width: 800px) { .browser { grid-template-columns: 1fr; } }
`;
