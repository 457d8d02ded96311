import { EnvQueryError } from "./errors.ts";

/** One option a family accepts. `choices` (or `min`/`max` for numbers) restrict its values. */
export interface OptionSpec {
  description: string;
  default: string | number | boolean;
  choices?: readonly (string | number)[];
  min?: number;
  max?: number;
}

export type OptionSpecs = Record<string, OptionSpec>;

/**
 * The query's options merged over the defaults; unknown keys and ill-typed values are errors. `T` is
 * the family's typed view of its options, which the specs' defaults and choices guarantee.
 */
export function resolveOptions<T>(
  family: string,
  specs: OptionSpecs,
  given: Record<string, unknown> | undefined,
): T {
  const resolved: Record<string, string | number | boolean> = {};
  for (const [name, spec] of Object.entries(specs)) resolved[name] = spec.default;
  for (const [name, value] of Object.entries(given ?? {})) {
    const spec = specs[name];
    if (!spec) {
      const known = Object.keys(specs);
      throw new EnvQueryError(
        `${family}: unknown option '${name}'. ` +
          (known.length ? `Known options: ${known.join(", ")}.` : "This family takes no options."),
      );
    }
    if (typeof value !== typeof spec.default) {
      throw new EnvQueryError(
        `${family}: option '${name}' must be a ${typeof spec.default} (got ${JSON.stringify(value)}).`,
      );
    }
    if (spec.choices && !spec.choices.includes(value as string | number)) {
      throw new EnvQueryError(
        `${family}: option '${name}' must be one of ${spec.choices.map((c) => JSON.stringify(c)).join(", ")} ` +
          `(got ${JSON.stringify(value)}).`,
      );
    }
    if (typeof value === "number") {
      if (!Number.isFinite(value) || (Number.isInteger(spec.default) && !Number.isInteger(value))) {
        throw new EnvQueryError(`${family}: option '${name}' must be a whole number (got ${value}).`);
      }
      if ((spec.min !== undefined && value < spec.min) || (spec.max !== undefined && value > spec.max)) {
        throw new EnvQueryError(
          `${family}: option '${name}' must be between ${spec.min ?? "-∞"} and ${spec.max ?? "∞"} (got ${value}).`,
        );
      }
    }
    resolved[name] = value as string | number | boolean;
  }
  return resolved as unknown as T;
}

/**
 * A list option of names (templates, domains …): `fallback` when absent, else a non-empty list of
 * names from `known`; anything else is an error naming the option and the known names. `scope`
 * says what `known` depends on, e.g. "for domains shop".
 */
export function readNameList<T extends string>(
  family: string,
  option: string,
  raw: unknown,
  known: readonly T[],
  fallback: readonly T[],
  scope = "",
): T[] {
  if (raw === undefined) return [...fallback];
  const where = scope ? ` ${scope}` : "";
  if (!Array.isArray(raw) || raw.length === 0) {
    throw new Error(`${family}: option '${option}' must be a non-empty list of: ${known.join(", ")}.`);
  }
  for (const name of raw) {
    if (!known.includes(name)) {
      throw new Error(
        `${family}: unknown ${option.replace(/s$/, "")} '${name}' in option '${option}'${where}. Known: ${known.join(", ")}.`,
      );
    }
  }
  return raw as T[];
}
