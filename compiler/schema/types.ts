/**
 * The value types a recipe's settings may hold. The schema (kinds.ts) gives each key one of these;
 * compiler/check/values.ts checks literal values against them. References to declarations and
 * parameters are accepted wherever a value is expected: resolving them is the compiler's next phase.
 */
import type { Noun } from "../ast/nodes.ts";

export interface FunctionSpec {
  doc: string;
  params: Record<string, ParamSpec>;
  /** Names of parameters that may be given by position, in order (`env("KEY")`). */
  positional?: string[];
}

export interface ParamSpec {
  type: ValueType;
  required?: boolean;
  doc: string;
}

export type ValueType =
  | { t: "int"; min?: number; max?: number }
  | { t: "number"; min?: number; max?: number }
  /** A fraction in [0, 1], written `20%` or `0.2`. */
  | { t: "ratio" }
  | { t: "duration" }
  | { t: "size" }
  | { t: "string"; doc?: string }
  | { t: "bool" }
  /** One of a fixed set of bare words (`split = train`). */
  | { t: "enum"; values: readonly string[] }
  /** The name of a declaration (resolved later). */
  | { t: "name" }
  | { t: "list"; of: ValueType; length?: number }
  | { t: "record"; of: ValueType }
  /** A count of something named: `3000 examples`, `2M tokens`. */
  | { t: "quantity"; nouns: readonly Noun[] }
  /** One of the named functions, called (`lora(r = 8)`) or bare when it needs no arguments (`full`). */
  | { t: "call"; functions: Record<string, FunctionSpec> }
  | { t: "oneOf"; types: ValueType[] }
  | { t: "any" };

export const int = (min?: number, max?: number): ValueType => ({ t: "int", min, max });
export const num = (min?: number, max?: number): ValueType => ({ t: "number", min, max });
export const ratio: ValueType = { t: "ratio" };
export const duration: ValueType = { t: "duration" };
export const size: ValueType = { t: "size" };
export const str: ValueType = { t: "string" };
export const bool: ValueType = { t: "bool" };
export const name: ValueType = { t: "name" };
export const any: ValueType = { t: "any" };
export const oneOf = (...types: ValueType[]): ValueType => ({ t: "oneOf", types });
export const enumOf = (...values: string[]): ValueType => ({ t: "enum", values });
export const listOf = (of: ValueType, length?: number): ValueType => ({ t: "list", of, length });
export const recordOf = (of: ValueType): ValueType => ({ t: "record", of });
export const quantity = (...nouns: Noun[]): ValueType => ({ t: "quantity", nouns });
export const call = (functions: Record<string, FunctionSpec>): ValueType => ({ t: "call", functions });

/** A list of declaration names, or a single name (`collect household with …`). */
export const names: ValueType = oneOf(name, listOf(name));

/** How a type reads in a message: "a whole number", "one of train, test" … */
export function describeType(type: ValueType): string {
  switch (type.t) {
    case "int":
      return "a whole number";
    case "number":
      return "a number";
    case "ratio":
      return "a ratio (20% or 0.2)";
    case "duration":
      return "a duration (30s, 5m, 2h)";
    case "size":
      return "a size (10MB)";
    case "string":
      return "a string";
    case "bool":
      return "true or false";
    case "enum":
      return `one of ${type.values.join(", ")}`;
    case "name":
      return "a name";
    case "list":
      return `a list of ${describeType(type.of).replace(/^an? /, "")}s`;
    case "record":
      return "a record ({ key: value })";
    case "quantity":
      return `a count of ${type.nouns.join(" or ")} (e.g. 3000 ${type.nouns[0]})`;
    case "call":
      return Object.keys(type.functions)
        .map((f) => `${f}(…)`)
        .join(" or ");
    case "oneOf":
      return type.types.map(describeType).join(" or ");
    case "any":
      return "any value";
  }
}
