/** Prints expressions with the fewest parentheses that read back as the same tree. */
import { writeString } from "../ast/literals.ts";
import type * as A from "../ast/nodes.ts";

// Binding strength, loosest first. Keyword-led forms (`collect … with …`) bind like a prefix operator.
const Level = {
  Or: 1,
  And: 2,
  Not: 3,
  Compare: 4,
  Range: 5,
  Add: 6,
  Multiply: 7,
  Prefix: 8,
  Postfix: 9,
  Atom: 10,
} as const;
type Level = number;

function binaryLevel(op: A.BinaryOperator): Level {
  switch (op) {
    case "or":
      return Level.Or;
    case "and":
      return Level.And;
    case "+":
    case "-":
      return Level.Add;
    case "*":
    case "/":
      return Level.Multiply;
    default:
      return Level.Compare;
  }
}

function levelOf(e: A.Expression): Level {
  switch (e.kind) {
    case "Binary":
      return binaryLevel(e.op);
    case "Unary":
      return e.op === "not" ? Level.Not : Level.Prefix;
    case "Within":
      return Level.Compare;
    case "Range":
      return Level.Range;
    case "Builtin":
    case "Hf":
    case "Module":
    case "Load":
    case "Collect":
    case "Finetune":
    case "Evaluate":
    case "Sample":
    case "LocalModel":
      return Level.Prefix;
    case "Member":
    case "Call":
      return Level.Postfix;
    default:
      return Level.Atom;
  }
}

/** `indent` is the indentation of the line the expression starts on (for records printed one entry a line). */
export function printExpression(e: A.Expression, atLeast: Level = Level.Or, indent = ""): string {
  const text = printBare(e, indent);
  return levelOf(e) < atLeast ? `(${text})` : text;
}

function printBare(e: A.Expression, indent: string): string {
  switch (e.kind) {
    case "Number":
      return e.noun ? `${e.raw} ${e.noun}` : e.raw;
    case "String":
      return writeString(e.value);
    case "Bool":
      return String(e.value);
    case "Ref":
      return e.name;
    case "List":
      return `[${e.elements.map((x) => printExpression(x, Level.Or, indent)).join(", ")}]`;
    case "Record":
      return printRecord(e, indent);
    case "Member":
      return `${printExpression(e.object, Level.Postfix, indent)}.${e.property.value}`;
    case "Call":
      return `${printExpression(e.callee, Level.Postfix, indent)}(${e.args
        .map((a) =>
          a.name
            ? `${a.name.value} = ${printExpression(a.value, Level.Or, indent)}`
            : printExpression(a.value, Level.Or, indent),
        )
        .join(", ")})`;
    case "Unary":
      return e.op === "not"
        ? `not ${printExpression(e.operand, Level.Not, indent)}`
        : `-${printExpression(e.operand, Level.Prefix, indent)}`;
    case "Binary": {
      const level = binaryLevel(e.op);
      // Left-associative chains need no parentheses on the left; comparisons do not chain at all.
      const leftAtLeast = level === Level.Compare ? Level.Range : level;
      const rightAtLeast = level === Level.Compare ? Level.Range : level + 1;
      // A fraction of two literals reads best tight: `2/3`.
      if (
        e.op === "/" &&
        e.left.kind === "Number" &&
        e.right.kind === "Number" &&
        !e.left.noun &&
        !e.right.noun
      ) {
        return `${e.left.raw}/${e.right.raw}`;
      }
      return `${printExpression(e.left, leftAtLeast, indent)} ${e.op} ${printExpression(e.right, rightAtLeast, indent)}`;
    }
    case "Within":
      return `${printExpression(e.value, Level.Range, indent)} within ${printExpression(e.tolerance, Level.Range, indent)} of ${printExpression(e.target, Level.Range, indent)}`;
    case "Range":
      return `${printExpression(e.from, Level.Add, indent)}..${printExpression(e.to, Level.Add, indent)}`;
    case "Builtin":
      return `builtin ${writeString(e.name.value)}`;
    case "Hf":
      return `hf ${writeString(e.path.value)}`;
    case "Module":
      return `module ${writeString(e.path.value)}${e.exportName ? `#${e.exportName.value}` : ""}`;
    case "Load":
      return `load ${writeString(e.path.value)} as ${e.format.value}`;
    case "Collect":
      return `${e.mode} ${printExpression(e.tasks, Level.Postfix, indent)} with ${printExpression(e.generator, Level.Postfix, indent)}`;
    case "Finetune":
      return `finetune ${printExpression(e.base, Level.Postfix, indent)} on ${printExpression(e.data, Level.Postfix, indent)}`;
    case "Evaluate":
      return `evaluate ${printExpression(e.models, Level.Postfix, indent)}`;
    case "Sample":
      return `sample ${printExpression(e.weights, Level.Postfix, indent)}`;
    case "LocalModel":
      return `model ${printExpression(e.model, Level.Postfix, indent)}`;
    case "Missing":
      return "<missing>";
  }
}

const INDENT = "  ";

/** On one line, or one entry a line when comments are attached to it (they stay where they were). */
function printRecord(e: A.RecordExpression, indent: string): string {
  if (e.entries.length === 0 && e.danglingComments.length === 0) return "{}";
  const commented =
    e.danglingComments.length > 0 ||
    e.entries.some((x) => x.leadingComments.length > 0 || x.trailingComments.length > 0);
  if (!commented)
    return `{ ${e.entries.map((x) => `${x.key.value}: ${printExpression(x.value, Level.Or, indent)}`).join(", ")} }`;
  const inner = indent + INDENT;
  const lines: string[] = [];
  for (const entry of e.entries) {
    for (const comment of entry.leadingComments) lines.push(inner + comment.text);
    const [first, ...rest] = entry.trailingComments;
    lines.push(
      `${inner}${entry.key.value}: ${printExpression(entry.value, Level.Or, inner)},${first ? ` ${first.text}` : ""}`,
    );
    for (const comment of rest) lines.push(inner + comment.text);
  }
  for (const comment of e.danglingComments) lines.push(inner + comment.text);
  return `{\n${lines.join("\n")}\n${indent}}`;
}
