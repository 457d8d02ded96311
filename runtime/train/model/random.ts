import { Rng as SeededStream } from "../../util/random.ts";

/**
 * A small seeded random number generator (SplitMix32 state advance + Mulberry32 output). Used for
 * weight initialisation and sampling so that runs with the same seed are identical everywhere.
 */
export interface Rng {
  /** Uniform in [0, 1). */
  uniform(): number;
  /** Standard normal (Box–Muller). */
  normal(): number;
}

export function createRng(seed: number): Rng {
  const stream = new SeededStream(seed);
  let spareNormal: number | undefined;
  const uniform = (): number => stream.next();
  const normal = (): number => {
    if (spareNormal !== undefined) {
      const value = spareNormal;
      spareNormal = undefined;
      return value;
    }
    // 1 - uniform() is in (0, 1], so the logarithm is finite.
    const radius = Math.sqrt(-2 * Math.log(1 - uniform()));
    const angle = 2 * Math.PI * uniform();
    spareNormal = radius * Math.sin(angle);
    return radius * Math.cos(angle);
  };
  return { uniform, normal };
}
