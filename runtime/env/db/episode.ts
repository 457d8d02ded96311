/** One db episode: its own copy of the task's database in the SQL worker, judged on answer or commit. */
import type { EnvTask, Episode, ResetResult, StepResult } from "../types.ts";
import { refuseSql } from "./guard.ts";
import { HostedDatabase, StatementTimeout, sharedSqlHost } from "./host.ts";
import type { ExecReply } from "./host-protocol.ts";
import { answerMatchesRows } from "./judge.ts";
import { expectedContents, firstDifference, referenceBytes, referenceResult } from "./reference.ts";
import type { DbTaskData } from "./tasks.ts";

/** Rows shown in one observation; the rest are counted as "more". */
export const SHOWN_ROWS = 50;

export interface DbLimits {
  statementTimeoutMs: number;
}

let episodeCounter = 0;

/** Renders a result as a small table: header, separator, rows, then a count line. */
export function formatRows(reply: Extract<ExecReply, { kind: "rows" }>): string {
  const cell = (v: unknown) => (v === null ? "NULL" : String(v));
  const lines = [
    reply.columns.join(" | "),
    reply.columns.map((c) => "-".repeat(Math.max(3, c.length))).join(" | "),
  ];
  for (const row of reply.rows) lines.push(row.map(cell).join(" | "));
  const count = reply.rows.length;
  lines.push(
    reply.more
      ? `(showing the first ${count} rows; there are more)`
      : `(${count} row${count === 1 ? "" : "s"})`,
  );
  return lines.join("\n");
}

type ParsedAction = { verb: "sql" | "answer"; argument: string } | { verb: "commit" } | { error: string };

export function parseDbAction(action: string): ParsedAction {
  const match = /^\s*(sql|answer|commit)\s*(?::\s*([\s\S]*))?$/i.exec(action);
  if (!match) {
    return {
      error: `Invalid action ${JSON.stringify(action.slice(0, 80))}. Use "sql: <statement>", "answer: <value(s)>" or "commit".`,
    };
  }
  const verb = match[1].toLowerCase();
  const argument = (match[2] ?? "").trim();
  if (verb === "commit") return { verb: "commit" };
  if (argument === "") {
    return {
      error: `Invalid action: "${verb}:" needs text after the colon, e.g. "${verb === "sql" ? "sql: SELECT 1" : "answer: 42"}".`,
    };
  }
  return { verb: verb as "sql" | "answer", argument };
}

export function schemaText(data: DbTaskData): string {
  return data.tables.map((t) => `${t.schema};`).join("\n");
}

export class DbEpisode implements Episode {
  private db: HostedDatabase | undefined;
  private done = false;

  constructor(
    private readonly task: EnvTask,
    private readonly limits: DbLimits,
  ) {}

  private get data(): DbTaskData {
    return this.task.data as DbTaskData;
  }

  async reset(): Promise<ResetResult> {
    await this.close();
    this.done = false;
    // The worker gets its own copy of the bytes; the cached reference buffer is never handed out for writing.
    const bytes = new Uint8Array(referenceBytes(this.data));
    this.db = new HostedDatabase(
      sharedSqlHost(),
      `episode-${++episodeCounter}`,
      bytes,
      this.limits.statementTimeoutMs,
    );
    const finish =
      this.data.kind === "select"
        ? 'When you know the answer, reply "answer: <value>" (several values: "answer: a, b, c" or a JSON list).'
        : 'Make the change with SQL, then reply "commit".';
    return { observation: `The SQLite database has these tables:\n${schemaText(this.data)}\n${finish}` };
  }

  async step(action: string): Promise<StepResult> {
    if (!this.db) throw new Error("db episode: step() called before reset()");
    if (this.done)
      return { observation: "The episode is over.", reward: 0, done: true, info: { valid: false } };
    const parsed = parseDbAction(action);
    if ("error" in parsed)
      return { observation: parsed.error, reward: 0, done: false, info: { valid: false } };
    if (parsed.verb === "sql") return this.runSql(parsed.argument);
    if (parsed.verb === "answer") {
      if (this.data.kind !== "select") {
        return {
          observation: 'This task asks you to change the database: reply "commit" when the change is made.',
          reward: 0,
          done: false,
          info: { valid: false },
        };
      }
      this.done = true;
      const correct = answerMatchesRows(parsed.argument, referenceResult(this.data), this.data.ordered);
      return {
        observation: correct ? "Correct." : "Incorrect.",
        reward: correct ? 1 : 0,
        done: true,
        info: { valid: true, success: correct },
      };
    }
    if (this.data.kind !== "modify") {
      return {
        observation: 'This task asks a question: reply "answer: <value>" instead of "commit".',
        reward: 0,
        done: false,
        info: { valid: false },
      };
    }
    this.done = true;
    let actual: Record<string, string[]>;
    try {
      actual = await this.db.dump();
    } catch (error) {
      const why = error instanceof StatementTimeout ? "it took too long" : (error as Error).message;
      return {
        observation: `The database could not be read back for checking (${why}).`,
        reward: 0,
        done: true,
        info: { valid: true, success: false },
      };
    }
    const difference = firstDifference(actual, expectedContents(this.data));
    return {
      observation: difference
        ? `The database is not as expected: ${difference}.`
        : "The database is as expected.",
      reward: difference ? 0 : 1,
      done: true,
      info: { valid: true, success: !difference },
    };
  }

  private async runSql(sql: string): Promise<StepResult> {
    const refusal = refuseSql(sql);
    if (refusal)
      return { observation: refusal, reward: 0, done: false, info: { valid: true, sqlError: true } };
    const reply = await this.db!.exec(sql, SHOWN_ROWS);
    let observation: string;
    if (reply.kind === "timeout") {
      observation = `Error: the statement ran longer than ${this.limits.statementTimeoutMs} ms and was stopped; the database is as it was before it.`;
    } else if (reply.kind === "error") {
      observation = `Error: ${reply.message}`;
    } else if (reply.kind === "rows") {
      observation = formatRows(reply);
    } else {
      observation = `OK: ${reply.changes} row${reply.changes === 1 ? "" : "s"} changed.`;
    }
    const failed = reply.kind === "timeout" || reply.kind === "error";
    return { observation, reward: 0, done: false, info: { valid: true, sqlError: failed } };
  }

  async close(): Promise<void> {
    await this.db?.close();
    this.db = undefined;
  }
}
