/**
 * Source text → AST + diagnostics: lex, parse (with recovery), build the typed tree, attach
 * comments. Never throws on any input; every problem becomes a diagnostic with a span.
 */
import type { ILexingError, IRecognitionException, IToken } from "chevrotain";
import { tokenize } from "../grammar/lexer.ts";
import { parser, parseTokens } from "../grammar/parser.ts";
import { keywordWords, StringLiteral, UnterminatedComment, UnterminatedString } from "../grammar/tokens.ts";
import { AstBuilder } from "./ast/build.ts";
import { attachComments } from "./ast/comments.ts";
import type { Comment, SourceFile, Span } from "./ast/nodes.ts";
import { endOfFileSpan, isRealToken, spanOfToken } from "./ast/spans.ts";
import { type Diagnostic, diagnostic } from "./diagnostics/diagnostic.ts";
import { didYouMean, suggestionList } from "./diagnostics/suggest.ts";

export interface ParseResult {
  ast: SourceFile;
  diagnostics: Diagnostic[];
}

export function parse(source: string, file = "<input>"): ParseResult {
  const diagnostics: Diagnostic[] = [];
  const eof = endOfFileSpan(file, source);
  const lexed = tokenize(source);
  for (const error of lexed.errors) diagnostics.push(lexerDiagnostic(error, file, source));

  // An unclosed string is reported once here, then parsed as a string so it causes nothing else.
  const unterminated = new Set<IToken>();
  for (const token of lexed.tokens) {
    if (token.tokenType === UnterminatedString) {
      diagnostics.push(
        diagnostic("ATN1002", spanOfToken(file, token), {
          message: "this string is not closed before the end of the line",
          help: 'add a closing " (strings cannot span lines; write \\n for a newline)',
        }),
      );
      token.tokenType = StringLiteral;
      token.tokenTypeIdx = StringLiteral.tokenTypeIdx!;
      unterminated.add(token);
    }
  }
  const comments: Comment[] = [];
  for (const token of (lexed.groups.comments ?? []) as IToken[]) {
    if (token.tokenType === UnterminatedComment) {
      diagnostics.push(
        diagnostic(
          "ATN1003",
          spanOfToken(file, {
            ...token,
            endOffset: token.startOffset + 1,
            endLine: token.startLine,
            endColumn: (token.startColumn ?? 1) + 1,
          }),
          {
            message: "this block comment is never closed, so it runs to the end of the file",
            help: "add */ where the comment should end",
          },
        ),
      );
      continue;
    }
    comments.push({ text: token.image, blankLineBefore: false, span: spanOfToken(file, token) });
  }

  const tooDeep = findExcessiveNesting(lexed.tokens);
  if (tooDeep) {
    diagnostics.push(
      diagnostic("ATN1012", spanOfToken(file, tooDeep), {
        message: `brackets or prefix operators are nested more than ${MAX_NESTING} deep here; the file is not read further`,
        help: "flatten the expression: name the inner parts with declarations or params",
      }),
    );
    return { ast: emptyFile(file, source, eof), diagnostics };
  }
  const cst = parseTokens(lexed.tokens);
  // A character the lexer dropped usually leaves a hole the parser trips on: report it once.
  const seen = new Set<string>(
    tokenOffsetsAfter(
      lexed.errors.map((e) => e.offset),
      lexed.tokens,
      source.length,
    ).map((offset) => `${offset}:`),
  );
  for (const error of parser.errors) {
    const d = syntaxDiagnostic(error, file, eof);
    const key = `${d.span.start}:${d.code}`;
    if (seen.has(key) || seen.has(`${d.span.start}:`)) continue;
    seen.add(key);
    diagnostics.push(d);
  }

  const builder = new AstBuilder(file, source, eof, unterminated);
  const ast = builder.sourceFile(cst, source);
  diagnostics.push(...builder.diagnostics);
  const deepNode = findTooDeepNode(ast);
  if (deepNode) {
    diagnostics.push(
      diagnostic("ATN1012", deepNode.span, {
        message: `this expression is nested more than ${MAX_TREE_DEPTH} levels deep; the file is not read further`,
        help: "split it: name the parts with params or declarations",
      }),
    );
    return { ast: emptyFile(file, source, eof), diagnostics };
  }
  attachComments(ast, comments, source);
  return { ast, diagnostics };
}

/** For each offset (ascending), the offset of the first token at or after it (one pass over both lists). */
function tokenOffsetsAfter(offsets: number[], tokens: IToken[], end: number): number[] {
  let index = 0;
  return offsets.map((offset) => {
    while (index < tokens.length && tokens[index].startOffset < offset) index++;
    return index < tokens.length ? tokens[index].startOffset : end;
  });
}

/** Deeper nesting than any recipe needs; beyond it the recursive parser could run out of stack. */
export const MAX_NESTING = 32;

/** The first token that opens a bracket beyond MAX_NESTING, or extends a run of `-` / `not` beyond it. */
function findExcessiveNesting(tokens: IToken[]): IToken | null {
  let depth = 0;
  let prefixRun = 0;
  for (const token of tokens) {
    const name = token.tokenType.name;
    if (name === "LBrace" || name === "LBracket" || name === "LParen") depth++;
    else if (name === "RBrace" || name === "RBracket" || name === "RParen") depth = Math.max(0, depth - 1);
    prefixRun = name === "Minus" || name === "Kw_not" ? prefixRun + 1 : 0;
    if (depth > MAX_NESTING || prefixRun > MAX_NESTING) return token;
  }
  return null;
}

/** Deeper trees than this (e.g. a sum of thousands of terms) would overflow the recursive checks. */
export const MAX_TREE_DEPTH = 400;

/** The first node found below MAX_TREE_DEPTH (walked with an explicit stack, so it cannot overflow). */
function findTooDeepNode(root: SourceFile): { span: Span } | null {
  const stack: Array<[unknown, number]> = [[root, 0]];
  while (stack.length > 0) {
    const [value, depth] = stack.pop()!;
    if (Array.isArray(value)) {
      for (const item of value) stack.push([item, depth]);
      continue;
    }
    if (value === null || typeof value !== "object") continue;
    if (depth > MAX_TREE_DEPTH && "span" in value) return value as { span: Span };
    for (const [key, child] of Object.entries(value)) {
      if (key !== "span" && key !== "kindSpan" && typeof child === "object") stack.push([child, depth + 1]);
    }
  }
  return null;
}

function emptyFile(file: string, source: string, eof: Span): SourceFile {
  const span: Span = { ...eof, start: 0, line: 1, column: 1, end: source.length };
  return { kind: "File", path: file, items: [], danglingComments: [], span };
}

function lexerDiagnostic(error: ILexingError, file: string, source: string): Diagnostic {
  const text = source.slice(error.offset, error.offset + Math.max(1, error.length));
  const line = error.line ?? 1;
  const column = error.column ?? 1;
  const span: Span = {
    file,
    start: error.offset,
    end: error.offset + Math.max(1, error.length),
    line,
    column,
    endLine: line,
    endColumn: column + Math.max(1, text.split("\n")[0].length) - 1,
  };
  const shown = JSON.stringify(text.length > 20 ? `${text.slice(0, 20)}…` : text);
  return diagnostic("ATN1001", span, {
    message: `unexpected character${text.length > 1 ? "s" : ""} ${shown}`,
    help: "remove it; names use letters, digits and _, text goes in double quotes, comments start with //",
  });
}

const closers = new Set([
  "RBrace",
  "RBracket",
  "RParen",
  "Equals",
  "Colon",
  "With",
  "On",
  "As",
  "Of",
  "From",
  "In",
]);

function syntaxDiagnostic(error: IRecognitionException, file: string, eof: Span): Diagnostic {
  const token = error.token;
  const span = isRealToken(token) && token.tokenType.name !== "EOF" ? spanOfToken(file, token) : eof;
  const hint = misspeltKeyword([token]);
  const message = `${error.message}${hint ? didYouMean([hint.keyword]) : ""}`;
  const suggestions = hint ? [hint.keyword] : [];
  const hintSpan = hint ? spanOfToken(file, hint.token) : span;
  if (error.name === "NotAllInputParsedException") {
    return diagnostic("ATN1006", span, {
      message,
      help: "remove it, or check for an extra '}' above",
      suggestions,
    });
  }
  if (error.name === "MismatchedTokenException") {
    const expected = /expected (.*?) but found/.exec(error.message)?.[1] ?? "";
    if (expected === "a name" && isRealToken(token) && keywordWords.includes(token.image)) {
      return diagnostic("ATN1008", span, {
        message: `'${token.image}' is a reserved word and cannot be used as a name`,
        help: `choose another name, for example '${token.image}_1' or 'my_${token.image}'`,
      });
    }
    const expectedName = Object.entries(tokenLabels).find(([, label]) => label === expected)?.[0];
    if (expectedName && closers.has(expectedName)) {
      return diagnostic("ATN1005", hint ? hintSpan : span, {
        message,
        help: `insert ${expected}`,
        suggestions,
      });
    }
  }
  return diagnostic("ATN1004", hint ? hintSpan : span, {
    message,
    help: "see docs/language.md for the syntax of each construct",
    suggestions,
  });
}

const tokenLabels: Record<string, string> = {
  RBrace: "'}'",
  RBracket: "']'",
  RParen: "')'",
  Equals: "'='",
  Colon: "':'",
  With: "'with'",
  On: "'on'",
  As: "'as'",
  Of: "'of'",
  From: "'from'",
  In: "'in'",
};

/** When a syntax error sits next to a word that is one typo away from a keyword, name the keyword. */
function misspeltKeyword(tokens: Array<IToken | undefined>): { token: IToken; keyword: string } | null {
  for (const token of tokens) {
    if (!isRealToken(token) || token.tokenType.name !== "Identifier") continue;
    const [keyword] = suggestionList(token.image, keywordWords);
    if (keyword && token.image.length > 2) return { token, keyword };
  }
  return null;
}
