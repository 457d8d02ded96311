import { choicePrompt, score } from "./checkers.ts";
import type { Check, ChoiceItem, GeneralItem } from "./types.ts";

export interface GroupScore {
  mean: number;
  count: number;
}

export interface GeneralScore extends GroupScore {
  /** Mean score per category (instruction items) or subject (multiple choice). */
  groups: Record<string, GroupScore>;
}

/** Anything that answers a prompt: a model, an endpoint, or a test double. */
export type Respond = (prompt: string) => string | Promise<string>;

/** Asks `respond` every item's question and scores the replies with the items' checkers. */
export async function evaluateGeneral(
  items: readonly GeneralItem[],
  respond: Respond,
): Promise<GeneralScore> {
  const scored: Array<[string, number]> = [];
  for (const item of items) scored.push([item.category, score(item.check, await respond(item.instruction))]);
  return summarise(scored);
}

/** The same for multiple-choice items: the prompt lists the options, the checker reads the letter. */
export async function evaluateChoices(items: readonly ChoiceItem[], respond: Respond): Promise<GeneralScore> {
  const scored: Array<[string, number]> = [];
  for (const item of items) {
    const check: Check = { kind: "choice", letter: item.answer };
    scored.push([item.subject, score(check, await respond(choicePrompt(item)))]);
  }
  return summarise(scored);
}

function summarise(scored: ReadonlyArray<readonly [string, number]>): GeneralScore {
  const groups: Record<string, GroupScore> = {};
  let total = 0;
  for (const [group, value] of scored) {
    if (!groups[group]) groups[group] = { mean: 0, count: 0 };
    const entry = groups[group];
    entry.mean += value;
    entry.count += 1;
    total += value;
  }
  for (const entry of Object.values(groups)) entry.mean /= entry.count;
  return { mean: scored.length === 0 ? 0 : total / scored.length, count: scored.length, groups };
}
