/**
 * Each param's domain as a fast-check arbitrary. The declared constraint decides the domain (a
 * range `0..3` or a list of allowed values); without one, the type's own domain is used. A sweep's
 * values and the default are always among the candidates. Numbers shrink toward the default, so a
 * shrunk counterexample is the value nearest the default that fails — the edge of the failing region.
 */
import fc from "fast-check";
import type { Expression, ParamDeclaration } from "../ast/nodes.ts";
import { evaluate, tidy } from "../plan/values.ts";

export type ParamValue = number | string | boolean;

export interface ParamDomain {
  name: string;
  type: string;
  arbitrary: fc.Arbitrary<ParamValue>;
  /** In words, for the summary and docs: "0..1 in steps of 0.0001". */
  describe: string;
}

/** Grid points across a continuous range (ratio, number): 0..1 → steps of 0.0001. */
const GRID_STEPS = 10_000;

/** Domains used when a param declares no `in` constraint (docs/testing.md lists them). */
export const naturalDomains: Record<string, { from: number; to: number } | null> = {
  int: { from: -1_000_000, to: 1_000_000 },
  number: { from: -1_000_000, to: 1_000_000 },
  ratio: { from: 0, to: 1 },
  duration: { from: 0, to: 86_400 },
  size: { from: 0, to: 10e9 },
  bool: null,
  string: null,
};

const none = new Map<string, unknown>();

export function paramDomain(param: ParamDeclaration, sweepValues: unknown[]): ParamDomain {
  const name = param.name.value;
  const type = param.type.value;
  const fallback = param.default ? evaluate(param.default, none) : undefined;
  const extras = [fallback, ...sweepValues].filter(
    (v): v is ParamValue => typeof v === "number" || typeof v === "string" || typeof v === "boolean",
  );
  const constraint = param.constraint;
  if (constraint?.kind === "List") {
    const allowed = constraint.elements.map((e) => evaluate(e, none)) as ParamValue[];
    // The default first: constantFrom shrinks toward its first value.
    const values = unique([...extras.filter((v) => allowed.includes(v)), ...allowed]);
    return { name, type, arbitrary: fc.constantFrom(...values), describe: `one of ${values.join(", ")}` };
  }
  if (type === "bool") {
    const values = unique([...extras, false, true].filter((v) => typeof v === "boolean"));
    return { name, type, arbitrary: fc.constantFrom(...values), describe: "true or false" };
  }
  if (type === "string") {
    const words = fc.stringMatching(/^[a-z_][a-z0-9_]{0,11}$/);
    const known = unique(extras.filter((v) => typeof v === "string"));
    return {
      name,
      type,
      arbitrary: known.length ? fc.oneof(fc.constantFrom(...known), words) : words,
      describe: "the default, or a short word of letters, digits and _",
    };
  }
  const bounds = rangeOf(constraint) ?? naturalDomains[type];
  if (!bounds) throw new Error(`param '${name}' has type '${type}', which atune test cannot sample`);
  const numeric = extras.filter((v): v is number => typeof v === "number");
  const grid = gridArbitrary(type, bounds, numeric[0]);
  // The default and the sweep's values are candidates even where the grid does not pass through them.
  const offGrid = numeric.length > 1 || (numeric.length === 1 && numeric[0] !== grid.home);
  const arbitrary = offGrid
    ? fc.oneof(
        { arbitrary: grid.arbitrary, weight: 4 },
        { arbitrary: fc.constantFrom(...numeric), weight: 1 },
      )
    : grid.arbitrary;
  return { name, type, arbitrary, describe: grid.describe };
}

function rangeOf(constraint: Expression | null): { from: number; to: number } | null {
  if (constraint?.kind !== "Range") return null;
  return { from: evaluate(constraint.from, none) as number, to: evaluate(constraint.to, none) as number };
}

/**
 * Whole numbers (int, and durations in seconds, sizes in bytes) take every value of the range
 * (a grid when it is wider than fast-check's 32-bit integers); other numbers take GRID_STEPS + 1
 * evenly spaced points. The index shrinks toward the default's (`home`).
 */
function gridArbitrary(
  type: string,
  { from, to }: { from: number; to: number },
  target: number | undefined,
): { arbitrary: fc.Arbitrary<number>; home: number; describe: string } {
  if (!(to > from)) return { arbitrary: fc.constant(from), home: from, describe: `${from}` };
  const whole = type === "int" || type === "duration" || type === "size";
  const steps = whole && to - from <= MAX_INT32 ? to - from : GRID_STEPS;
  const step = (to - from) / steps;
  const at = (index: number) => (index === steps ? to : tidy(from + index * step));
  const valueAt = whole ? (index: number) => Math.round(at(index)) : at;
  const home = target === undefined ? 0 : Math.min(steps, Math.max(0, Math.round((target - from) / step)));
  const arbitrary = fc.integer({ min: -home, max: steps - home }).map((offset) => valueAt(offset + home));
  const unit = type === "duration" ? "s" : type === "size" ? "B" : "";
  const span = `${from}${unit}..${to}${unit}`;
  const describe = steps === to - from ? span : `${span} in ${steps} steps of ${tidy(step)}${unit}`;
  return { arbitrary, home: valueAt(home), describe };
}

const MAX_INT32 = 2 ** 31 - 1;

function unique<T>(values: T[]): T[] {
  return [...new Set(values)];
}

/** A value as `--set` takes it (and as a user would write it in the recipe). */
export function literalOf(type: string, value: ParamValue): string {
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "boolean") return String(value);
  if (type === "duration") return `${value}s`;
  if (type === "size") return `${value}B`;
  return String(value);
}
