/**
 * The db expert: the teacher of Task Derivation. It runs the task's reference SQL in the episode
 * and answers from the table it sees (select), or applies it, checks the effect and commits (modify).
 */
import type { EnvTask, ExpertPolicy, Move } from "../types.ts";
import type { DbTaskData } from "./tasks.ts";

/** The first column of a table observation (see formatRows), or undefined when it is not a table. */
export function firstColumn(observation: string): string[] | undefined {
  const lines = observation.split("\n");
  const footer = lines.findIndex((line) => /^\((\d+ rows?|showing the first)/.test(line));
  if (footer < 2 || !/^-{3,}/.test(lines[1])) return undefined;
  return lines.slice(2, footer).map((line) => line.split(" | ")[0]);
}

function answerFrom(observation: string): Move {
  const values = firstColumn(observation);
  if (!values) return { thought: "The query failed; I cannot answer from it.", action: "answer: unknown" };
  if (values.length === 1)
    return { thought: `The query returned ${values[0]}.`, action: `answer: ${values[0]}` };
  if (values.length === 0)
    return { thought: "The query returned no rows, so the answer is an empty list.", action: "answer: []" };
  return {
    thought: `The query returned ${values.length} values; list them all.`,
    action: `answer: ${JSON.stringify(values)}`,
  };
}

/** A read-back query showing the table a modification touched (the table after UPDATE/DELETE FROM/INSERT INTO). */
function touchedTable(sql: string): string {
  const match = /^(?:UPDATE|DELETE FROM|INSERT INTO)\s+(\w+)/i.exec(sql);
  return match ? match[1] : "sqlite_master";
}

export function dbExpert(task: EnvTask): ExpertPolicy {
  const data = task.data as DbTaskData;
  const steps: Array<(observation: string) => Move> =
    data.kind === "select"
      ? [
          () => ({
            thought: "Write one query that computes exactly what the question asks.",
            action: `sql: ${data.referenceSql}`,
          }),
          answerFrom,
        ]
      : [
          () => ({
            thought: "Apply the requested change with one statement.",
            action: `sql: ${data.referenceSql}`,
          }),
          (observation) => ({
            thought: `${observation.split("\n")[0]} Read the table back to check the change.`,
            action: `sql: SELECT COUNT(*) FROM ${touchedTable(data.referenceSql)}`,
          }),
          () => ({ thought: "The change is in place.", action: "commit" }),
        ];
  let index = 0;
  return {
    next(observation: string): Move {
      const step = steps[Math.min(index, steps.length - 1)];
      index++;
      return step(observation);
    },
  };
}
