import { type Check, type ChoiceItem, type Letter, letters } from "./types.ts";

/** Scores a reply against a checker: 1 is right, 0 is wrong, fractions are partial credit. */
export function score(check: Check, reply: string): number {
  switch (check.kind) {
    case "number":
      return scoreNumber(check.value, reply);
    case "text":
      return normaliseAnswer(reply, check.caseSensitive) === normaliseAnswer(check.value, check.caseSensitive)
        ? 1
        : 0;
    case "contains":
      return ` ${plainWords(reply)} `.includes(` ${plainWords(check.value)} `) ? 1 : 0;
    case "list":
      return sameNumbers(numbersIn(reply), check.values) ? 1 : 0;
    case "json":
      return scoreJson(check.fields, reply);
    case "words":
      return wordsIn(reply).length === check.count ? 1 : 0;
    case "bullets":
      return scoreBullets(check.count, check.allowed, reply);
    case "choice":
      return chosenLetter(reply) === check.letter ? 1 : 0;
    case "phrase":
      if (reply.trim().length > check.maxChars) return 0;
      return check.anyOf.some((phrase) => ` ${plainWords(reply)} `.includes(` ${plainWords(phrase)} `))
        ? 1
        : 0;
    case "refusal":
      return refusalPattern.test(reply) ? 1 : 0;
  }
}

/** Every number in the text, in order; thousands separators ("1,234") are read as one number. */
export function numbersIn(text: string): number[] {
  const matches = text.match(/-?\d{1,3}(?:,\d{3})+(?:\.\d+)?|-?\d+(?:\.\d+)?/g) ?? [];
  return matches.map((m) => Number(m.replaceAll(",", "")));
}

function scoreNumber(expected: number, reply: string): number {
  const found = numbersIn(reply);
  if (found.length === 0) return 0;
  const last = found[found.length - 1];
  return Math.abs(last - expected) <= 1e-9 * Math.max(1, Math.abs(expected)) ? 1 : 0;
}

function sameNumbers(found: number[], expected: number[]): boolean {
  return found.length === expected.length && found.every((value, i) => value === expected[i]);
}

/** Trims whitespace, wrapping quotes or backticks and final punctuation; folds case unless told not to. */
export function normaliseAnswer(text: string, caseSensitive = false): string {
  let out = text.trim().replace(/\s+/g, " ");
  out = out.replace(/[.!?]+$/, "").trim();
  out = out.replace(/^(["'`])(.*)\1$/, "$2").trim();
  return caseSensitive ? out : out.toLowerCase();
}

/** Lower-case words separated by single spaces; punctuation dropped. */
function plainWords(text: string): string {
  return text
    .toLowerCase()
    .replace(/[’']/g, "")
    .replace(/[^\p{L}\p{N}]+/gu, " ")
    .trim();
}

function wordsIn(text: string): string[] {
  return text.match(/[\p{L}\p{N}][\p{L}\p{N}'’-]*/gu) ?? [];
}

/** The first {...} block in the reply that parses as a JSON object, if any. */
export function jsonObjectIn(reply: string): Record<string, unknown> | undefined {
  const start = reply.indexOf("{");
  const end = reply.lastIndexOf("}");
  if (start < 0 || end < start) return undefined;
  try {
    const value = JSON.parse(reply.slice(start, end + 1));
    return typeof value === "object" && value !== null && !Array.isArray(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

function scoreJson(fields: Record<string, string | number>, reply: string): number {
  const object = jsonObjectIn(reply);
  if (!object) return 0;
  const expectedKeys = Object.keys(fields).sort();
  const keys = Object.keys(object).sort();
  if (keys.join("\u0000") !== expectedKeys.join("\u0000")) return 0;
  const valuesMatch = expectedKeys.every((key) =>
    typeof fields[key] === "number"
      ? object[key] === fields[key]
      : typeof object[key] === "string" &&
        normaliseAnswer(object[key] as string) === normaliseAnswer(fields[key] as string),
  );
  return valuesMatch ? 1 : 0.5;
}

function scoreBullets(count: number, allowed: string[] | undefined, reply: string): number {
  const lines = reply
    .trim()
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line !== "");
  if (lines.length !== count || !lines.every((line) => /^[-*•] \S/.test(line))) return 0;
  const items = lines.map((line) => normaliseAnswer(line.slice(2)));
  if (new Set(items).size !== items.length) return 0;
  if (allowed && !items.every((item) => allowed.some((a) => normaliseAnswer(a) === item))) return 0;
  return 1;
}

/** The letter a reply picks: "B", "(B)", "B. Paris", "The answer is B". Undefined when it picks none. */
export function chosenLetter(reply: string): Letter | undefined {
  const text = reply.trim();
  const leading = /^\(?([ABCD])(?:[).:,]|\s|$)/.exec(text);
  if (leading) return leading[1] as Letter;
  const stated = /answer(?: is)?\s*[:-]?\s*\(?([ABCD])\b/i.exec(text);
  return stated ? (stated[1].toUpperCase() as Letter) : undefined;
}

const refusalPattern =
  /\b(sorry|cannot|can't|can ?not|unable|not able|not possible|impossible|no one can|nobody can|i'm afraid)\b|can’t/i;

/** The prompt for a multiple-choice item: the question, the four options, and how to answer. */
export function choicePrompt(item: Pick<ChoiceItem, "question" | "choices">): string {
  const options = item.choices.map((choice, i) => `${letters[i]}. ${choice}`);
  return [item.question, ...options, "Answer with the letter only."].join("\n");
}
