import { Rng } from "../../util/random.ts";
import type { ConversationRecord } from "../record.ts";
import { arithmetic } from "./categories/arithmetic.ts";
import type { CandidateMaker } from "./categories/candidate.ts";
import { dialogue } from "./categories/dialogue.ts";
import { facts } from "./categories/facts.ts";
import { format } from "./categories/format.ts";
import { lists } from "./categories/lists.ts";
import { strings } from "./categories/strings.ts";
import { contentId, GeneralSetTooSmallError, type GeneralSplit, splitOf } from "./split.ts";
import type { Category, GeneralItem } from "./types.ts";

/**
 * Bumped whenever what generateGeneral or generateChoices produces for the same options changes, so
 * plans that use the built-in sets get new cache keys instead of reusing stale data.
 */
export const GENERAL_DATA_VERSION = 1;

/** How often each category is drawn. Dialogue has the smallest pool, so it gets the smallest share. */
const mix: ReadonlyArray<readonly [Category, number, CandidateMaker]> = [
  ["arithmetic", 0.25, arithmetic],
  ["strings", 0.2, strings],
  ["lists", 0.2, lists],
  ["facts", 0.15, facts],
  ["format", 0.12, format],
  ["dialogue", 0.08, dialogue],
];

export interface GeneralOptions {
  split: GeneralSplit;
  count: number;
  seed: number | string;
  /** Only these categories (default: all). */
  categories?: readonly Category[];
}

/** Draws that may fail in a row (duplicate or other split) before a category counts as used up. */
const patience = 400;

/**
 * Generates `count` distinct items of one split. The same options always give the same items,
 * and no instruction in the train split ever appears in the test split (see splitOf).
 */
export function generateGeneral(options: GeneralOptions): GeneralItem[] {
  const rng = new Rng(`general:${options.split}:${options.seed}`);
  let active = mix.filter(([category]) => !options.categories || options.categories.includes(category));
  const seen = new Set<string>();
  const items: GeneralItem[] = [];
  while (items.length < options.count) {
    if (active.length === 0) {
      throw new GeneralSetTooSmallError(
        `the built-in general set has only ${items.length} distinct ${options.split} items` +
          `${options.categories ? ` in ${options.categories.join(", ")}` : ""}; ask for at most that many`,
      );
    }
    const entry = pickWeighted(rng, active);
    const [category, , make] = entry;
    let added = false;
    for (let attempt = 0; attempt < patience && !added; attempt++) {
      const candidate = make(rng);
      if (seen.has(candidate.instruction) || splitOf(candidate.instruction) !== options.split) continue;
      seen.add(candidate.instruction);
      items.push({ id: contentId("general", candidate.instruction), split: options.split, ...candidate });
      added = true;
    }
    if (!added) active = active.filter(([c]) => c !== category);
  }
  return items;
}

function pickWeighted<T extends readonly [unknown, number, ...unknown[]]>(
  rng: Rng,
  entries: readonly T[],
): T {
  const total = entries.reduce((sum, entry) => sum + entry[1], 0);
  let r = rng.next() * total;
  for (const entry of entries) {
    r -= entry[1];
    if (r < 0) return entry;
  }
  return entries[entries.length - 1];
}

/** A general item as a training record: the instruction from the human, the reference from gpt. */
export function generalRecord(item: GeneralItem): ConversationRecord {
  return {
    id: item.id,
    conversations: [
      { from: "human", value: item.instruction, loss: null },
      { from: "gpt", value: item.reference, loss: null },
    ],
    meta: { family: "general", split: item.split, category: item.category, task: item.task },
  };
}
