/**
 * Evaluating an `expect` condition for one instance of the params. Values are numbers, strings
 * and booleans; a fact only a run can tell makes the part of the condition that needs it
 * "skipped" (`and` / `or` still decide when the other side settles it). Every param and fact read
 * is recorded, so a failure can say what the values were.
 */
import type { Expression } from "../ast/nodes.ts";
import { factReference } from "./facts.ts";
import type { FactValue } from "./plan-facts.ts";

type Value = number | string | boolean | Value[];
type Outcome = { value: Value } | { skipped: string };

export interface ExpectContext {
  params: Map<string, unknown>;
  fact: (e: Expression) => FactValue | null;
  /** The source text of an expression (for the "values read" list). */
  text: (e: Expression) => string;
}

export type ExpectOutcome =
  | { status: "pass" | "fail"; values: Array<[string, Value]> }
  | { status: "skipped"; reason: string; values: Array<[string, Value]> };

export function evaluateExpect(condition: Expression, ctx: ExpectContext): ExpectOutcome {
  const values: Array<[string, Value]> = [];
  const outcome = new Evaluator(ctx, values).eval(condition);
  if ("skipped" in outcome) return { status: "skipped", reason: outcome.skipped, values };
  return { status: outcome.value === true ? "pass" : "fail", values };
}

/** A condition the checks let through but that cannot be evaluated (an imported name, a bad operand). */
export class ExpectError extends Error {}

class Evaluator {
  constructor(
    private readonly ctx: ExpectContext,
    private readonly read: Array<[string, Value]>,
  ) {}

  eval(e: Expression): Outcome {
    switch (e.kind) {
      case "Number":
      case "String":
      case "Bool":
        return { value: e.value };
      case "Ref": {
        if (!this.ctx.params.has(e.name)) throw new ExpectError(`'${e.name}' is not a param of this recipe`);
        const value = this.ctx.params.get(e.name) as Value;
        this.note(e, value);
        return { value };
      }
      case "Member":
      case "Call": {
        const fact = this.ctx.fact(e);
        if (!fact || !factReference(e)) throw new ExpectError(`'${this.ctx.text(e)}' is not a fact`);
        if ("skipped" in fact) return fact;
        this.note(e, fact.value);
        return { value: fact.value };
      }
      case "List": {
        const parts = e.elements.map((x) => this.eval(x));
        const skipped = parts.find((p) => "skipped" in p);
        return skipped ?? { value: parts.map((p) => (p as { value: Value }).value) };
      }
      case "Unary": {
        const v = this.eval(e.operand);
        if ("skipped" in v) return v;
        return { value: e.op === "not" ? !this.bool(v.value, e.operand) : -this.num(v.value, e.operand) };
      }
      case "Within": {
        const [value, tolerance, target] = [this.eval(e.value), this.eval(e.tolerance), this.eval(e.target)];
        for (const part of [value, tolerance, target]) if ("skipped" in part) return part;
        const [v, t, y] = [value, tolerance, target].map((p, i) =>
          this.num((p as { value: Value }).value, [e.value, e.tolerance, e.target][i]),
        );
        // Rounding noise (0.2 − 0.19 = 0.010000000000000009) must not fail a "within 1%".
        return { value: Math.abs(v - y) <= t + 1e-12 };
      }
      case "Binary":
        return this.binary(e);
      default:
        throw new ExpectError(`'${this.ctx.text(e)}' cannot be evaluated in an expect`);
    }
  }

  private binary(e: Extract<Expression, { kind: "Binary" }>): Outcome {
    if (e.op === "and" || e.op === "or") {
      const left = this.eval(e.left);
      const decided = e.op === "or";
      if (!("skipped" in left) && this.bool(left.value, e.left) === decided) return { value: decided };
      const right = this.eval(e.right);
      if (!("skipped" in right) && this.bool(right.value, e.right) === decided) return { value: decided };
      if ("skipped" in left) return left;
      if ("skipped" in right) return right;
      return { value: !decided };
    }
    if (e.op === "in") {
      const left = this.eval(e.left);
      if ("skipped" in left) return left;
      if (e.right.kind === "Range") {
        const [from, to] = [this.eval(e.right.from), this.eval(e.right.to)];
        if ("skipped" in from) return from;
        if ("skipped" in to) return to;
        const x = this.num(left.value, e.left);
        return { value: x >= this.num(from.value, e.right.from) && x <= this.num(to.value, e.right.to) };
      }
      const right = this.eval(e.right);
      if ("skipped" in right) return right;
      if (!Array.isArray(right.value)) throw new ExpectError("'in' takes a range (1..3) or a list ([1, 2])");
      return { value: right.value.includes(left.value) };
    }
    const left = this.eval(e.left);
    const right = this.eval(e.right);
    if ("skipped" in left) return left;
    if ("skipped" in right) return right;
    if (e.op === "==") return { value: left.value === right.value };
    if (e.op === "!=") return { value: left.value !== right.value };
    const a = this.num(left.value, e.left);
    const b = this.num(right.value, e.right);
    switch (e.op) {
      case "<":
        return { value: a < b };
      case "<=":
        return { value: a <= b };
      case ">":
        return { value: a > b };
      case ">=":
        return { value: a >= b };
      case "+":
        return { value: a + b };
      case "-":
        return { value: a - b };
      case "*":
        return { value: a * b };
      default:
        return { value: a / b };
    }
  }

  private num(v: Value, at: Expression): number {
    if (typeof v !== "number") throw new ExpectError(`'${this.ctx.text(at)}' is not a number`);
    return v;
  }

  private bool(v: Value, at: Expression): boolean {
    if (typeof v !== "boolean") throw new ExpectError(`'${this.ctx.text(at)}' is not true or false`);
    return v;
  }

  private note(e: Expression, value: Value): void {
    const text = this.ctx.text(e);
    if (!this.read.some(([t]) => t === text)) this.read.push([text, value]);
  }
}
