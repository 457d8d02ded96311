/**
 * Small inline-SVG charts for the HTML report. Each returns a self-contained <figure> (the SVG
 * and an HTML legend); every label is escaped. Values are drawn on a fixed scale given by the
 * caller so charts of the same measure compare at a glance.
 */
import { escapeHtml } from "./escape.ts";

/** A categorical palette readable on white and distinguishable in print. */
export const palette = [
  "#4e79a7",
  "#f28e2b",
  "#59a14f",
  "#e15759",
  "#76b7b2",
  "#edc948",
  "#b07aa1",
  "#ff9da7",
  "#9c755f",
  "#bab0ac",
];

export const colorAt = (index: number) => palette[index % palette.length];

export interface Series {
  name: string;
  color: string;
  /** SVG stroke-dasharray for lines ("" for solid). */
  dash?: string;
}

const font = `font-family="system-ui, sans-serif" font-size="12"`;
const num = (value: number) => Number(value.toFixed(2));

function legend(series: Series[]): string {
  const items = series.map(
    (s) =>
      `<span class="legend-item"><svg width="22" height="10" aria-hidden="true">` +
      (s.dash !== undefined
        ? `<line x1="1" y1="5" x2="21" y2="5" stroke="${s.color}" stroke-width="2.5" stroke-dasharray="${s.dash}"/>`
        : `<rect width="22" height="10" rx="2" fill="${s.color}"/>`) +
      `</svg>${escapeHtml(s.name)}</span>`,
  );
  return `<div class="legend">${items.join("")}</div>`;
}

function yAxis(
  left: number,
  top: number,
  height: number,
  width: number,
  ticks: number[],
  max: number,
  format: (v: number) => string,
) {
  return ticks
    .map((tick) => {
      const y = num(top + height - (tick / max) * height);
      return (
        `<line x1="${left}" x2="${left + width}" y1="${y}" y2="${y}" stroke="#e3e3e3"/>` +
        `<text x="${left - 6}" y="${y + 4}" text-anchor="end" ${font} fill="#333">${escapeHtml(format(tick))}</text>`
      );
    })
    .join("");
}

/**
 * Bars grouped by category, one bar per series side by side. `values[c][s]` is category c,
 * series s (undefined: no bar). `details[c][s]` becomes the bar's tooltip.
 */
export function groupedBarChart(args: {
  id: string;
  title: string;
  categories: Array<{ label: string; note?: string }>;
  series: Series[];
  values: Array<Array<number | undefined>>;
  details: string[][];
  max: number;
  ticks: number[];
  format: (value: number) => string;
}): string {
  const barWidth = 18;
  const gap = 24;
  // Wide enough for the bars and for the longest label (about 7 px a character at 12 px).
  const longest = Math.max(...args.categories.map((c) => Math.max(c.label.length, c.note?.length ?? 0)));
  const groupWidth = Math.max(60, args.series.length * barWidth + 12, longest * 7 - gap + 8);
  const left = 48;
  const top = 12;
  const height = 200;
  const plotWidth = args.categories.length * (groupWidth + gap);
  const width = left + plotWidth + 10;
  const parts: string[] = [yAxis(left, top, height, plotWidth, args.ticks, args.max, args.format)];
  args.categories.forEach((category, c) => {
    const x0 = left + gap / 2 + c * (groupWidth + gap);
    const offset = (groupWidth - args.series.length * barWidth) / 2;
    args.series.forEach((series, s) => {
      const value = args.values[c][s];
      if (value === undefined) return;
      const h = num((Math.min(value, args.max) / args.max) * height);
      const x = x0 + offset + s * barWidth;
      parts.push(
        `<rect class="bar" x="${x}" y="${num(top + height - h)}" width="${barWidth - 3}" height="${Math.max(h, 0.5)}" ` +
          `fill="${series.color}"><title>${escapeHtml(args.details[c][s])}</title></rect>`,
      );
    });
    const cx = x0 + groupWidth / 2;
    parts.push(
      `<text x="${cx}" y="${top + height + 18}" text-anchor="middle" ${font} fill="#333">${escapeHtml(category.label)}</text>`,
    );
    if (category.note) {
      parts.push(
        `<text x="${cx}" y="${top + height + 33}" text-anchor="middle" ${font} fill="#777">${escapeHtml(category.note)}</text>`,
      );
    }
  });
  parts.push(
    `<line x1="${left}" x2="${left + plotWidth}" y1="${top + height}" y2="${top + height}" stroke="#888"/>`,
  );
  return figure(args.id, args.title, width, top + height + 42, parts.join(""), legend(args.series));
}

/** Lines over a numeric or categorical x axis; y on a fixed scale. */
export function lineChart(args: {
  id: string;
  title: string;
  xLabel: string;
  xs: Array<number | string>;
  numeric: boolean;
  series: Array<Series & { points: Array<{ x: number | string; y: number; detail: string }> }>;
  max: number;
  ticks: number[];
  format: (value: number) => string;
}): string {
  const left = 48;
  const top = 12;
  const height = 220;
  const plotWidth = Math.max(320, args.xs.length * 90);
  const width = left + plotWidth + 30;
  const numbers = args.xs.filter((x): x is number => typeof x === "number");
  const lo = args.numeric ? Math.min(...numbers) : 0;
  const hi = args.numeric ? Math.max(...numbers) : args.xs.length - 1;
  const xAt = (x: number | string) => {
    const position = args.numeric ? (x as number) : args.xs.indexOf(x);
    return num(left + 20 + (hi === lo ? 0.5 : (position - lo) / (hi - lo)) * (plotWidth - 40));
  };
  const yAt = (y: number) => num(top + height - (Math.min(y, args.max) / args.max) * height);
  const parts: string[] = [yAxis(left, top, height, plotWidth, args.ticks, args.max, args.format)];
  parts.push(
    `<line x1="${left}" x2="${left + plotWidth}" y1="${top + height}" y2="${top + height}" stroke="#888"/>`,
  );
  for (const x of [...new Set(args.xs)]) {
    parts.push(
      `<text x="${xAt(x)}" y="${top + height + 18}" text-anchor="middle" ${font} fill="#333">${escapeHtml(String(x))}</text>`,
    );
  }
  parts.push(
    `<text x="${left + plotWidth / 2}" y="${top + height + 36}" text-anchor="middle" ${font} fill="#333">${escapeHtml(args.xLabel)}</text>`,
  );
  for (const series of args.series) {
    const points = series.points.map((p) => `${xAt(p.x)},${yAt(p.y)}`).join(" ");
    parts.push(
      `<polyline class="line" points="${points}" fill="none" stroke="${series.color}" stroke-width="2.5" ` +
        `stroke-dasharray="${series.dash ?? ""}"/>`,
    );
    for (const p of series.points) {
      parts.push(
        `<circle class="point" cx="${xAt(p.x)}" cy="${yAt(p.y)}" r="4" fill="${series.color}">` +
          `<title>${escapeHtml(p.detail)}</title></circle>`,
      );
    }
  }
  return figure(args.id, args.title, width, top + height + 44, parts.join(""), legend(args.series));
}

/** One horizontal bar per row, split into coloured segments (counts). */
export function stackedBarChart(args: {
  id: string;
  title: string;
  bars: Array<{ label: string; note: string; segments: number[] }>;
  keys: Series[];
}): string {
  const labelWidth = 190;
  const plotWidth = 480;
  const rowHeight = 30;
  const top = 8;
  const max = Math.max(1, ...args.bars.map((bar) => bar.segments.reduce((a, b) => a + b, 0)));
  const parts: string[] = [];
  args.bars.forEach((bar, b) => {
    const y = top + b * rowHeight;
    parts.push(
      `<text x="${labelWidth - 8}" y="${y + 15}" text-anchor="end" ${font} fill="#333">${escapeHtml(bar.label)}</text>`,
    );
    let x = labelWidth;
    bar.segments.forEach((count, k) => {
      if (count === 0) return;
      const w = num((count / max) * plotWidth);
      parts.push(
        `<rect class="segment" x="${num(x)}" y="${y + 2}" width="${w}" height="${rowHeight - 10}" fill="${args.keys[k].color}">` +
          `<title>${escapeHtml(`${bar.label}: ${args.keys[k].name} × ${count}`)}</title></rect>`,
      );
      x += w;
    });
    parts.push(`<text x="${num(x) + 6}" y="${y + 15}" ${font} fill="#666">${escapeHtml(bar.note)}</text>`);
  });
  const height = top + args.bars.length * rowHeight + 4;
  return figure(args.id, args.title, labelWidth + plotWidth + 160, height, parts.join(""), legend(args.keys));
}

function figure(id: string, title: string, width: number, height: number, body: string, legendHtml: string) {
  return (
    `<figure class="chart" id="${escapeHtml(id)}"><figcaption>${escapeHtml(title)}</figcaption>` +
    `<svg viewBox="0 0 ${num(width)} ${num(height)}" width="${num(width)}" height="${num(height)}" ` +
    `role="img" aria-label="${escapeHtml(title)}">${body}</svg>${legendHtml}</figure>`
  );
}
