/**
 * Deterministic randomness and train/test partitioning, shared by the sandboxed families (os, db).
 *
 * Tasks are pure functions of (split, seed, index). A task belongs to exactly one split, decided by
 * a hash of its content, so train and test can never coincide whatever seeds a recipe picks.
 */
import { createHash } from "node:crypto";
import { Rng } from "../../util/random.ts";
import type { Split } from "../types.ts";

export { Rng };

/** Mixes numbers into one 32-bit seed, so (seed, index, attempt) streams do not overlap. */
export function mixSeed(...parts: number[]): number {
  let h = 0x811c9dc5;
  for (const part of parts) {
    h = Math.imul(h ^ (part >>> 0), 0x01000193) >>> 0;
    h = Math.imul(h ^ (h >>> 13), 0x5bd1e995) >>> 0;
  }
  return h >>> 0;
}

export function contentHash(value: unknown): string {
  return createHash("sha256").update(JSON.stringify(value)).digest("hex");
}

/** Which split a task's content belongs to: one in five tasks is a test task. */
export function splitOf(content: unknown): Split {
  return Number.parseInt(contentHash(content).slice(0, 8), 16) % 5 === 0 ? "test" : "train";
}

/**
 * Draws `count` distinct tasks of one split. `make` builds a candidate from an Rng, or undefined to
 * skip it; candidates of the other split or seen before are skipped too (the attempt counter keeps
 * the stream deterministic).
 */
export function drawTasks<T>(
  split: Split,
  count: number,
  seed: number,
  make: (rng: Rng) => T | undefined,
): T[] {
  const out: T[] = [];
  const seen = new Set<string>();
  for (let attempt = 0; out.length < count; attempt++) {
    if (attempt > count * 50 + 1000) {
      throw new Error(
        `only ${out.length} distinct ${split} tasks could be drawn, not the ${count} asked for: ` +
          "with these options the family has no more. Ask for fewer, or widen the options.",
      );
    }
    const candidate = make(new Rng(mixSeed(seed, attempt)));
    if (candidate === undefined) continue;
    const key = contentHash(candidate);
    if (seen.has(key) || splitOf(candidate) !== split) continue;
    seen.add(key);
    out.push(candidate);
  }
  return out;
}
