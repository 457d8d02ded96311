import type { CstNode, IToken } from "chevrotain";
import type { Span } from "./nodes.ts";

/** True for a token that really is in the text (not one the parser invented while recovering). */
export function isRealToken(token: IToken | undefined): token is IToken {
  return token !== undefined && !token.isInsertedInRecovery && Number.isFinite(token.startOffset);
}

export function spanOfToken(file: string, token: IToken): Span {
  return {
    file,
    start: token.startOffset,
    end: (token.endOffset ?? token.startOffset) + 1,
    line: token.startLine ?? 1,
    column: token.startColumn ?? 1,
    endLine: token.endLine ?? token.startLine ?? 1,
    endColumn: token.endColumn ?? token.startColumn ?? 1,
  };
}

/** The span of a CST node, or `fallback` when recovery left it without a location. */
export function spanOfNode(file: string, node: CstNode, fallback: Span): Span {
  const loc = node.location;
  if (!loc || !Number.isFinite(loc.startOffset) || !Number.isFinite(loc.endOffset)) return fallback;
  return {
    file,
    start: loc.startOffset,
    end: (loc.endOffset as number) + 1,
    line: loc.startLine ?? 1,
    column: loc.startColumn ?? 1,
    endLine: loc.endLine ?? loc.startLine ?? 1,
    endColumn: loc.endColumn ?? loc.startColumn ?? 1,
  };
}

export function joinSpans(first: Span, last: Span): Span {
  return { ...first, end: last.end, endLine: last.endLine, endColumn: last.endColumn };
}

/** A zero-width-looking span at the end of the text (for "unexpected end of file"). */
export function endOfFileSpan(file: string, source: string): Span {
  const lines = source.split("\n");
  const line = lines.length;
  const column = (lines[lines.length - 1] ?? "").length + 1;
  return { file, start: source.length, end: source.length, line, column, endLine: line, endColumn: column };
}
