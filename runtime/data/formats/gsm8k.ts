import { basename } from "node:path";
import { contentId } from "../general/split.ts";
import type { GeneralItem } from "../general/types.ts";
import { RecordError } from "../record.ts";
import { isObject, type RecordFormat, type RowContext } from "./format.ts";

/**
 * GSM8K rows: {"question": "…", "answer": "<worked solution>\n#### 72"}. An item's reference is
 * the solution with the calculator notes (<<48/2=24>>) removed and "#### N" turned into a
 * sentence; its checker compares the last number of a reply with N.
 */
export function gsm8kItem(row: unknown, where: RowContext): GeneralItem {
  const fail = (problem: string): never => {
    throw new RecordError(where.file, where.position, problem);
  };
  if (!isObject(row)) return fail('expected {"question": "…", "answer": "… #### N"}');
  if (typeof row.question !== "string" || row.question.trim() === "") fail('missing "question" (a string)');
  if (typeof row.answer !== "string") fail('missing "answer" (a string ending in "#### N")');
  const answer = row.answer as string;
  const marker = answer.lastIndexOf("####");
  if (marker < 0) fail('"answer" has no "#### N" final-answer line');
  const finalText = answer.slice(marker + 4).trim();
  const value = Number(finalText.replaceAll(",", ""));
  if (finalText === "" || !Number.isFinite(value))
    fail(`the final answer "#### ${finalText}" is not a number`);
  const working = answer
    .slice(0, marker)
    .replace(/<<[^>]*>>/g, "")
    .trim();
  const question = row.question as string;
  return {
    id: typeof row.id === "string" ? row.id : contentId("gsm8k", question),
    category: "gsm8k",
    task: "word-problem",
    split: splitFromName(where.file),
    instruction: question,
    reference: `${working}${working === "" ? "" : "\n"}The answer is ${finalText}.`,
    check: { kind: "number", value },
  };
}

/** "train.jsonl" → train, "test-00000-of-00001.parquet" → test; anything else counts as test. */
function splitFromName(file: string): string {
  return /(^|[^a-z])train([^a-z]|$)/i.test(basename(file)) ? "train" : "test";
}

export const gsm8k: RecordFormat = {
  name: "gsm8k",
  summary: "GSM8K: question, answer ending in '#### N' (read only)",
  matches: (row) =>
    isObject(row) &&
    typeof row.question === "string" &&
    typeof row.answer === "string" &&
    row.answer.includes("####"),
  read: (row, where) => {
    const item = gsm8kItem(row, where);
    return {
      id: item.id,
      conversations: [
        { from: "human", value: item.instruction, loss: null },
        { from: "gpt", value: item.reference, loss: null },
      ],
      meta: { family: "gsm8k", split: item.split },
    };
  },
};
