/**
 * The canonical layout of a `.atune` file (what `atune fmt` writes): two-space indentation, one
 * statement per line, a block on one line when it holds only a few plain settings and fits,
 * blank lines kept where the author put them (at most one), and every comment kept.
 */
import type * as A from "../ast/nodes.ts";
import { printExpression } from "./expression.ts";

const INDENT = "  ";
const MAX_WIDTH = 100;

export function printFile(file: A.SourceFile): string {
  const lines = printContainer(file.items, file.danglingComments, "");
  return lines.length === 0 ? "" : `${lines.join("\n")}\n`;
}

/** The lines of a container's statements and dangling comments; never a blank line first. */
function printContainer(statements: A.Statement[], dangling: A.Comment[], indent: string): string[] {
  const out: string[] = [];
  const blank = (wanted: boolean) => {
    if (wanted && out.length > 0) out.push("");
  };
  for (const statement of statements) {
    for (const comment of statement.leadingComments) {
      blank(comment.blankLineBefore);
      out.push(indent + comment.text);
    }
    blank(statement.blankLineBefore);
    const body = printStatement(statement, indent).split("\n");
    const [first, ...rest] = statement.trailingComments;
    if (first) body[body.length - 1] += ` ${first.text}`;
    out.push(...body.map((line, n) => (n === 0 ? indent + line : line)));
    for (const comment of rest) out.push(indent + comment.text);
  }
  for (const comment of dangling) {
    blank(comment.blankLineBefore);
    out.push(indent + comment.text);
  }
  return out;
}

/** The statement's text; the first line without indentation, later lines fully indented. */
function printStatement(s: A.Statement, indent: string): string {
  switch (s.kind) {
    case "Import":
      return s.names === null
        ? `import ${printExpression(s.source, 1, indent)}`
        : `import { ${s.names.map((n) => n.value).join(", ")} } from ${printExpression(s.source, 1, indent)}`;
    case "Recipe":
      return `recipe ${s.name.value} ${printBody(s.members, s.danglingComments, indent)}`;
    case "Setting":
      return withOptions(`${s.key.value} = ${printExpression(s.value, 1, indent)}`, s.options, indent);
    case "Param": {
      let constraint = s.constraint ? printExpression(s.constraint, 5, indent) : "";
      // `in 0..3000 examples = …` would read `examples` as the next setting's key: keep it inside.
      if (s.default && /\b(examples|tokens)$/.test(constraint)) constraint = `(${constraint})`;
      constraint = constraint ? ` in ${constraint}` : "";
      const fallback = s.default ? ` = ${printExpression(s.default, 1, indent)}` : "";
      return `${s.exported ? "export " : ""}param ${s.name.value}: ${s.type.value}${constraint}${fallback}`;
    }
    case "Declaration":
      return withOptions(
        `${s.exported ? "export " : ""}${s.declKind} ${s.name.value} = ${printExpression(s.value, 1, indent)}`,
        s.options,
        indent,
      );
    case "Sweep":
      return `sweep ${s.param.value} in ${printExpression(s.values, 5, indent)}`;
    case "Expect":
      return `expect ${printExpression(s.condition, 1, indent)}`;
    case "Keep":
      return `keep ${printExpression(s.condition, 1, indent)}${s.scope ? ` for ${printExpression(s.scope, 1, indent)}` : ""}`;
    case "Dedupe":
      return s.by ? `dedupe by ${s.by.value}` : "dedupe";
    case "Decontaminate":
      return `decontaminate against ${printExpression(s.against, 1, indent)}${s.ngram ? ` ngram ${printExpression(s.ngram, 1, indent)}` : ""}`;
    case "UnknownStatement":
      return s.argument ? `${s.word.value} ${printExpression(s.argument, 1, indent)}` : s.word.value;
  }
}

function withOptions(head: string, block: A.Block | null, indent: string): string {
  if (!block) return head;
  const inline = inlineBlock(block);
  // Later lines of a multi-line head (a commented record) carry their own indentation.
  const lastLine = head.includes("\n") ? head.slice(head.lastIndexOf("\n") + 1) : indent + head;
  if (inline !== null && lastLine.length + 1 + inline.length <= MAX_WIDTH) return `${head} ${inline}`;
  return `${head} ${printBody(block.entries, block.danglingComments, indent)}`;
}

/** `{ a = 1, b = 2 }` when the block is only plain one-line settings without comments; else null. */
function inlineBlock(block: A.Block): string | null {
  if (block.danglingComments.length > 0) return null;
  if (block.entries.length === 0) return "{}";
  const parts: string[] = [];
  for (const entry of block.entries) {
    if (entry.kind !== "Setting" || hasTrivia(entry)) return null;
    if (entry.options && inlineBlock(entry.options) === null) return null;
    const text = printStatement(entry, "");
    if (text.includes("\n")) return null;
    parts.push(text);
  }
  return `{ ${parts.join(", ")} }`;
}

function hasTrivia(s: A.Statement): boolean {
  return s.leadingComments.length > 0 || s.trailingComments.length > 0 || s.blankLineBefore;
}

function printBody(statements: A.Statement[], dangling: A.Comment[], indent: string): string {
  const lines = printContainer(statements, dangling, indent + INDENT);
  if (lines.length === 0) return "{}";
  return `{\n${lines.join("\n")}\n${indent}}`;
}
