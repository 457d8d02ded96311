/**
 * General-ability items: an instruction, a short reference answer and a checker that scores any
 * reply in [0, 1]. Checkers are plain data (not closures) so items can be written to JSONL,
 * cached, and scored later by `score()` in checkers.ts.
 */

export type Category = "arithmetic" | "strings" | "lists" | "facts" | "format" | "dialogue";

export const categories: readonly Category[] = [
  "arithmetic",
  "strings",
  "lists",
  "facts",
  "format",
  "dialogue",
];

export type Letter = "A" | "B" | "C" | "D";
export const letters: readonly Letter[] = ["A", "B", "C", "D"];

export type Check =
  /** The last number in the reply equals `value` (GSM8K style). */
  | { kind: "number"; value: number }
  /** The whole reply equals `value` after trimming quotes, final punctuation and (unless caseSensitive) case. */
  | { kind: "text"; value: string; caseSensitive?: boolean }
  /** The reply mentions `value` as a whole word or phrase (case and punctuation ignored). */
  | { kind: "contains"; value: string }
  /** The numbers in the reply are exactly `values`, in order. */
  | { kind: "list"; values: number[] }
  /** The reply holds a JSON object with exactly these keys; 0.5 when the keys match but a value differs. */
  | { kind: "json"; fields: Record<string, string | number> }
  /** The reply has exactly `count` words. */
  | { kind: "words"; count: number }
  /** The reply is exactly `count` distinct bullet lines ("- x" or "* x"), each one of `allowed` when given. */
  | { kind: "bullets"; count: number; allowed?: string[] }
  /** A multiple-choice answer: the reply picks this letter. */
  | { kind: "choice"; letter: Letter }
  /** A short reply (at most maxChars) that uses one of these phrases, e.g. a greeting. */
  | { kind: "phrase"; anyOf: string[]; maxChars: number }
  /** A polite refusal: the reply says it cannot do the request. */
  | { kind: "refusal" };

export interface GeneralItem {
  id: string;
  /** The category ("arithmetic", …) or the source set for loaded files ("gsm8k"). */
  category: string;
  /** The sub-task, e.g. "reverse" or "capital". */
  task: string;
  split: string;
  instruction: string;
  reference: string;
  check: Check;
}

/** An MMLU-style question: four options and the letter of the right one. */
export interface ChoiceItem {
  id: string;
  subject: string;
  split: string;
  question: string;
  choices: [string, string, string, string];
  answer: Letter;
}
