/**
 * Checks a value against its schema type. Literals are checked fully; names, member access and
 * arithmetic over names are accepted (they are resolved and typed in the compiler's next phase).
 */

import { unitClass } from "../ast/literals.ts";
import type { Expression, NumberLiteral, Span } from "../ast/nodes.ts";
import { type Diagnostic, diagnostic } from "../diagnostics/diagnostic.ts";
import { didYouMean, suggestionList } from "../diagnostics/suggest.ts";
import { describeType, type FunctionSpec, type ValueType } from "../schema/types.ts";

/** A constant number with the unit class it was written in, or why there is none. */
type Constant =
  | { value: number; unitClass: ReturnType<typeof unitClass>; noun: NumberLiteral["noun"] }
  | "deferred"
  | "not-a-number";

export function constantNumber(e: Expression): Constant {
  switch (e.kind) {
    case "Number":
      return { value: e.value, unitClass: unitClass(e.unit), noun: e.noun };
    case "Unary": {
      if (e.op !== "-") return "not-a-number";
      const inner = constantNumber(e.operand);
      return typeof inner === "string" ? inner : { ...inner, value: -inner.value };
    }
    case "Binary": {
      if (!["+", "-", "*", "/"].includes(e.op)) return "not-a-number";
      const left = constantNumber(e.left);
      const right = constantNumber(e.right);
      if (left === "not-a-number" || right === "not-a-number") return "not-a-number";
      if (left === "deferred" || right === "deferred") return "deferred";
      const value =
        e.op === "+"
          ? left.value + right.value
          : e.op === "-"
            ? left.value - right.value
            : e.op === "*"
              ? left.value * right.value
              : left.value / right.value;
      const sameClass = left.unitClass === right.unitClass ? left.unitClass : null;
      return { value, unitClass: sameClass, noun: null };
    }
    case "Ref":
    case "Member":
    case "Call":
      return "deferred";
    case "Missing":
      return "deferred";
    default:
      return "not-a-number";
  }
}

function found(e: Expression): string {
  switch (e.kind) {
    case "Number":
      return e.noun ? `'${e.raw} ${e.noun}'` : `'${e.raw}'`;
    case "String":
      return "a string";
    case "Bool":
      return `'${e.value}'`;
    case "List":
      return "a list";
    case "Record":
      return "a record";
    case "Ref":
      return `the name '${e.name}'`;
    case "Range":
      return "a range";
    case "Binary":
      return ["+", "-", "*", "/"].includes(e.op) ? "arithmetic" : "a condition";
    default:
      return "an expression";
  }
}

/** Checks `e` against `type`; `what` names the place in messages, e.g. "'count'". */
export function checkValue(e: Expression, type: ValueType, what: string): Diagnostic[] {
  if (e.kind === "Missing") return [];
  const wrongType = (extra = ""): Diagnostic[] => [
    diagnostic("ATN2004", e.span, {
      message: `${what} expects ${describeType(type)}, but found ${found(e)}${extra}`,
      help: `write ${describeType(type)}`,
    }),
  ];
  switch (type.t) {
    case "any":
      return [];
    case "oneOf": {
      // A call of a function one alternative defines is checked against that alternative alone.
      const callee = e.kind === "Call" && e.callee.kind === "Ref" ? e.callee.name : null;
      const byFunction = type.types.find(
        (alt) => alt.t === "call" && callee !== null && callee in alt.functions,
      );
      if (byFunction) return checkValue(e, byFunction, what);
      const attempts = type.types.map((alt) => checkValue(e, alt, what));
      if (attempts.some((d) => d.length === 0)) return [];
      const closeOnes = attempts.filter((d) => d.every((x) => x.code !== "ATN2004"));
      return closeOnes.length === 1 ? closeOnes[0] : wrongType();
    }
    case "int":
    case "number":
    case "ratio":
    case "duration":
    case "size":
    case "quantity":
      return checkNumber(e, type, what, wrongType);
    case "string":
      return e.kind === "String" || isDeferredName(e) ? [] : wrongType();
    case "bool":
      return e.kind === "Bool" || isDeferredName(e) ? [] : wrongType();
    case "enum":
      if (e.kind === "Ref") {
        if (type.values.includes(e.name)) return [];
        const suggestions = suggestionList(e.name, type.values);
        return [
          diagnostic("ATN2005", e.span, {
            message: `'${e.name}' is not a valid choice for ${what}.${didYouMean(suggestions)}`,
            help: `choose one of: ${type.values.join(", ")}`,
            suggestions,
          }),
        ];
      }
      if (e.kind === "String" && type.values.includes(e.value)) {
        return [
          diagnostic("ATN2004", e.span, {
            message: `${what} takes a bare word, not a string`,
            help: `write ${e.value} without quotes`,
            suggestions: [e.value],
          }),
        ];
      }
      return wrongType();
    case "name":
      return e.kind === "Ref" || e.kind === "Member"
        ? []
        : wrongType(" (expected the name of a declaration)");
    case "list": {
      if (isDeferredName(e)) return [];
      if (e.kind !== "List") return wrongType();
      const out = e.elements.flatMap((x, i) => checkValue(x, type.of, `element ${i + 1} of ${what}`));
      if (type.length !== undefined && e.elements.length !== type.length) {
        out.push(
          diagnostic("ATN2004", e.span, {
            message: `${what} needs exactly ${type.length} elements, but this list has ${e.elements.length}`,
            help: `write ${type.length} values, e.g. [0.9, 0.95]`,
          }),
        );
      }
      return out;
    }
    case "record": {
      if (isDeferredName(e)) return [];
      if (e.kind !== "Record") return wrongType();
      const out = duplicateKeys(
        e.entries.map((x) => x.key),
        "key",
      );
      for (const entry of e.entries)
        out.push(...checkValue(entry.value, type.of, `'${entry.key.value}' in ${what}`));
      return out;
    }
    case "call":
      return checkCall(e, type.functions, what, wrongType);
  }
}

function isDeferredName(e: Expression): boolean {
  return e.kind === "Ref" || e.kind === "Member" || e.kind === "Call";
}

function checkNumber(
  e: Expression,
  type: Extract<ValueType, { t: "int" | "number" | "ratio" | "duration" | "size" | "quantity" }>,
  what: string,
  wrongType: (extra?: string) => Diagnostic[],
): Diagnostic[] {
  const constant = constantNumber(e);
  if (constant === "deferred") return [];
  if (constant === "not-a-number") return wrongType();
  const { value, unitClass: cls, noun } = constant;
  const outOfRange = (range: string): Diagnostic[] => [
    diagnostic("ATN2013", e.span, {
      message: `${what} must be ${range}, but is ${formatNumber(value, cls)}`,
      help: `use a value ${range}`,
    }),
  ];
  if (type.t === "quantity") {
    if (noun && type.nouns.includes(noun)) return value > 0 ? [] : outOfRange("above 0");
    return wrongType(noun ? "" : ` (say what it counts: ${type.nouns.map((n) => `3000 ${n}`).join(" or ")})`);
  }
  if (noun) return wrongType(` (drop '${noun}')`);
  switch (type.t) {
    case "int":
    case "number": {
      if (cls !== null && cls !== "count") return wrongType();
      if (type.t === "int" && !Number.isInteger(value)) return wrongType(" (it is not whole)");
      if (type.min !== undefined && value < type.min) {
        return outOfRange(
          type.max !== undefined ? `between ${type.min} and ${type.max}` : `at least ${type.min}`,
        );
      }
      if (type.max !== undefined && value > type.max) {
        return outOfRange(
          type.min !== undefined ? `between ${type.min} and ${type.max}` : `at most ${type.max}`,
        );
      }
      return [];
    }
    case "ratio":
      if (cls !== null && cls !== "ratio") return wrongType();
      return value >= 0 && value <= 1 ? [] : outOfRange("between 0 and 1 (0% to 100%)");
    case "duration":
      if (cls !== "duration") return wrongType(cls === null ? " (add a unit: 30s, 5m, 2h)" : "");
      return value >= 0 ? [] : outOfRange("at least 0s");
    case "size":
      if (cls !== "size") return wrongType(cls === null ? " (add a unit: 512KB, 10MB, 2GB)" : "");
      return value >= 0 ? [] : outOfRange("at least 0B");
  }
}

function formatNumber(value: number, cls: ReturnType<typeof unitClass>): string {
  if (cls === "ratio") return `${+(value * 100).toPrecision(6)}%`;
  return String(+value.toPrecision(6));
}

function checkCall(
  e: Expression,
  functions: Record<string, FunctionSpec>,
  what: string,
  wrongType: () => Diagnostic[],
): Diagnostic[] {
  const calleeName =
    e.kind === "Call" && e.callee.kind === "Ref" ? e.callee.name : e.kind === "Ref" ? e.name : null;
  if (calleeName === null) return wrongType();
  const calleeSpan: Span = e.kind === "Call" ? e.callee.span : e.span;
  const spec = functions[calleeName];
  if (!spec) {
    const suggestions = suggestionList(calleeName, Object.keys(functions));
    return [
      diagnostic("ATN2008", calleeSpan, {
        message: `'${calleeName}' is not one of the functions ${what} accepts.${didYouMean(suggestions)}`,
        help: `use ${Object.keys(functions).join(", ")}`,
        suggestions,
      }),
    ];
  }
  const args = e.kind === "Call" ? e.args : [];
  const out: Diagnostic[] = [];
  const given = new Map<string, Span>();
  args.forEach((arg, index) => {
    const paramName = arg.name?.value ?? spec.positional?.[index];
    if (paramName === undefined) {
      out.push(
        diagnostic("ATN2009", arg.span, {
          message: `${calleeName}() takes named arguments; this one has no name`,
          help: `write it as name = value, with name one of: ${Object.keys(spec.params).join(", ") || "(none)"}`,
        }),
      );
      return;
    }
    const param = spec.params[paramName];
    const nameSpan = arg.name?.span ?? arg.span;
    if (!param) {
      const suggestions = suggestionList(paramName, Object.keys(spec.params));
      out.push(
        diagnostic("ATN2009", nameSpan, {
          message: `${calleeName}() has no argument '${paramName}'.${didYouMean(suggestions)}`,
          help: Object.keys(spec.params).length
            ? `its arguments are: ${Object.keys(spec.params).join(", ")}`
            : `${calleeName} takes no arguments; write it without parentheses`,
          suggestions,
        }),
      );
      return;
    }
    const earlier = given.get(paramName);
    if (earlier) {
      out.push(
        diagnostic("ATN2002", nameSpan, {
          message: `argument '${paramName}' is given twice`,
          help: "remove one of them",
          related: [{ message: "first given here", span: earlier }],
        }),
      );
      return;
    }
    given.set(paramName, nameSpan);
    out.push(...checkValue(arg.value, param.type, `'${paramName}' of ${calleeName}()`));
  });
  for (const [paramName, param] of Object.entries(spec.params)) {
    if (param.required && !given.has(paramName)) {
      out.push(
        diagnostic("ATN2009", e.span, {
          message: `${calleeName}() needs the argument '${paramName}' (${param.doc})`,
          help: `add ${paramName} = …`,
        }),
      );
    }
  }
  return out;
}

/** ATN2002 for every name that repeats an earlier one in `keys`. */
export function duplicateKeys(keys: Array<{ value: string; span: Span }>, what: string): Diagnostic[] {
  const first = new Map<string, Span>();
  const out: Diagnostic[] = [];
  for (const key of keys) {
    if (key.value === "") continue;
    const earlier = first.get(key.value);
    if (earlier) {
      out.push(
        diagnostic("ATN2002", key.span, {
          message: `${what} '${key.value}' is set twice`,
          help: "remove one of them (a later value would silently win)",
          related: [{ message: `'${key.value}' first set here`, span: earlier }],
        }),
      );
    } else first.set(key.value, key.span);
  }
  return out;
}
