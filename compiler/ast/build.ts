/**
 * CST → AST. Reads the Chevrotain tree (which may be partial when the parser recovered from
 * errors) into typed nodes with spans. Anything missing becomes a `Missing` expression or an empty
 * name, so later phases can keep checking the rest of the file. Problems that are only visible
 * here (unknown number units, bad escapes, misspelt declaration kinds) become diagnostics.
 */
import type { CstNode, IToken } from "chevrotain";
import { keywordWords } from "../../grammar/tokens.ts";
import { type Diagnostic, diagnostic } from "../diagnostics/diagnostic.ts";
import { didYouMean, suggestionList } from "../diagnostics/suggest.ts";
import { numberUnits, readNumber, readString } from "./literals.ts";
import type * as A from "./nodes.ts";
import { buildExpression, type StreamItem } from "./precedence.ts";
import { isRealToken, joinSpans, spanOfNode, spanOfToken } from "./spans.ts";

type Child = CstNode | IToken;

function isNode(child: Child): child is CstNode {
  return (child as CstNode).children !== undefined;
}

function offsetOf(child: Child): number {
  if (isNode(child)) return child.location?.startOffset ?? Number.NaN;
  return child.startOffset;
}

const noTrivia = (): A.Trivia => ({ leadingComments: [], trailingComments: [], blankLineBefore: false });

const statementWords = ["keep", "dedupe", "decontaminate"];
const topLevel = "an import, a recipe or a declaration";
/** Keywords that begin a value and take an operand: a misspelling of one leaves its operand stranded. */
const valueKeywords = [
  "builtin",
  "hf",
  "module",
  "load",
  "collect",
  "derive",
  "self_instruct",
  "finetune",
  "evaluate",
  "sample",
];
/** Units people write that are not ours, and what they meant. */
const unitAliases: Record<string, string> = {
  min: "m",
  mins: "m",
  minutes: "m",
  sec: "s",
  secs: "s",
  seconds: "s",
  hr: "h",
  hrs: "h",
  hours: "h",
  days: "d",
  K: "k",
  kb: "KB",
  mb: "MB",
  gb: "GB",
};
const memberWords = [
  ...["model", "task", "generator", "dataset", "mix", "train", "eval", "report"],
  "param",
  "sweep",
  "expect",
];

export class AstBuilder {
  readonly diagnostics: Diagnostic[] = [];

  constructor(
    private readonly file: string,
    private readonly source: string,
    private readonly fallback: A.Span,
    private readonly unterminatedStrings: Set<IToken>,
  ) {}

  /**
   * Reports a run of tokens the parser stepped over (one diagnostic per run). When the word just
   * before the run is a misspelt keyword (`colect [a] with g`), that is the likely cause: say so.
   */
  private reportStray(run: IToken[], where: string): void {
    if (run.length === 0) return;
    const first = this.tokenSpan(run[0]);
    const last = this.tokenSpan(run[run.length - 1]);
    const span = last.line === first.line ? joinSpans(first, last) : first;
    const text = this.source.slice(span.start, span.end);
    const shown = text.length > 30 ? `${text.slice(0, 30)}…` : text;
    // The word right before the run (looked for in a short window, so this stays linear).
    const windowStart = Math.max(0, span.start - 64);
    const before = /([A-Za-z_][A-Za-z0-9_]*)\s*$/.exec(this.source.slice(windowStart, span.start));
    const word = before?.[1] ?? "";
    const misspelt =
      word.length > 2 && !keywordWords.includes(word) ? suggestionList(word, valueKeywords) : [];
    if (before && misspelt.length > 0) {
      const wordStart = windowStart + before.index;
      const between = this.source.slice(wordStart, span.start);
      const line = first.line - (between.match(/\n/g)?.length ?? 0);
      const column = wordStart - (this.source.lastIndexOf("\n", wordStart - 1) + 1) + 1;
      this.diagnostics.push(
        diagnostic(
          "ATN1004",
          {
            file: this.file,
            start: wordStart,
            end: wordStart + word.length,
            line,
            column,
            endLine: line,
            endColumn: column + word.length - 1,
          },
          {
            message: `unexpected '${shown}' after '${word}'.${didYouMean(misspelt)}`,
            help: `'${word}' is read as a name here; the keyword is '${misspelt[0]}'`,
            suggestions: misspelt,
          },
        ),
      );
      return;
    }
    if (run[0].image === "}" && where === topLevel) {
      this.diagnostics.push(
        diagnostic("ATN1006", first, {
          message: "unexpected '}': no block is open here",
          help: "remove it, or look above for a '}' too many",
        }),
      );
      return;
    }
    this.diagnostics.push(
      diagnostic("ATN1004", span, {
        message: `unexpected '${shown}' where ${where} should start`,
        help: "remove it, or see docs/language.md for the syntax of each construct",
      }),
    );
  }

  /** Statements in text order; stray tokens between them are reported, run by run. */
  private statements<T>(nodes: CstNode[], where: string, build: (node: CstNode) => T | null): T[] {
    const out: T[] = [];
    let run: IToken[] = [];
    for (const node of nodes) {
      const stray = node.name === "strayToken" ? node : this.nodes(node, "strayToken")[0];
      if (stray) {
        const token = this.token(stray, "AnyToken");
        if (token) run.push(token);
        continue;
      }
      this.reportStray(run, where);
      run = [];
      const built = build(node);
      if (built !== null) out.push(built);
    }
    this.reportStray(run, where);
    return out;
  }

  // ----- helpers over the CST -------------------------------------------------------------

  private tokens(node: CstNode, name: string): IToken[] {
    return (node.children[name] as IToken[] | undefined) ?? [];
  }

  private token(node: CstNode, name: string, index = 0): IToken | undefined {
    const token = this.tokens(node, name)[index];
    return isRealToken(token) ? token : undefined;
  }

  private nodes(node: CstNode, name: string): CstNode[] {
    return (node.children[name] as CstNode[] | undefined) ?? [];
  }

  private span(node: CstNode): A.Span {
    return spanOfNode(this.file, node, this.fallback);
  }

  private tokenSpan(token: IToken): A.Span {
    return spanOfToken(this.file, token);
  }

  /** A name being declared: a reserved word is reported (ATN1008) but kept, so checking goes on. */
  private declaredName(token: IToken | undefined, near: A.Span): A.Name {
    const name = this.name(token, near);
    if (token && keywordWords.includes(token.image)) {
      this.diagnostics.push(
        diagnostic("ATN1008", name.span, {
          message: `'${token.image}' is a reserved word and cannot name a declaration`,
          help: `choose another name, for example '${token.image}_1' or 'my_${token.image}'`,
          suggestions: [`${token.image}_1`],
        }),
      );
    }
    return name;
  }

  private name(token: IToken | undefined, near: A.Span): A.Name {
    if (!token) return { kind: "Name", value: "", span: near };
    return { kind: "Name", value: token.image, span: this.tokenSpan(token) };
  }

  private missing(span: A.Span): A.MissingExpression {
    return { kind: "Missing", span };
  }

  private expressionOr(node: CstNode | undefined, near: A.Span): A.Expression {
    return node ? this.expression(node) : this.missing(near);
  }

  // ----- file and declarations ------------------------------------------------------------

  sourceFile(root: CstNode, source: string): A.SourceFile {
    const children: CstNode[] = [
      ...this.nodes(root, "importDeclaration"),
      ...this.nodes(root, "recipeDeclaration"),
      ...this.nodes(root, "member"),
      ...this.nodes(root, "strayToken"),
    ].sort((a, b) => offsetOf(a) - offsetOf(b));
    const items = this.statements<A.TopLevelItem>(
      children,
      "an import, a recipe or a declaration",
      (child) => {
        if (child.name === "importDeclaration") return this.importDeclaration(child);
        if (child.name === "recipeDeclaration") return this.recipe(child);
        return this.member(child);
      },
    );
    const span: A.Span = {
      file: this.file,
      start: 0,
      end: source.length,
      line: 1,
      column: 1,
      endLine: this.fallback.line,
      endColumn: this.fallback.column,
    };
    return { kind: "File", path: this.file, items, danglingComments: [], span };
  }

  private importDeclaration(node: CstNode): A.ImportDeclaration {
    const span = this.span(node);
    const strings = this.tokens(node, "StringLiteral").filter(isRealToken);
    const source = strings[0] ? this.stringLiteral(strings[0]) : { kind: "String" as const, value: "", span };
    const names =
      this.tokens(node, "LBrace").length > 0 ? this.tokens(node, "Identifier").filter(isRealToken) : null;
    return {
      kind: "Import",
      source,
      names: names ? names.map((t) => this.name(t, span)) : null,
      span,
      ...noTrivia(),
    };
  }

  private recipe(node: CstNode): A.RecipeDeclaration {
    const span = this.span(node);
    return {
      kind: "Recipe",
      name: this.name(this.token(node, "Identifier"), span),
      members: this.statements(this.nodes(node, "member"), "a declaration or a setting", (m) =>
        this.member(m),
      ),
      danglingComments: [],
      span,
      ...noTrivia(),
    };
  }

  private member(node: CstNode): A.Member | null {
    const [kind] = Object.keys(node.children);
    const child = this.nodes(node, kind)[0];
    if (!child) return null;
    switch (kind) {
      case "setting":
        return this.setting(child);
      case "paramDeclaration":
        return this.param(child);
      case "declaration":
        return this.declaration(child);
      case "unknownDeclaration":
        return this.unknownDeclaration(child);
      case "sweepDeclaration":
        return this.sweep(child);
      case "expectStatement": {
        const span = this.span(child);
        return {
          kind: "Expect",
          condition: this.expressionOr(this.nodes(child, "expression")[0], span),
          span,
          ...noTrivia(),
        };
      }
      default:
        return null;
    }
  }

  private setting(node: CstNode): A.Setting {
    const span = this.span(node);
    const block = this.nodes(node, "block")[0];
    return {
      kind: "Setting",
      key: this.name(this.token(node, "AnyName"), span),
      value: this.expressionOr(this.nodes(node, "expression")[0], span),
      options: block ? this.block(block) : null,
      span,
      ...noTrivia(),
    };
  }

  private param(node: CstNode): A.ParamDeclaration {
    const span = this.span(node);
    const expressions = this.nodes(node, "expression");
    const hasConstraint = this.tokens(node, "Kw_in").length > 0;
    const hasDefault = this.tokens(node, "Equals").length > 0;
    const constraint = hasConstraint ? expressions[0] : undefined;
    const fallbackDefault = hasDefault ? expressions[hasConstraint ? 1 : 0] : undefined;
    return {
      kind: "Param",
      exported: this.token(node, "Kw_export") !== undefined,
      name: this.declaredName(this.token(node, "AnyName", 0), span),
      type: this.name(this.token(node, "AnyName", 1), span),
      constraint: constraint ? this.expression(constraint) : null,
      default: fallbackDefault ? this.expression(fallbackDefault) : null,
      span,
      ...noTrivia(),
    };
  }

  private declaration(node: CstNode): A.Declaration {
    const span = this.span(node);
    const kindNode = this.nodes(node, "declarationKind")[0];
    const kindToken = kindNode ? (Object.values(kindNode.children)[0]?.[0] as IToken | undefined) : undefined;
    const block = this.nodes(node, "block")[0];
    return {
      kind: "Declaration",
      declKind: isRealToken(kindToken) ? kindToken.image : "",
      kindSpan: isRealToken(kindToken) ? this.tokenSpan(kindToken) : span,
      exported: this.token(node, "Kw_export") !== undefined,
      name: this.declaredName(this.token(node, "AnyName"), span),
      value: this.expressionOr(this.nodes(node, "expression")[0], span),
      options: block ? this.block(block) : null,
      span,
      ...noTrivia(),
    };
  }

  private unknownDeclaration(node: CstNode): A.Declaration {
    const span = this.span(node);
    const kindToken = this.token(node, "Identifier", 0);
    const block = this.nodes(node, "block")[0];
    const word = kindToken?.image ?? "";
    const kindSpan = kindToken ? this.tokenSpan(kindToken) : span;
    const suggestions = suggestionList(word, memberWords);
    this.diagnostics.push(
      diagnostic("ATN1009", kindSpan, {
        message: `unknown declaration kind '${word}'.${didYouMean(suggestions)}`,
        help: `a declaration starts with one of: ${memberWords.join(", ")}`,
        suggestions,
      }),
    );
    return {
      kind: "Declaration",
      declKind: word,
      kindSpan,
      exported: false,
      name: this.name(this.token(node, "Identifier", 1), span),
      value: this.expressionOr(this.nodes(node, "expression")[0], span),
      options: block ? this.block(block) : null,
      span,
      ...noTrivia(),
    };
  }

  private sweep(node: CstNode): A.SweepDeclaration {
    const span = this.span(node);
    const values = this.nodes(node, "expression")[0];
    return {
      kind: "Sweep",
      param: this.name(this.token(node, "Identifier"), span),
      values: values ? this.expression(values) : this.missing(span),
      span,
      ...noTrivia(),
    };
  }

  // ----- blocks ---------------------------------------------------------------------------

  private block(node: CstNode): A.Block {
    const span = this.span(node);
    const entries = this.statements(
      this.nodes(node, "blockEntry"),
      "a setting (key = value) or a filter",
      (e) => this.blockEntry(e),
    );
    return { kind: "Block", entries, danglingComments: [], span };
  }

  private blockEntry(node: CstNode): A.BlockEntry | null {
    const [kind] = Object.keys(node.children);
    const child = this.nodes(node, kind)[0];
    if (!child) return null;
    const span = this.span(child);
    const expressions = this.nodes(child, "expression");
    switch (kind) {
      case "setting":
        return this.setting(child);
      case "keepStatement":
        return {
          kind: "Keep",
          condition: this.expressionOr(expressions[0], span),
          scope: this.token(child, "Kw_for") ? this.expressionOr(expressions[1], span) : null,
          span,
          ...noTrivia(),
        };
      case "dedupeStatement":
        return {
          kind: "Dedupe",
          by: this.tokens(child, "Kw_by").length > 0 ? this.name(this.token(child, "AnyName"), span) : null,
          span,
          ...noTrivia(),
        };
      case "decontaminateStatement":
        return {
          kind: "Decontaminate",
          against: this.expressionOr(expressions[0], span),
          ngram: this.token(child, "Kw_ngram") ? this.expressionOr(expressions[1], span) : null,
          span,
          ...noTrivia(),
        };
      case "unknownStatement":
        return this.unknownStatement(child, span);
      default:
        return null;
    }
  }

  private unknownStatement(node: CstNode, span: A.Span): A.UnknownStatement {
    const word = this.name(this.token(node, "Identifier"), span);
    const argumentNode = this.nodes(node, "expression")[0];
    const suggestions = suggestionList(word.value, statementWords);
    const looksLikeSetting = suggestions.length === 0;
    this.diagnostics.push(
      diagnostic("ATN1010", word.span, {
        message: looksLikeSetting
          ? `'${word.value}' is not a statement; settings are written \`${word.value} = value\``
          : `unknown statement '${word.value}'.${didYouMean(suggestions)}`,
        help: looksLikeSetting
          ? `add '=' after '${word.value}'`
          : "a block holds settings (`key = value`) and the filters `keep`, `dedupe` and `decontaminate`",
        suggestions: looksLikeSetting ? [`${word.value} =`] : suggestions,
      }),
    );
    return {
      kind: "UnknownStatement",
      word,
      argument: argumentNode ? this.expression(argumentNode) : null,
      span,
      ...noTrivia(),
    };
  }

  // ----- expressions ----------------------------------------------------------------------

  expression(node: CstNode): A.Expression {
    if (node.name !== "expression") return this.missing(this.span(node));
    const span = this.span(node);
    const operators = Object.entries(node.children)
      .filter(([key]) => key !== "operand")
      .flatMap(([, tokens]) => tokens as IToken[])
      .filter(isRealToken);
    const parts: Child[] = [...this.nodes(node, "operand"), ...operators].sort(
      (a, b) => offsetOf(a) - offsetOf(b),
    );
    const items: StreamItem[] = [];
    for (const part of parts) {
      if (isNode(part)) items.push(...this.operand(part));
      else items.push({ kind: "operator", op: part.image, span: this.tokenSpan(part) });
    }
    return buildExpression(items, span, (problemSpan, message, help) =>
      this.diagnostics.push(diagnostic("ATN1004", problemSpan, { message, help })),
    );
  }

  /** An operand's prefix operators, then its value. */
  private operand(node: CstNode): StreamItem[] {
    const span = this.span(node);
    const prefixes = [...this.tokens(node, "Kw_not"), ...this.tokens(node, "Minus")]
      .filter(isRealToken)
      .sort((a, b) => a.startOffset - b.startOffset)
      .map((t): StreamItem => ({ kind: "prefix", op: t.image as "not" | "-", span: this.tokenSpan(t) }));
    const prefixForm = this.nodes(node, "prefixForm")[0];
    const postfix = this.nodes(node, "postfix")[0];
    const expr = prefixForm
      ? this.prefixForm(prefixForm)
      : postfix
        ? this.postfix(postfix)
        : this.missing(span);
    return [...prefixes, { kind: "operand", expr }];
  }

  private prefixForm(node: CstNode): A.Expression {
    const span = this.span(node);
    const [first, second] = this.nodes(node, "postfix");
    const operand0 = first ? this.postfix(first) : this.missing(span);
    const operand1 = second ? this.postfix(second) : this.missing(span);
    const stringToken = this.token(node, "StringLiteral");
    const str: A.StringLiteral = stringToken
      ? this.stringLiteral(stringToken)
      : { kind: "String", value: "", span };
    // The keyword that leads the form is the node's first child token.
    const keyword = Object.keys(node.children).find((key) => key.startsWith("Kw_")) ?? "";
    switch (keyword) {
      case "Kw_builtin":
        return { kind: "Builtin", name: str, span };
      case "Kw_hf":
        return { kind: "Hf", path: str, span };
      case "Kw_module": {
        const exportName =
          this.tokens(node, "Hash").length > 0 ? this.name(this.token(node, "AnyName"), span) : null;
        return { kind: "Module", path: str, exportName, span };
      }
      case "Kw_load":
        return { kind: "Load", path: str, format: this.name(this.token(node, "AnyName"), span), span };
      case "Kw_collect":
      case "Kw_derive":
      case "Kw_self_instruct":
        return {
          kind: "Collect",
          mode: keyword.slice(3) as A.CollectMode,
          tasks: operand0,
          generator: operand1,
          span,
        };
      case "Kw_finetune":
        return { kind: "Finetune", base: operand0, data: operand1, span };
      case "Kw_evaluate":
        return { kind: "Evaluate", models: operand0, span };
      case "Kw_sample":
        return { kind: "Sample", weights: operand0, span };
      case "Kw_model":
        return { kind: "LocalModel", model: operand0, span };
      default:
        return this.missing(span);
    }
  }

  private postfix(node: CstNode): A.Expression {
    const span = this.span(node);
    const primaryNode = this.nodes(node, "primary")[0];
    let result = primaryNode ? this.primary(primaryNode) : this.missing(span);
    const names = this.tokens(node, "AnyName");
    const suffixes: Child[] = [...this.tokens(node, "Dot"), ...this.nodes(node, "callArguments")].sort(
      (a, b) => offsetOf(a) - offsetOf(b),
    );
    let nameIndex = 0;
    for (const suffix of suffixes) {
      if (isNode(suffix)) {
        const argsSpan = this.span(suffix);
        result = {
          kind: "Call",
          callee: result,
          args: this.nodes(suffix, "callArgument").map((a) => this.callArgument(a)),
          span: joinSpans(result.span, argsSpan),
        };
      } else {
        const nameToken = names[nameIndex++];
        const property = this.name(isRealToken(nameToken) ? nameToken : undefined, this.tokenSpan(suffix));
        result = { kind: "Member", object: result, property, span: joinSpans(result.span, property.span) };
      }
    }
    return result;
  }

  private callArgument(node: CstNode): A.CallArgument {
    const span = this.span(node);
    const nameToken = this.tokens(node, "Equals").length > 0 ? this.token(node, "AnyName") : undefined;
    return {
      kind: "Argument",
      name: nameToken ? this.name(nameToken, span) : null,
      value: this.expressionOr(this.nodes(node, "expression")[0], span),
      span,
    };
  }

  private primary(node: CstNode): A.Expression {
    const span = this.span(node);
    const numberNode = this.nodes(node, "numberLiteral")[0];
    if (numberNode) return this.numberLiteral(numberNode);
    const stringToken = this.token(node, "StringLiteral");
    if (stringToken) return this.stringLiteral(stringToken);
    if (this.token(node, "Kw_true")) return { kind: "Bool", value: true, span };
    if (this.token(node, "Kw_false")) return { kind: "Bool", value: false, span };
    const list = this.nodes(node, "list")[0];
    if (list) {
      return { kind: "List", elements: this.nodes(list, "expression").map((e) => this.expression(e)), span };
    }
    const record = this.nodes(node, "record")[0];
    if (record) {
      const entries = this.nodes(record, "recordEntry").map((entry): A.RecordEntry => {
        const entrySpan = this.span(entry);
        return {
          kind: "RecordEntry",
          key: this.name(this.token(entry, "AnyName"), entrySpan),
          value: this.expressionOr(this.nodes(entry, "expression")[0], entrySpan),
          leadingComments: [],
          trailingComments: [],
          span: entrySpan,
        };
      });
      return { kind: "Record", entries, danglingComments: [], span };
    }
    const inner = this.nodes(node, "expression")[0];
    if (inner) return this.expression(inner);
    const reference = this.nodes(node, "reference")[0];
    const refToken = reference
      ? (Object.values(reference.children)[0]?.[0] as IToken | undefined)
      : undefined;
    if (isRealToken(refToken)) return { kind: "Ref", name: refToken.image, span: this.tokenSpan(refToken) };
    return this.missing(span);
  }

  private numberLiteral(node: CstNode): A.Expression {
    const span = this.span(node);
    const token = this.token(node, "NumberLiteral");
    if (!token) return this.missing(span);
    const nounToken = this.token(node, "Identifier");
    const reading = readNumber(token.image);
    if (!reading.ok) {
      const alias = unitAliases[reading.unit];
      const suggestions = alias ? [alias] : suggestionList(reading.unit, Object.keys(numberUnits));
      this.diagnostics.push(
        diagnostic("ATN1007", this.tokenSpan(token), {
          message: `unknown unit '${reading.unit}' after the number ${reading.digits}.${didYouMean(suggestions)}`,
          help: `units are % (ratio), ms s m h d (time), k M G (counts), B KB MB GB TB (bytes); put a space before a name`,
          suggestions: suggestions.map((u) => `${reading.digits}${u}`),
        }),
      );
    }
    // A number with an unknown unit has no meaning to check further; it was reported above.
    if (!reading.ok) return this.missing(span);
    return {
      kind: "Number",
      raw: token.image,
      value: reading.value,
      unit: reading.unit,
      noun: nounToken ? (nounToken.image as A.Noun) : null,
      span,
    };
  }

  private stringLiteral(token: IToken): A.StringLiteral {
    const span = this.tokenSpan(token);
    const reading = readString(token.image, !this.unterminatedStrings.has(token));
    for (const bad of reading.badEscapes) {
      const start = span.start + bad.offset;
      this.diagnostics.push(
        diagnostic(
          "ATN1011",
          {
            ...span,
            start,
            end: start + bad.text.length,
            column: span.column + bad.offset,
            endLine: span.line,
            endColumn: span.column + bad.offset + bad.text.length - 1,
          },
          {
            message: `unknown escape '${bad.text}' in a string`,
            help: 'the escapes are \\n \\t \\r \\" \\\\ and \\u{hex}; write \\\\ for a backslash',
          },
        ),
      );
    }
    return { kind: "String", value: reading.value, span };
  }
}
