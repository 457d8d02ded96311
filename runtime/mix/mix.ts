import type { ConversationRecord } from "../data/record.ts";
import { Rng } from "../util/random.ts";

/**
 * Mixing datasets by declared weights.
 *
 * Weights are sampling probabilities: a source with weight 0.2 supplies 20% of the mixture's
 * examples (or tokens). Instead of drawing each example at random — whose realised share only
 * approaches the weight on average — each source gets an exact quota (largest remainder), and a
 * seeded shuffle interleaves the result. So the realised share is the declared weight up to one
 * example of rounding, every time.
 */

export interface MixSource {
  name: string;
  weight: number;
  records: ConversationRecord[];
}

/**
 * When the mixture ends:
 * - total: exactly `total` examples/tokens; a source smaller than its quota repeats (reported);
 * - first_exhausted: the largest mixture no source has to repeat for;
 * - all_exhausted: the smallest mixture that uses every example of every source at least once.
 */
export type StopRule = "total" | "first_exhausted" | "all_exhausted";

export interface MixOptions {
  stop: StopRule;
  /** Required for the "total" rule. */
  total?: number;
  unit: "examples" | "tokens";
  seed: number;
  /** Token counter for unit "tokens" (the target model's tokenizer). */
  countTokens?: (record: ConversationRecord) => number;
}

export interface MixSourceReport {
  name: string;
  weight: number;
  available: number;
  /** Examples taken (repeats included). */
  count: number;
  tokens?: number;
  /** Examples taken more than once because the source was smaller than its quota. */
  repeated: number;
  /** Realised share of the mixture, in the mix's unit. */
  share: number;
}

export interface MixResult {
  records: ConversationRecord[];
  report: MixSourceReport[];
  total: number;
}

export class MixError extends Error {}

/** Splits `total` into integer quotas proportional to the weights (largest remainder method). */
export function quotas(weights: number[], total: number): number[] {
  const sum = weights.reduce((a, b) => a + b, 0);
  const exact = weights.map((w) => (w / sum) * total);
  const floors = exact.map(Math.floor);
  let left = total - floors.reduce((a, b) => a + b, 0);
  const order = exact
    .map((x, i) => ({ i, rest: x - Math.floor(x) }))
    .sort((a, b) => b.rest - a.rest || a.i - b.i);
  for (const { i } of order) {
    if (left-- <= 0) break;
    floors[i]++;
  }
  return floors;
}

function validate(sources: MixSource[], options: MixOptions): void {
  if (sources.length === 0) throw new MixError("a mix needs at least one source");
  for (const source of sources) {
    if (!(source.weight >= 0) || !Number.isFinite(source.weight)) {
      throw new MixError(
        `source '${source.name}' has weight ${source.weight}; weights must be finite and >= 0`,
      );
    }
    if (source.weight > 0 && source.records.length === 0) {
      throw new MixError(
        `source '${source.name}' has weight ${source.weight} but no examples; check the stage that builds it`,
      );
    }
  }
  if (sources.every((s) => s.weight === 0))
    throw new MixError("every weight is 0; at least one source must have weight > 0");
  if (options.stop === "total" && !(options.total !== undefined && options.total > 0)) {
    throw new MixError("the 'total' stop rule needs a positive total (e.g. total = 3000 examples)");
  }
  if (options.unit === "tokens" && !options.countTokens)
    throw new MixError("a mix by tokens needs a token counter");
}

/** Takes `amount` (examples or tokens) from one source in a seeded order, cycling when it runs out. */
function take(source: MixSource, amount: number, options: MixOptions, rng: Rng) {
  const size = (record: ConversationRecord) => (options.unit === "tokens" ? options.countTokens!(record) : 1);
  const taken: ConversationRecord[] = [];
  let got = 0;
  let order = rng.shuffle(source.records);
  let cursor = 0;
  let cycles = 0;
  while (got < amount) {
    if (cursor === order.length) {
      order = rng.shuffle(source.records);
      cursor = 0;
      cycles++;
    }
    const record = order[cursor++];
    taken.push(record);
    got += size(record);
  }
  const repeated = cycles === 0 ? 0 : taken.length - source.records.length;
  return { taken, got, repeated };
}

export function mix(sources: MixSource[], options: MixOptions): MixResult {
  validate(sources, options);
  const rng = new Rng(options.seed);
  const sum = sources.reduce((a, s) => a + s.weight, 0);
  const sizeOf = (source: MixSource) =>
    options.unit === "tokens"
      ? source.records.reduce((n, r) => n + options.countTokens!(r), 0)
      : source.records.length;

  // The mixture's total under each stop rule; only sources with weight > 0 constrain it.
  const weighted = sources.filter((s) => s.weight > 0);
  const fullTotals = weighted.map((s) => sizeOf(s) / (s.weight / sum));
  const total =
    options.stop === "total"
      ? options.total!
      : options.stop === "first_exhausted"
        ? Math.floor(Math.min(...fullTotals) + 1e-9)
        : Math.ceil(Math.max(...fullTotals) - 1e-9);

  const amounts = quotas(
    sources.map((s) => s.weight),
    total,
  );
  const picked = sources.map((source, i) => take(source, amounts[i], options, new Rng(rng.int(2 ** 31) + i)));
  const records = rng.shuffle(picked.flatMap((p) => p.taken));
  const realised = picked.reduce((a, p) => a + p.got, 0);
  const report = sources.map((source, i) => ({
    name: source.name,
    weight: source.weight / sum,
    available: source.records.length,
    count: picked[i].taken.length,
    ...(options.unit === "tokens" ? { tokens: picked[i].got } : {}),
    repeated: picked[i].repeated,
    share: realised === 0 ? 0 : picked[i].got / realised,
  }));
  return { records, report, total: realised };
}
