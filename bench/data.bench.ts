// Data pipeline throughput: generating the built-in general set, and reading records from JSONL
// and Parquet (baseline for JSONL: a bare split + JSON.parse loop with no validation).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readRecords } from "../runtime/data/formats/index.ts";
import { generalRecord, generateGeneral } from "../runtime/data/general/index.ts";
import { writeAgentInstructParquet } from "../tests/data/helpers.ts";
import { type BenchRow, timeIt } from "./bench.ts";

export async function run(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const count = 5000;
  const generateMs = await timeIt(() => generateGeneral({ split: "train", count, seed: 1 }), 1000, 2);
  rows.push({ name: `generate ${count} general items`, value: count / (generateMs / 1000), unit: "items/s" });

  const dir = mkdtempSync(join(tmpdir(), "atune-bench-data-"));
  try {
    const records = generateGeneral({ split: "train", count: 20_000, seed: 2 }).map(generalRecord);
    const jsonl = join(dir, "general.jsonl");
    writeFileSync(jsonl, records.map((r) => `${JSON.stringify(r)}\n`).join(""));
    const readMs = await timeIt(() => readRecords(jsonl), 1000, 2);
    const bareMs = await timeIt(() => {
      for (const line of readFileSync(jsonl, "utf8").split("\n")) if (line) JSON.parse(line);
    });
    rows.push({
      name: "read 20k records from JSONL (validated)",
      value: records.length / (readMs / 1000),
      unit: "records/s",
      baseline: { name: "split + JSON.parse only", value: records.length / (bareMs / 1000) },
    });

    const parquet = join(dir, "general.parquet");
    // The Hugging Face AgentInstruct layout: conversations as a list of {from, loss, value} structs.
    writeAgentInstructParquet(parquet, records);
    const parquetMs = await timeIt(() => readRecords(parquet), 1000, 2);
    rows.push({
      name: "read 20k records from Parquet (hyparquet, snappy)",
      value: records.length / (parquetMs / 1000),
      unit: "records/s",
      note: "AgentInstruct shard layout (list of structs)",
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return rows;
}
