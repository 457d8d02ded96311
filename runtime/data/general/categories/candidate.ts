import type { Rng } from "../../../util/random.ts";
import type { Category, Check } from "../types.ts";

/** One generated item before it is given an id and a split. */
export interface Candidate {
  category: Category;
  task: string;
  instruction: string;
  reference: string;
  check: Check;
}

export type CandidateMaker = (rng: Rng) => Candidate;
