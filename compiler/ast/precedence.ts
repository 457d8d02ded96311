/**
 * Operator precedence. The grammar reads an expression as a flat run of operands, prefix operators
 * and binary operators; this module builds the tree (precedence climbing). Loosest first:
 *   or · and · not · comparisons (== != < <= > >= in, x within t of y) · .. · + - · * / · unary -
 * Comparisons and ranges do not chain (`a == b == c` is reported).
 */
import type { BinaryOperator, Expression, Span } from "./nodes.ts";
import { joinSpans } from "./spans.ts";

export type StreamItem =
  | { kind: "prefix"; op: "not" | "-"; span: Span }
  | { kind: "operand"; expr: Expression }
  | { kind: "operator"; op: string; span: Span };

export const precedence = {
  or: 1,
  and: 2,
  not: 3,
  compare: 4,
  range: 5,
  add: 6,
  multiply: 7,
  prefix: 8,
} as const;

const binaryPower: Record<string, number> = {
  or: precedence.or,
  and: precedence.and,
  "==": precedence.compare,
  "!=": precedence.compare,
  "<": precedence.compare,
  "<=": precedence.compare,
  ">": precedence.compare,
  ">=": precedence.compare,
  in: precedence.compare,
  within: precedence.compare,
  "..": precedence.range,
  "+": precedence.add,
  "-": precedence.add,
  "*": precedence.multiply,
  "/": precedence.multiply,
};

export type ReportProblem = (span: Span, message: string, help: string) => void;

export function buildExpression(items: StreamItem[], fallback: Span, report: ReportProblem): Expression {
  const climber = new Climber(items, fallback, report);
  const result = climber.parse(precedence.or);
  climber.reportLeftover();
  return result;
}

class Climber {
  private position = 0;
  constructor(
    private readonly items: StreamItem[],
    private readonly fallback: Span,
    private readonly report: ReportProblem,
  ) {}

  parse(minimum: number): Expression {
    let left = this.prefix();
    // The last comparison or range operator applied at this level: they do not chain with their own kind.
    let chained: { op: string; power: number } | null = null;
    for (;;) {
      const item = this.items[this.position];
      if (item?.kind !== "operator") break;
      const power = binaryPower[item.op] ?? 0;
      if (power === 0 || power < minimum) break;
      this.position++;
      if (chained !== null && chained.power === power) {
        this.report(
          item.span,
          `'${chained.op}' and '${item.op}' cannot be chained`,
          "add parentheses to say which comes first, or join two conditions with 'and'",
        );
      }
      chained = power === precedence.compare || power === precedence.range ? { op: item.op, power } : null;
      if (item.op === "within") {
        const tolerance = this.parse(precedence.range);
        const of = this.items[this.position];
        let target: Expression = { kind: "Missing", span: item.span };
        if (of?.kind === "operator" && of.op === "of") {
          this.position++;
          target = this.parse(precedence.range);
        } else {
          this.report(item.span, "'within' needs 'of'", "write: value within 1% of target");
        }
        left = { kind: "Within", value: left, tolerance, target, span: joinSpans(left.span, target.span) };
      } else if (item.op === "..") {
        const to = this.parse(precedence.add);
        left = { kind: "Range", from: left, to, span: joinSpans(left.span, to.span) };
      } else {
        const right = this.parse(power === precedence.compare ? precedence.range : power + 1);
        left = {
          kind: "Binary",
          op: item.op as BinaryOperator,
          left,
          right,
          span: joinSpans(left.span, right.span),
        };
      }
    }
    return left;
  }

  private prefix(): Expression {
    const item = this.items[this.position];
    if (!item) return { kind: "Missing", span: this.fallback };
    if (item.kind === "operand") {
      this.position++;
      return item.expr;
    }
    if (item.kind === "prefix") {
      this.position++;
      // `not` covers a whole comparison (`not a == b`); `-` only the value right after it.
      const operand = this.parse(item.op === "not" ? precedence.compare : precedence.prefix);
      return { kind: "Unary", op: item.op, operand, span: joinSpans(item.span, operand.span) };
    }
    return { kind: "Missing", span: item.span };
  }

  /** Anything not consumed is an operator that had nothing to bind to (`of` without `within`). */
  reportLeftover(): void {
    const item = this.items[this.position];
    if (!item) return;
    const span = item.kind === "operand" ? item.expr.span : item.span;
    const op = item.kind === "operand" ? "this" : item.op;
    this.report(
      span,
      `unexpected '${op}' here`,
      op === "of" ? "'of' follows 'x within tolerance'" : "remove it",
    );
  }
}
