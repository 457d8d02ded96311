/**
 * Reference databases: built once per task from its tables and serialized; every episode and every
 * judgement opens its own copy from the bytes, so the reference itself is never modified.
 * Only trusted SQL (the task's schema and reference SQL) runs here, in-process.
 */
import Database from "better-sqlite3";
import { contentHash } from "../sandbox/random.ts";
import type { Cell, DbTaskData, TableData } from "./tasks.ts";

const cache = new Map<string, Buffer>();
const CACHE_LIMIT = 128;

function build(tables: TableData[]): Buffer {
  const db = new Database(":memory:");
  try {
    for (const table of tables) {
      db.exec(table.schema);
      if (table.rows.length === 0) continue;
      const placeholders = table.rows[0].map(() => "?").join(", ");
      const insert = db.prepare(`INSERT INTO ${table.name} VALUES (${placeholders})`);
      db.transaction(() => {
        for (const row of table.rows) insert.run(...row);
      })();
    }
    return db.serialize();
  } finally {
    db.close();
  }
}

/** The task's reference database as bytes. Callers must treat the buffer as read-only. */
export function referenceBytes(data: DbTaskData): Buffer {
  const key = contentHash(data.tables);
  let bytes = cache.get(key);
  if (!bytes) {
    bytes = build(data.tables);
    if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value as string);
    cache.set(key, bytes);
  }
  return bytes;
}

/** Rows of the reference SQL run on a fresh copy (select tasks): what a correct answer holds. */
export function referenceResult(data: DbTaskData): Cell[][] {
  const db = new Database(referenceBytes(data));
  try {
    return db.prepare(data.referenceSql).raw(true).all() as Cell[][];
  } finally {
    db.close();
  }
}

/** Every user table's rows, sorted, so two databases can be compared regardless of row order. */
export function tableContents(db: Database.Database): Record<string, string[]> {
  const names = db
    .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
    .pluck()
    .all() as string[];
  const out: Record<string, string[]> = {};
  for (const name of names) {
    const rows = db
      .prepare(`SELECT * FROM "${name.replace(/"/g, '""')}"`)
      .raw(true)
      .all() as Cell[][];
    out[name] = rows.map((row) => JSON.stringify(row.map(normaliseCell))).sort();
  }
  return out;
}

/** Numbers are compared to 9 significant digits, so 1.1 * x and x * 11 / 10 agree. */
function normaliseCell(cell: unknown): unknown {
  if (typeof cell === "number") return Number(cell.toPrecision(9));
  if (typeof cell === "bigint") return Number(cell);
  if (cell instanceof Uint8Array) return `blob:${Buffer.from(cell).toString("hex")}`;
  return cell;
}

/** The tables as they should be after a modification task: the reference SQL applied to a copy. */
export function expectedContents(data: DbTaskData): Record<string, string[]> {
  const db = new Database(referenceBytes(data));
  try {
    db.prepare(data.referenceSql).run();
    return tableContents(db);
  } finally {
    db.close();
  }
}

/** The first difference between two table dumps, in words, or undefined when they match. */
export function firstDifference(
  actual: Record<string, string[]>,
  expected: Record<string, string[]>,
): string | undefined {
  for (const name of Object.keys(expected)) {
    const got = actual[name];
    if (!got) return `table ${name} is missing`;
    const want = expected[name];
    if (got.length !== want.length) return `table ${name} has ${got.length} rows, expected ${want.length}`;
    const index = want.findIndex((row, i) => row !== got[i]);
    if (index >= 0) return `table ${name} does not hold the expected rows`;
  }
  const extra = Object.keys(actual).find((name) => !(name in expected));
  return extra ? `table ${extra} should not exist` : undefined;
}
