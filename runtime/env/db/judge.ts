/** Judges a db answer against the reference SQL's result. */
import type { Cell } from "./tasks.ts";

function normaliseValue(text: string): string {
  let out = text
    .trim()
    .replace(/^['"`]+|['"`]+$/g, "")
    .trim();
  if (/^(null|none)$/i.test(out)) return "null";
  const n = Number(out.replace(/,/g, ""));
  if (out !== "" && Number.isFinite(n)) out = String(Number(n.toPrecision(9)));
  return out.toLowerCase();
}

const normaliseCell = (cell: Cell) => (cell === null ? "null" : normaliseValue(String(cell)));

/**
 * The values an answer lists: a JSON array (`["a", "b"]`, `[]`), or text separated by commas or
 * newlines. A single value is a list of one.
 */
export function parseAnswerValues(answer: string): string[] {
  const text = answer.trim();
  if (text.startsWith("[")) {
    try {
      const parsed = JSON.parse(text);
      if (Array.isArray(parsed))
        return parsed.flat(2).map((v) => normaliseValue(v === null ? "null" : String(v)));
    } catch {
      // not JSON: fall through to the plain-text reading
    }
  }
  return text
    .replace(/^\[|\]$/g, "")
    .split(/[,\n]/)
    .map(normaliseValue)
    .filter((v) => v !== "");
}

/** Compares an answer with the reference rows (all cells, row by row); order counts only when `ordered`. */
export function answerMatchesRows(answer: string, rows: Cell[][], ordered: boolean): boolean {
  const given = parseAnswerValues(answer);
  const expected = rows.flat().map(normaliseCell);
  if (given.length !== expected.length) return false;
  if (ordered) return given.every((v, i) => v === expected[i]);
  const sortedGiven = [...given].sort();
  return [...expected].sort().every((v, i) => v === sortedGiven[i]);
}
