import { hashString } from "../../util/random.ts";

export type GeneralSplit = "train" | "test";
export const generalSplits: readonly GeneralSplit[] = ["train", "test"];

/**
 * Which split an instruction belongs to, decided by its text alone: about one in five goes to
 * test. Whatever seeds or counts are asked for, no instruction can appear in both splits.
 */
export function splitOf(instruction: string): GeneralSplit {
  return hashString(instruction, 0x5eed) % 5 === 0 ? "test" : "train";
}

/** A content-derived id: stable across runs and seeds, and unique for distinct instructions. */
export function contentId(prefix: string, text: string): string {
  const hex = (n: number) => n.toString(16).padStart(8, "0");
  return `${prefix}_${hex(hashString(text, 1))}${hex(hashString(text, 2))}`;
}

/** Thrown when a split cannot supply as many distinct items as were asked for. */
export class GeneralSetTooSmallError extends Error {}
