/**
 * Seeded randomness for everything that must come out the same on every machine: task and data
 * generation, data order, weight initialisation, sampling. Not for cryptography.
 */

/** FNV-1a over UTF-16 code units, finished with a murmur-style mix: a well-spread 32-bit hash. */
export function hashString(text: string, salt = 0): number {
  let hash = (0x811c9dc5 ^ salt) >>> 0;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b);
  hash ^= hash >>> 13;
  hash = Math.imul(hash, 0xc2b2ae35);
  hash ^= hash >>> 16;
  return hash >>> 0;
}

/** mulberry32: small and fast, and the same stream everywhere for the same seed. */
export class Rng {
  private state: number;

  constructor(seed: number | string) {
    this.state = typeof seed === "string" ? hashString(seed) : seed >>> 0;
  }

  /** A float in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Like Python's randrange/randint: int(n) is in [0, n); int(lo, hi) is in [lo, hi], both ends included. */
  int(loOrN: number, hi?: number): number {
    return hi === undefined
      ? Math.floor(this.next() * loOrN)
      : loOrN + Math.floor(this.next() * (hi - loOrN + 1));
  }

  /** An integer in [lo, hi], both ends included. */
  range(lo: number, hi: number): number {
    return this.int(lo, hi);
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error("Rng.pick: cannot pick from an empty list");
    return items[this.int(items.length)];
  }

  /** A new array with the items in random order. */
  shuffle<T>(items: readonly T[]): T[] {
    const out = [...items];
    for (let i = out.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      [out[i], out[j]] = [out[j], out[i]];
    }
    return out;
  }

  /** k distinct items (or all of them when k exceeds the list), in random order. */
  sample<T>(items: readonly T[], k: number): T[] {
    return this.shuffle(items).slice(0, k);
  }
}
