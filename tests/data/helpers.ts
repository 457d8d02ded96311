import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parquetWriteBuffer } from "hyparquet-writer";

/** A fresh temporary folder for one test file's data. */
export function scratch(): string {
  return mkdtempSync(join(tmpdir(), "atune-data-"));
}

export function writeJsonl(file: string, rows: unknown[]): string {
  writeFileSync(file, rows.map((r) => `${JSON.stringify(r)}\n`).join(""));
  return file;
}

const text = (name: string) => ({
  name,
  type: "BYTE_ARRAY",
  converted_type: "UTF8",
  repetition_type: "OPTIONAL",
});

/**
 * A Parquet file shaped like the Hugging Face AgentInstruct shards: columns `conversations`
 * (list<struct<from: string, loss: bool, value: string>>) and `id` (string).
 */
export function writeAgentInstructParquet(
  file: string,
  rows: Array<{ id: string; conversations: Array<{ from: string; loss: boolean | null; value: string }> }>,
): string {
  const buffer = parquetWriteBuffer({
    columnData: [
      { name: "conversations", data: rows.map((r) => r.conversations) },
      { name: "id", data: rows.map((r) => r.id) },
    ],
    schema: [
      { name: "schema", num_children: 2 },
      { name: "conversations", repetition_type: "OPTIONAL", converted_type: "LIST", num_children: 1 },
      { name: "list", repetition_type: "REPEATED", num_children: 1 },
      { name: "element", repetition_type: "OPTIONAL", num_children: 3 },
      text("from"),
      { name: "loss", type: "BOOLEAN", repetition_type: "OPTIONAL" },
      text("value"),
      text("id"),
    ],
  } as Parameters<typeof parquetWriteBuffer>[0]);
  writeFileSync(file, Buffer.from(buffer));
  return file;
}

/** A Parquet file of flat string columns (GSM8K's and similar shards). */
export function writeFlatParquet(file: string, columns: Record<string, string[]>): string {
  const buffer = parquetWriteBuffer({
    columnData: Object.entries(columns).map(([name, data]) => ({ name, data, type: "STRING" as const })),
  });
  writeFileSync(file, Buffer.from(buffer));
  return file;
}
