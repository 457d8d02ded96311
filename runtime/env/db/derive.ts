/**
 * Task Derivation for db (as AgentTuning did): a new question plus reference SQL over a seed task's
 * database. A candidate is kept only if its SQL passes the guard, runs in the SQL worker within the
 * statement timeout, only reads, and gives a non-empty answer; that answer becomes the task's
 * expected result.
 */
import { Rng, splitOf } from "../sandbox/random.ts";
import type { EnvTask, TaskContent, TaskDerivation, Verdict } from "../types.ts";
import { refuseSql } from "./guard.ts";
import { HostedDatabase, sharedSqlHost } from "./host.ts";
import { referenceBytes } from "./reference.ts";
import type { Cell, DbTaskData, TableData } from "./tasks.ts";

/** A derived task's data: the seed's tables, the new question's SQL, and (once verified) its answer. */
export interface DerivedDbData extends DbTaskData {
  limits?: { statementTimeoutMs: number };
  /** The reference SQL's rows, filled in by verification. */
  expected?: Cell[][];
}

/** Answers with more rows than this are not sensible questions (and would not fit an observation). */
const MAX_ANSWER_ROWS = 200;
const MAX_ANSWER_CHARS = 20_000;
const DEFAULT_TIMEOUT_MS = 2000;

let verifications = 0;

interface Column {
  name: string;
  numeric: boolean;
}

const sqlString = (text: string) => `'${text.replace(/'/g, "''")}'`;
const quoteName = (name: string) => `"${name.replace(/"/g, '""')}"`;

/** Column names from a CREATE TABLE statement; a column is numeric when every value in it is a number. */
function columnsOf(table: TableData): Column[] {
  const body = table.schema.slice(table.schema.indexOf("(") + 1, table.schema.lastIndexOf(")"));
  const parts: string[] = [];
  let depth = 0;
  let current = "";
  for (const char of body) {
    if (char === "(") depth++;
    if (char === ")") depth--;
    if (char === "," && depth === 0) {
      parts.push(current);
      current = "";
    } else current += char;
  }
  parts.push(current);
  const names = parts
    .map((part) => part.trim().split(/\s+/)[0] ?? "")
    .filter((name) => name !== "" && !/^(PRIMARY|FOREIGN|UNIQUE|CHECK|CONSTRAINT)$/i.test(name));
  return names.map((name, index) => ({
    name: name.replace(/^["`[]|["`\]]$/g, ""),
    numeric: table.rows.length > 0 && table.rows.every((row) => typeof row[index] === "number"),
  }));
}

/** Identifier columns make poor questions ("the total of id"). */
const isKey = (name: string) => name === "id" || name.endsWith("_id");

type Maker = (table: TableData, columns: Column[], rng: Rng) => { question: string; sql: string } | undefined;

function valuesOf(table: TableData, columns: Column[], column: Column): Cell[] {
  const index = columns.indexOf(column);
  return table.rows.map((row) => row[index]).filter((value) => value !== null);
}

/** A threshold near the column's values; now and then above them all, so some questions have no answer. */
function threshold(table: TableData, columns: Column[], column: Column, rng: Rng): number {
  const values = valuesOf(table, columns, column) as number[];
  return rng.chance(0.2) ? Math.max(...values) + rng.int(1, 50) : rng.pick(values);
}

/** A value of a text column; now and then one that is not in it. */
function textValue(table: TableData, columns: Column[], column: Column, rng: Rng): string {
  const values = valuesOf(table, columns, column).map(String);
  return rng.chance(0.2) ? `${rng.pick(values)} Jr` : rng.pick(values);
}

const makers: Maker[] = [
  (table, columns, rng) => {
    const n = pickColumn(columns, true, rng);
    if (!n) return undefined;
    const v = threshold(table, columns, n, rng);
    return {
      question: `How many rows of the ${table.name} table have ${n.name} greater than ${v}?`,
      sql: `SELECT COUNT(*) FROM ${quoteName(table.name)} WHERE ${quoteName(n.name)} > ${v}`,
    };
  },
  (table, columns, rng) => {
    const n = pickColumn(columns, true, rng);
    const s = pickColumn(columns, false, rng);
    if (!n || !s) return undefined;
    const v = threshold(table, columns, n, rng);
    return {
      question: `List the ${s.name} of every row of the ${table.name} table whose ${n.name} is greater than ${v}.`,
      sql: `SELECT ${quoteName(s.name)} FROM ${quoteName(table.name)} WHERE ${quoteName(n.name)} > ${v}`,
    };
  },
  (table, columns, rng) => {
    const n = pickColumn(columns, true, rng);
    const s = pickColumn(columns, false, rng);
    if (!n || !s) return undefined;
    const [word, fn] = rng.pick([
      ["highest", "MAX"],
      ["lowest", "MIN"],
    ] as const);
    const t = quoteName(table.name);
    return {
      question: `In the ${table.name} table, which ${s.name} has the ${word} ${n.name}? (List every one if several tie.)`,
      sql: `SELECT ${quoteName(s.name)} FROM ${t} WHERE ${quoteName(n.name)} = (SELECT ${fn}(${quoteName(n.name)}) FROM ${t})`,
    };
  },
  (table, columns, rng) => {
    const n = pickColumn(columns, true, rng);
    const s = pickColumn(columns, false, rng);
    if (!n || !s) return undefined;
    const x = textValue(table, columns, s, rng);
    const [what, expression] = rng.pick([
      ["total", `SUM(${quoteName(n.name)})`],
      ["average, rounded to 2 decimals,", `ROUND(AVG(${quoteName(n.name)}), 2)`],
    ]);
    return {
      question: `What is the ${what} ${n.name} of the rows of the ${table.name} table whose ${s.name} is '${x}'?`,
      sql: `SELECT ${expression} FROM ${quoteName(table.name)} WHERE ${quoteName(s.name)} = ${sqlString(x)}`,
    };
  },
  (table, columns, rng) => {
    const s = pickColumn(columns, false, rng);
    if (!s) return undefined;
    return {
      question: `How many different values of ${s.name} appear in the ${table.name} table?`,
      sql: `SELECT COUNT(DISTINCT ${quoteName(s.name)}) FROM ${quoteName(table.name)}`,
    };
  },
];

function pickColumn(columns: Column[], numeric: boolean, rng: Rng): Column | undefined {
  const fitting = columns.filter((c) => c.numeric === numeric && !isKey(c.name));
  return fitting.length > 0 ? rng.pick(fitting) : undefined;
}

/** The derived task's data: the seed's database and limits, a new question's SQL. */
function derivedData(seed: EnvTask, sql: string): DerivedDbData {
  const data = seed.data as DerivedDbData;
  return {
    domain: data.domain,
    template: "derived",
    tables: data.tables,
    kind: "select",
    referenceSql: sql.trim().replace(/;+\s*$/, ""),
    ordered: /\border\s+by\b/i.test(sql),
    ...(data.limits ? { limits: data.limits } : {}),
  };
}

function propose(seeds: EnvTask[], seed: number): TaskContent | undefined {
  const rng = new Rng(seed);
  const base = rng.pick(seeds);
  const tables = (base.data as DbTaskData).tables.filter((t) => t.rows.length > 0);
  if (tables.length === 0) return undefined;
  // The first question kind that fits one of the tables (some need a numeric and a text column).
  for (const table of rng.shuffle(tables)) {
    for (const make of rng.shuffle(makers)) {
      const made = make(table, columnsOf(table), rng);
      if (made) return { instruction: made.question, data: derivedData(base, made.sql) };
    }
  }
  return undefined;
}

function describe(seed: EnvTask): string {
  const data = seed.data as DbTaskData;
  const samples = data.tables
    .map(
      (t) =>
        `${t.name}: ${t.rows
          .slice(0, 4)
          .map((row) => JSON.stringify(row))
          .join(" ")}`,
    )
    .join("\n");
  return [
    "A db task is a question about a SQLite database, answered by one SELECT statement (the reference SQL).",
    "The question must be answerable from the data alone, say exactly what to return, and its SQL must give a non-empty result.",
    "",
    "The database for the new task:",
    data.tables.map((t) => `${t.schema};`).join("\n"),
    "Some of its rows:",
    samples,
    "",
    'Reply with one JSON object: {"question": "<the question, in plain words>", "sql": "<one SELECT statement over these tables>"}',
  ].join("\n");
}

function toJson(task: EnvTask): Record<string, unknown> | undefined {
  const data = task.data as DbTaskData;
  return data.kind === "select" ? { question: task.instruction, sql: data.referenceSql } : undefined;
}

function fromJson(value: unknown, seed: EnvTask): TaskContent {
  const object = value as { question?: unknown; sql?: unknown };
  if (value === null || typeof value !== "object" || Array.isArray(value))
    throw new Error('expected a JSON object {"question": …, "sql": …}');
  if (typeof object.question !== "string" || object.question.trim() === "")
    throw new Error('"question" must be a non-empty string');
  if (typeof object.sql !== "string" || object.sql.trim() === "")
    throw new Error('"sql" must be a non-empty string holding one SELECT statement');
  if (object.question.length > 1000 || object.sql.length > 4000)
    throw new Error('"question" or "sql" is too long (limits: 1000 and 4000 characters)');
  return { instruction: object.question.trim(), data: derivedData(seed, object.sql) };
}

const reject = (reason: string, detail: string): Verdict => ({ ok: false, reason, detail });

/** Runs the reference SQL in the SQL worker on a fresh copy of the database; keeps the task if it answers. */
async function verify(task: EnvTask): Promise<Verdict> {
  const data = task.data as DerivedDbData;
  if (data.kind !== "select")
    return reject("not_a_question", "derived db tasks are questions: kind must be select");
  const refusal = refuseSql(data.referenceSql);
  if (refusal) return reject("sql_error", refusal.replace(/^Error:\s*/, ""));
  const timeoutMs = data.limits?.statementTimeoutMs ?? DEFAULT_TIMEOUT_MS;
  const db = new HostedDatabase(
    sharedSqlHost(),
    `derive-${++verifications}`,
    new Uint8Array(referenceBytes(data)),
    timeoutMs,
  );
  try {
    const reply = await db.exec(data.referenceSql, MAX_ANSWER_ROWS);
    if (reply.kind === "timeout") return reject("sql_error", `the SQL ran longer than ${timeoutMs} ms`);
    if (reply.kind === "error") return reject("sql_error", reply.message);
    if (reply.kind === "changes" || reply.snapshot)
      return reject("not_a_question", "the SQL changes the database; a question's SQL may only read");
    if (reply.more) return reject("answer_too_large", `the SQL returns more than ${MAX_ANSWER_ROWS} rows`);
    if (reply.rows.every((row) => row.every((cell) => cell === null)))
      return reject("empty_answer", "the SQL runs but returns no rows (or only NULL)");
    const answer = JSON.stringify(reply.rows);
    if (answer.length > MAX_ANSWER_CHARS)
      return reject("answer_too_large", `the answer is longer than ${MAX_ANSWER_CHARS} characters`);
    // Episodes are judged by running the SQL again: an answer that changes (random(), time) cannot be checked.
    const again = await db.exec(data.referenceSql, MAX_ANSWER_ROWS);
    if (again.kind !== "rows" || JSON.stringify(again.rows) !== answer)
      return reject("nondeterministic", "the SQL gives a different answer when run again");
    return { ok: true, task: { ...task, data: { ...data, expected: reply.rows } } };
  } finally {
    await db.close();
  }
}

/** The content as dbTasks() hashes it: the partition that decides train and test. */
function inTestSplit(content: TaskContent): boolean {
  const { limits: _limits, expected: _expected, ...data } = content.data as DerivedDbData;
  return splitOf({ instruction: content.instruction, data }) === "test";
}

export const dbDerivation: TaskDerivation = {
  propose,
  writing: { describe, toJson, fromJson },
  verify,
  inTestSplit,
};
