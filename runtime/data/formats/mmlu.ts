import { basename } from "node:path";
import { choiceRecord } from "../general/choice.ts";
import { contentId } from "../general/split.ts";
import { type ChoiceItem, type Letter, letters } from "../general/types.ts";
import { RecordError } from "../record.ts";
import { isObject, type RecordFormat, type RowContext } from "./format.ts";

/**
 * MMLU questions, from either source layout:
 *  - the original CSV files ("<subject>_test.csv"): question, A, B, C, D, answer letter; no header;
 *  - Hugging Face rows (JSONL or Parquet): {question, subject?, choices: [4 strings], answer: 0–3 or "A"–"D"}.
 */
export function mmluItem(row: unknown, where: RowContext): ChoiceItem {
  const fail = (problem: string): never => {
    throw new RecordError(where.file, where.position, problem);
  };
  const fromName = subjectAndSplit(where.file);
  let question: unknown;
  let choices: unknown;
  let answer: unknown;
  let subject: unknown = fromName.subject;
  let id: unknown;
  if (Array.isArray(row)) {
    if (row.length !== 6) fail(`expected 6 columns (question, A, B, C, D, answer), found ${row.length}`);
    question = row[0];
    choices = row.slice(1, 5);
    answer = row[5];
  } else if (isObject(row)) {
    ({ question, choices, answer, id } = row);
    if (typeof row.subject === "string" && row.subject !== "") subject = row.subject;
  } else {
    return fail('expected a CSV row or {"question", "choices", "answer"}');
  }
  if (typeof question !== "string" || question.trim() === "") fail("the question is empty");
  if (!Array.isArray(choices) || choices.length !== 4) fail("expected exactly 4 choices");
  const options = (choices as unknown[]).map((c) => (typeof c === "number" ? String(c) : c));
  if (!options.every((c) => typeof c === "string")) fail("every choice must be text");
  const letter = answerLetter(answer);
  if (!letter) fail(`the answer is ${JSON.stringify(answer)}; expected A, B, C or D (or 0–3)`);
  return {
    id: typeof id === "string" ? id : contentId("mmlu", `${question}\u0000${options.join("\u0000")}`),
    subject: subject as string,
    split: fromName.split,
    question: question as string,
    choices: options as ChoiceItem["choices"],
    answer: letter as Letter,
  };
}

function answerLetter(answer: unknown): Letter | undefined {
  if (typeof answer === "number" && Number.isInteger(answer) && answer >= 0 && answer < 4)
    return letters[answer];
  if (typeof answer === "string") {
    const trimmed = answer.trim().toUpperCase();
    if ((letters as readonly string[]).includes(trimmed)) return trimmed as Letter;
  }
  return undefined;
}

/** "college_physics_test.csv" → college_physics / test. */
function subjectAndSplit(file: string): { subject: string; split: string } {
  const stem = basename(file).replace(/\.[^.]*$/, "");
  const match = /^(.*)_(test|val|dev|train|auxiliary_train)$/.exec(stem);
  return match ? { subject: match[1], split: match[2] } : { subject: "unknown", split: "test" };
}

export const mmlu: RecordFormat = {
  name: "mmlu",
  summary: "MMLU: CSV (question, A, B, C, D, answer) or rows with question, choices, answer (read only)",
  matches: (row) =>
    (Array.isArray(row) && row.length === 6) ||
    (isObject(row) && typeof row.question === "string" && Array.isArray(row.choices) && "answer" in row),
  read: (row, where) => {
    const record = choiceRecord(mmluItem(row, where));
    record.meta = { ...record.meta, family: "mmlu" };
    return record;
  },
};
