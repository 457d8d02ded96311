/**
 * Attaches comments to statements so the formatter can print them again. A comment on the line
 * where a statement ends is that statement's trailing comment; one on its own line leads the next
 * statement of the same block (or dangles before the closing brace). A comment inside a statement
 * but not inside one of its blocks (say, within a list) trails the statement: it moves, but it
 * is never lost.
 */
import type * as A from "./nodes.ts";

interface Container {
  statements: A.Statement[];
  dangling: A.Comment[];
}

export function attachComments(file: A.SourceFile, comments: A.Comment[], source: string): void {
  const fileContainer: Container = { statements: file.items, dangling: file.danglingComments };
  distribute(fileContainer, comments);
  markBlankLines(file.items, file.danglingComments, source);
}

function distribute(container: Container, comments: A.Comment[]): void {
  const { statements } = container;
  let index = 0;
  const inside = new Map<A.Statement, A.Comment[]>();
  for (const comment of comments) {
    while (index < statements.length && statements[index].span.end <= comment.span.start) index++;
    const current = statements[index];
    if (current && current.span.start <= comment.span.start) {
      const list = inside.get(current) ?? [];
      list.push(comment);
      inside.set(current, list);
      continue;
    }
    const previous = statements[index - 1];
    const next = statements[index];
    if (
      previous &&
      previous.span.endLine === comment.span.line &&
      (!next || next.span.line > comment.span.line)
    ) {
      previous.trailingComments.push(comment);
    } else if (next) {
      next.leadingComments.push(comment);
    } else {
      container.dangling.push(comment);
    }
  }
  for (const [statement, list] of inside) distributeInside(statement, list);
}

/**
 * Comments within one statement's span: into its block when they are inside it, into a record's
 * entries when they are inside a record (`{ agent: eta, // why }`), else trailing.
 */
function distributeInside(statement: A.Statement, comments: A.Comment[]): void {
  const nested = nestedContainer(statement);
  const intoBlock: A.Comment[] = [];
  const records = recordsIn(statementExpressions(statement));
  for (const comment of comments) {
    if (nested && comment.span.start > nested.start && comment.span.end <= nested.end)
      intoBlock.push(comment);
    else if (!intoRecord(records, comment)) statement.trailingComments.push(comment);
  }
  if (nested && intoBlock.length > 0) distribute(nested.container, intoBlock);
}

/** Places a comment in the record that encloses it, if one does; false when none does. */
function intoRecord(records: A.RecordExpression[], comment: A.Comment): boolean {
  const record = records.find((r) => r.span.start < comment.span.start && comment.span.end <= r.span.end);
  if (!record) return false;
  const entries = record.entries;
  const index = entries.findIndex((e) => comment.span.start < e.span.end);
  const current = index === -1 ? undefined : entries[index];
  if (current && current.span.start <= comment.span.start) {
    // Inside an entry: into a record within its value, or trailing the entry.
    if (!intoRecord(recordsIn([current.value]), comment)) current.trailingComments.push(comment);
    return true;
  }
  const previous = index === -1 ? entries[entries.length - 1] : entries[index - 1];
  if (
    previous &&
    previous.span.endLine === comment.span.line &&
    (!current || current.span.line > comment.span.line)
  ) {
    previous.trailingComments.push(comment);
  } else if (current) current.leadingComments.push(comment);
  else record.danglingComments.push(comment);
  return true;
}

function statementExpressions(s: A.Statement): A.Expression[] {
  const present = (list: Array<A.Expression | null>) => list.filter((e): e is A.Expression => e !== null);
  switch (s.kind) {
    case "Setting":
    case "Declaration":
      return [s.value];
    case "Param":
      return present([s.constraint, s.default]);
    case "Sweep":
      return [s.values];
    case "Expect":
      return [s.condition];
    case "Keep":
      return present([s.condition, s.scope]);
    case "Decontaminate":
      return present([s.against, s.ngram]);
    case "UnknownStatement":
      return present([s.argument]);
    default:
      return [];
  }
}

/** The outermost records within the expressions (records inside them are found from their entries). */
function recordsIn(expressions: A.Expression[]): A.RecordExpression[] {
  const found: A.RecordExpression[] = [];
  const stack: unknown[] = [...expressions];
  while (stack.length > 0) {
    const value = stack.pop();
    if (Array.isArray(value)) stack.push(...value);
    else if (value && typeof value === "object") {
      if ((value as A.Expression).kind === "Record") found.push(value as A.RecordExpression);
      else for (const [key, child] of Object.entries(value)) if (key !== "span") stack.push(child);
    }
  }
  return found;
}

function nestedContainer(
  statement: A.Statement,
): { container: Container; start: number; end: number } | null {
  if (statement.kind === "Recipe") {
    return {
      container: { statements: statement.members, dangling: statement.danglingComments },
      start: statement.name.span.end,
      end: statement.span.end,
    };
  }
  if ((statement.kind === "Declaration" || statement.kind === "Setting") && statement.options) {
    const block = statement.options;
    return {
      container: { statements: block.entries, dangling: block.danglingComments },
      start: block.span.start,
      end: block.span.end,
    };
  }
  return null;
}

/**
 * Marks blank lines before each comment and statement of a container, in printing order. The first
 * thing printed in a container never gets one (the formatter puts nothing above it).
 */
function markBlankLines(statements: A.Statement[], dangling: A.Comment[], source: string): void {
  let first = true;
  const mark = (offset: number): boolean => {
    const blank = !first && blankLineBefore(source, offset);
    first = false;
    return blank;
  };
  for (const statement of statements) {
    for (const comment of statement.leadingComments) comment.blankLineBefore = mark(comment.span.start);
    statement.blankLineBefore = mark(statement.span.start);
    for (const comment of statement.trailingComments) comment.blankLineBefore = false;
    for (const [children, childDangling] of childContainers(statement))
      markBlankLines(children, childDangling, source);
  }
  for (const comment of dangling) comment.blankLineBefore = mark(comment.span.start);
}

function childContainers(statement: A.Statement): Array<[A.Statement[], A.Comment[]]> {
  if (statement.kind === "Recipe") return [[statement.members, statement.danglingComments]];
  if ((statement.kind === "Declaration" || statement.kind === "Setting") && statement.options) {
    return [[statement.options.entries, statement.options.danglingComments]];
  }
  return [];
}

function blankLineBefore(source: string, offset: number): boolean {
  let newlines = 0;
  for (let i = offset - 1; i >= 0; i--) {
    const char = source[i];
    if (char === "\n") newlines++;
    else if (char !== " " && char !== "\t" && char !== "\r") break;
  }
  return newlines >= 2;
}
