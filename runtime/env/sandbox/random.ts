/**
 * Deterministic randomness and train/test partitioning, shared by the sandboxed families (os, db).
 *
 * Tasks are pure functions of (split, seed, index). A task belongs to exactly one split, decided by
 * a hash of its content, so train and test can never coincide whatever seeds a recipe picks.
 */
import { createHash } from "node:crypto";
import type { Split } from "../types.ts";

/** A small seeded generator (mulberry32): fast, and the same sequence on every machine. */
export class Rng {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** A float in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in [lo, hi], both ends included. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)];
  }

  shuffle<T>(items: readonly T[]): T[] {
    const out = [...items];
    for (let i = out.length - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
      [out[i], out[j]] = [out[j], out[i]];
    }
    return out;
  }

  /** `count` distinct items, in random order. */
  sample<T>(items: readonly T[], count: number): T[] {
    return this.shuffle(items).slice(0, count);
  }
}

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
