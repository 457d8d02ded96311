// `npm run bench [filter]`: runs every bench/*.bench.ts, prints a table, writes bench/results/latest.json.
import { mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { BenchModule, BenchRow } from "./bench.ts";

const here = dirname(fileURLToPath(import.meta.url));
const filter = process.argv[2];
const files = readdirSync(here)
  .filter((f) => f.endsWith(".bench.ts"))
  .filter((f) => !filter || f.includes(filter))
  .sort();

const results: Record<string, BenchRow[]> = {};
for (const file of files) {
  console.error(`running ${file} …`);
  const mod = (await import(join(here, file))) as BenchModule;
  results[file] = await mod.run();
}

const fmt = (v: number) =>
  Math.abs(v) >= 100 ? v.toFixed(0) : Math.abs(v) >= 1 ? v.toFixed(2) : v.toPrecision(3);
const rows = Object.entries(results).flatMap(([file, list]) =>
  list.map((r) => [
    file.replace(".bench.ts", ""),
    r.name,
    `${fmt(r.value)} ${r.unit}`,
    r.baseline ? `${r.baseline.name}: ${fmt(r.baseline.value)} ${r.unit}` : "",
    r.baseline ? `${(r.value / r.baseline.value).toFixed(2)}×` : "",
    r.note ?? "",
  ]),
);
const header = ["bench", "measure", "value", "baseline (same run)", "ratio", "note"];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join(" | ");
console.log(line(header));
console.log(widths.map((w) => "-".repeat(w)).join("-|-"));
for (const r of rows) console.log(line(r));

const outDir = join(here, "results");
mkdirSync(outDir, { recursive: true });
writeFileSync(
  join(outDir, "latest.json"),
  `${JSON.stringify({ date: new Date().toISOString(), results }, null, 2)}\n`,
);
console.error(`wrote ${join(outDir, "latest.json")}`);
process.exit(0);
