/**
 * The `.atune` CST parser (Chevrotain). It is small on purpose: every declaration has the shape
 * `KIND NAME = EXPRESSION { key = value … }`, and what each kind accepts is the schema's job
 * (compiler/schema), not the grammar's. Error recovery is on, so one run reports every syntax error.
 */
import {
  type CstNode,
  CstParser,
  type IParserErrorMessageProvider,
  type IToken,
  tokenMatcher,
} from "chevrotain";
import * as T from "./tokens.ts";

/** Messages in our own words; the compiler turns each parser error into a coded diagnostic. */
const messages: IParserErrorMessageProvider = {
  buildMismatchTokenMessage({ expected, actual }) {
    return `expected ${expected.LABEL ?? expected.name} but found ${describe(actual)}`;
  },
  buildNotAllInputParsedMessage({ firstRedundant }) {
    return `unexpected ${describe(firstRedundant)}; expected an import, a recipe or a declaration`;
  },
  buildNoViableAltMessage({ actual, ruleName }) {
    return `unexpected ${describe(actual[0])} where ${ruleDescriptions[ruleName] ?? ruleName} should start`;
  },
  buildEarlyExitMessage({ actual, ruleName }) {
    return `expected ${ruleDescriptions[ruleName] ?? ruleName} but found ${describe(actual[0])}`;
  },
};

function describe(token: IToken): string {
  if (token.tokenType.name === "EOF") return "the end of the file";
  return `'${token.image}'`;
}

const ruleDescriptions: Record<string, string> = {
  file: "an import, a recipe or a declaration",
  member:
    "a declaration (param, model, task, generator, dataset, mix, train, eval, report, expect) or a setting",
  blockEntry: "a setting (`key = value`) or a filter (`keep`, `dedupe`, `decontaminate`)",
  expression: "an expression",
  operand: "an expression",
  postfix: "an expression",
  recordEntry: "a record entry (key: value)",
  numberLiteral: "a number",
  primary: "a value (number, string, list, record, name or `(…)`)",
  declarationKind: "a declaration kind",
  reference: "a name",
  importDeclaration: "an import",
  callArgument: "an argument",
  prefixForm: "an expression",
};

class AtuneParser extends CstParser {
  constructor() {
    super(T.allTokens, {
      recoveryEnabled: true,
      nodeLocationTracking: "full",
      maxLookahead: 3,
      errorMessageProvider: messages,
    });
    this.performSelfAnalysis();
  }

  private readonly alternatives = new Map<string, unknown>();

  /**
   * The options of an OR / OPTION / MANY, built on first use and reused. Building them on every call
   * allocates closures per token (and under tsx, which keeps function names, renames each one).
   */
  private once<T>(key: string, build: () => T): T {
    let cached = this.alternatives.get(key) as T | undefined;
    if (cached === undefined) {
      cached = build();
      this.alternatives.set(key, cached);
    }
    return cached;
  }

  private isName(offset: number, tokenType = T.AnyName): boolean {
    return tokenMatcher(this.LA(offset), tokenType);
  }

  /** Newlines mean nothing, so an optional clause word (`for`, `by`, `in` …) followed by `=` starts the next setting instead. */
  private notSettingAhead(): boolean {
    return !tokenMatcher(this.LA(2), T.Equals);
  }

  public file = this.RULE("file", () => {
    this.MANY(() => {
      this.OR(
        this.once("or1", () => ({
          IGNORE_AMBIGUITIES: true,
          DEF: [
            { ALT: () => this.SUBRULE(this.importDeclaration) },
            { ALT: () => this.SUBRULE(this.recipeDeclaration) },
            { GATE: () => !tokenMatcher(this.LA(1), T.RBrace), ALT: () => this.SUBRULE(this.member) },
            { ALT: () => this.SUBRULE(this.strayToken) },
          ],
        })),
      );
    });
  });

  /**
   * One token that cannot start anything here. Stepping over stray tokens one by one keeps the
   * parser inside the current block, so the declarations after a mistake are still read and checked.
   */
  public strayToken = this.RULE("strayToken", () => {
    this.CONSUME(T.AnyToken);
  });

  public importDeclaration = this.RULE("importDeclaration", () => {
    this.CONSUME(T.Import);
    this.OR(
      this.once("or2", () => [
        { ALT: () => this.CONSUME(T.StringLiteral) },
        {
          ALT: () => {
            this.CONSUME(T.LBrace);
            this.OPTION(() => {
              this.CONSUME(T.Identifier);
              this.MANY({
                GATE: () => !tokenMatcher(this.LA(2), T.RBrace),
                DEF: () => {
                  this.CONSUME(T.Comma);
                  this.CONSUME2(T.Identifier);
                },
              });
              this.OPTION2(() => this.CONSUME2(T.Comma));
            });
            this.CONSUME(T.RBrace);
            this.CONSUME(T.From);
            this.CONSUME2(T.StringLiteral);
          },
        },
      ]),
    );
  });

  public recipeDeclaration = this.RULE("recipeDeclaration", () => {
    this.CONSUME(T.Recipe);
    this.CONSUME(T.Identifier);
    this.CONSUME(T.LBrace);
    this.MANY(
      this.once("many3", () => ({
        GATE: () => !tokenMatcher(this.LA(1), T.RBrace),
        DEF: () => this.SUBRULE(this.member),
      })),
    );
    this.CONSUME(T.RBrace);
  });

  public member = this.RULE("member", () => {
    this.OR(
      this.once("or4", () => ({
        IGNORE_AMBIGUITIES: true,
        DEF: [
          { ALT: () => this.SUBRULE(this.setting) },
          { ALT: () => this.SUBRULE(this.paramDeclaration) },
          { ALT: () => this.SUBRULE(this.declaration) },
          { ALT: () => this.SUBRULE(this.sweepDeclaration) },
          { ALT: () => this.SUBRULE(this.expectStatement) },
          {
            GATE: () => this.isName(2, T.Identifier),
            ALT: () => this.SUBRULE(this.unknownDeclaration),
          },
          { GATE: () => !tokenMatcher(this.LA(1), T.RBrace), ALT: () => this.SUBRULE(this.strayToken) },
        ],
      })),
    );
  });

  /** `key = value { options }`: a recipe setting, or an entry of a block. */
  public setting = this.RULE("setting", () => {
    this.CONSUME(T.AnyName);
    this.CONSUME(T.Equals);
    this.SUBRULE(this.expression);
    this.OPTION(() => this.SUBRULE(this.block));
  });

  public paramDeclaration = this.RULE("paramDeclaration", () => {
    this.OPTION(() => this.CONSUME(T.Export));
    this.CONSUME(T.Param);
    this.CONSUME(T.AnyName);
    this.CONSUME(T.Colon);
    this.CONSUME2(T.AnyName);
    this.OPTION2(
      this.once("option5", () => ({
        GATE: () => this.notSettingAhead(),
        DEF: () => {
          this.CONSUME(T.In);
          this.SUBRULE(this.expression);
        },
      })),
    );
    this.OPTION3(() => {
      this.CONSUME(T.Equals);
      this.SUBRULE2(this.expression);
    });
  });

  public declaration = this.RULE("declaration", () => {
    this.OPTION(() => this.CONSUME(T.Export));
    this.SUBRULE(this.declarationKind);
    this.CONSUME(T.AnyName);
    this.CONSUME(T.Equals);
    this.SUBRULE(this.expression);
    this.OPTION2(() => this.SUBRULE(this.block));
  });

  public declarationKind = this.RULE("declarationKind", () => {
    this.OR(
      this.once("or6", () => [
        { ALT: () => this.CONSUME(T.Model) },
        { ALT: () => this.CONSUME(T.Task) },
        { ALT: () => this.CONSUME(T.Generator) },
        { ALT: () => this.CONSUME(T.Dataset) },
        { ALT: () => this.CONSUME(T.Mix) },
        { ALT: () => this.CONSUME(T.Train) },
        { ALT: () => this.CONSUME(T.Eval) },
        { ALT: () => this.CONSUME(T.Report) },
      ]),
    );
  });

  /** A misspelt kind (`datset agent = …`): parsed in full so the rest is still checked, then reported. */
  public unknownDeclaration = this.RULE("unknownDeclaration", () => {
    this.CONSUME(T.Identifier);
    this.CONSUME2(T.Identifier);
    this.CONSUME(T.Equals);
    this.SUBRULE(this.expression);
    this.OPTION(() => this.SUBRULE(this.block));
  });

  public sweepDeclaration = this.RULE("sweepDeclaration", () => {
    this.CONSUME(T.Sweep);
    this.CONSUME(T.Identifier);
    this.CONSUME(T.In);
    this.SUBRULE(this.expression);
  });

  public expectStatement = this.RULE("expectStatement", () => {
    this.CONSUME(T.Expect);
    this.SUBRULE(this.expression);
  });

  public block = this.RULE("block", () => {
    this.CONSUME(T.LBrace);
    this.MANY(
      this.once("many7", () => ({
        GATE: () => !tokenMatcher(this.LA(1), T.RBrace),
        DEF: () => {
          this.SUBRULE(this.blockEntry);
          this.OPTION(() => this.CONSUME(T.Comma));
        },
      })),
    );
    this.CONSUME(T.RBrace);
  });

  public blockEntry = this.RULE("blockEntry", () => {
    this.OR(
      this.once("or8", () => ({
        IGNORE_AMBIGUITIES: true,
        DEF: [
          { GATE: () => tokenMatcher(this.LA(2), T.Equals), ALT: () => this.SUBRULE(this.setting) },
          { ALT: () => this.SUBRULE(this.keepStatement) },
          { ALT: () => this.SUBRULE(this.dedupeStatement) },
          { ALT: () => this.SUBRULE(this.decontaminateStatement) },
          { ALT: () => this.SUBRULE(this.unknownStatement) },
          { GATE: () => !tokenMatcher(this.LA(1), T.RBrace), ALT: () => this.SUBRULE(this.strayToken) },
        ],
      })),
    );
  });

  public keepStatement = this.RULE("keepStatement", () => {
    this.CONSUME(T.Keep);
    this.SUBRULE(this.expression);
    this.OPTION(
      this.once("option9", () => ({
        GATE: () => this.notSettingAhead(),
        DEF: () => {
          this.CONSUME(T.For);
          this.SUBRULE2(this.expression);
        },
      })),
    );
  });

  public dedupeStatement = this.RULE("dedupeStatement", () => {
    this.CONSUME(T.Dedupe);
    this.OPTION(
      this.once("option10", () => ({
        GATE: () => this.notSettingAhead(),
        DEF: () => {
          this.CONSUME(T.By);
          this.CONSUME(T.AnyName);
        },
      })),
    );
  });

  public decontaminateStatement = this.RULE("decontaminateStatement", () => {
    this.CONSUME(T.Decontaminate);
    this.CONSUME(T.Against);
    this.SUBRULE(this.expression);
    this.OPTION(
      this.once("option11", () => ({
        GATE: () => this.notSettingAhead(),
        DEF: () => {
          this.CONSUME(T.Ngram);
          this.SUBRULE2(this.expression);
        },
      })),
    );
  });

  /** A misspelt statement word (`kep reward == 1`); its argument is parsed unless a `key =` follows. */
  public unknownStatement = this.RULE("unknownStatement", () => {
    this.CONSUME(T.Identifier);
    this.OPTION(
      this.once("option12", () => ({
        GATE: () => !(this.isName(1) && tokenMatcher(this.LA(2), T.Equals)),
        DEF: () => this.SUBRULE(this.expression),
      })),
    );
  });

  /**
   * An expression is a flat run of operands and operators; the AST builder applies precedence
   * (compiler/ast/precedence.ts). Keeping precedence out of the grammar keeps the parse tree shallow,
   * which makes parsing several times faster than one rule per precedence level.
   */
  public expression = this.RULE("expression", () => {
    this.SUBRULE(this.operand);
    this.MANY(() => {
      this.OR(
        this.once("binary", () => [
          { ALT: () => this.CONSUME(T.Or) },
          { ALT: () => this.CONSUME(T.And) },
          { ALT: () => this.CONSUME(T.EqEq) },
          { ALT: () => this.CONSUME(T.NotEq) },
          { ALT: () => this.CONSUME(T.LessEq) },
          { ALT: () => this.CONSUME(T.GreaterEq) },
          { ALT: () => this.CONSUME(T.Less) },
          { ALT: () => this.CONSUME(T.Greater) },
          { ALT: () => this.CONSUME(T.In) },
          { ALT: () => this.CONSUME(T.Within) },
          { ALT: () => this.CONSUME(T.Of) },
          { ALT: () => this.CONSUME(T.DotDot) },
          { ALT: () => this.CONSUME(T.Plus) },
          { ALT: () => this.CONSUME(T.Minus) },
          { ALT: () => this.CONSUME(T.Star) },
          { ALT: () => this.CONSUME(T.Slash) },
        ]),
      );
      this.SUBRULE2(this.operand);
    });
  });

  /** Prefix operators (`not`, `-`), then a keyword-led form or a value with its `.name` / `(…)` suffixes. */
  public operand = this.RULE("operand", () => {
    this.MANY(() => {
      this.OR(
        this.once("prefix", () => [{ ALT: () => this.CONSUME(T.Not) }, { ALT: () => this.CONSUME(T.Minus) }]),
      );
    });
    this.OR2(
      this.once("operand", () => ({
        IGNORE_AMBIGUITIES: true,
        DEF: [
          { GATE: () => !tokenMatcher(this.LA(2), T.Dot), ALT: () => this.SUBRULE(this.prefixForm) },
          { ALT: () => this.SUBRULE(this.postfix) },
        ],
      })),
    );
  });

  /** Keyword-led forms: `builtin "x"`, `collect [a] with g`, `finetune m on d`, … */
  public prefixForm = this.RULE("prefixForm", () => {
    this.OR(
      this.once("or13", () => [
        {
          ALT: () => {
            this.CONSUME(T.Builtin);
            this.CONSUME(T.StringLiteral);
          },
        },
        {
          ALT: () => {
            this.CONSUME(T.Hf);
            this.CONSUME2(T.StringLiteral);
          },
        },
        {
          ALT: () => {
            this.CONSUME(T.Module);
            this.CONSUME3(T.StringLiteral);
            this.OPTION(() => {
              this.CONSUME(T.Hash);
              this.CONSUME(T.AnyName);
            });
          },
        },
        {
          ALT: () => {
            this.CONSUME(T.Load);
            this.CONSUME4(T.StringLiteral);
            this.CONSUME(T.As);
            this.CONSUME2(T.AnyName);
          },
        },
        {
          ALT: () => {
            this.OR2([
              { ALT: () => this.CONSUME(T.Collect) },
              { ALT: () => this.CONSUME(T.Derive) },
              { ALT: () => this.CONSUME(T.SelfInstruct) },
            ]);
            this.SUBRULE(this.postfix);
            this.CONSUME(T.With);
            this.SUBRULE2(this.postfix);
          },
        },
        {
          ALT: () => {
            this.CONSUME(T.Finetune);
            this.SUBRULE3(this.postfix);
            this.CONSUME(T.On);
            this.SUBRULE4(this.postfix);
          },
        },
        {
          ALT: () => {
            this.CONSUME(T.Evaluate);
            this.SUBRULE5(this.postfix);
          },
        },
        {
          ALT: () => {
            this.CONSUME(T.Sample);
            this.SUBRULE6(this.postfix);
          },
        },
        {
          ALT: () => {
            this.CONSUME(T.Model);
            this.SUBRULE7(this.postfix);
          },
        },
      ]),
    );
  });

  public postfix = this.RULE("postfix", () => {
    this.SUBRULE(this.primary);
    this.MANY(() => {
      this.OR(
        this.once("or14", () => [
          {
            ALT: () => {
              this.CONSUME(T.Dot);
              this.CONSUME(T.AnyName);
            },
          },
          { ALT: () => this.SUBRULE(this.callArguments) },
        ]),
      );
    });
  });

  public callArguments = this.RULE("callArguments", () => {
    this.CONSUME(T.LParen);
    this.OPTION(() => {
      this.SUBRULE(this.callArgument);
      this.MANY(
        this.once("many15", () => ({
          GATE: () => !tokenMatcher(this.LA(2), T.RParen),
          DEF: () => {
            this.CONSUME(T.Comma);
            this.SUBRULE2(this.callArgument);
          },
        })),
      );
      this.OPTION2(() => this.CONSUME2(T.Comma));
    });
    this.CONSUME(T.RParen);
  });

  public callArgument = this.RULE("callArgument", () => {
    this.OPTION(
      this.once("option16", () => ({
        GATE: () => tokenMatcher(this.LA(2), T.Equals),
        DEF: () => {
          this.CONSUME(T.AnyName);
          this.CONSUME(T.Equals);
        },
      })),
    );
    this.SUBRULE(this.expression);
  });

  public primary = this.RULE("primary", () => {
    this.OR(
      this.once("or17", () => [
        { ALT: () => this.SUBRULE(this.numberLiteral) },
        { ALT: () => this.CONSUME(T.StringLiteral) },
        { ALT: () => this.CONSUME(T.True) },
        { ALT: () => this.CONSUME(T.False) },
        { ALT: () => this.SUBRULE(this.list) },
        { ALT: () => this.SUBRULE(this.record) },
        {
          ALT: () => {
            this.CONSUME(T.LParen);
            this.SUBRULE(this.expression);
            this.CONSUME(T.RParen);
          },
        },
        { ALT: () => this.SUBRULE(this.reference) },
      ]),
    );
  });

  /** A number, optionally followed by what it counts: `3000 examples`, `2M tokens`. */
  public numberLiteral = this.RULE("numberLiteral", () => {
    this.CONSUME(T.NumberLiteral);
    this.OPTION(
      this.once("option18", () => ({
        GATE: () => {
          const next = this.LA(1);
          return (
            tokenMatcher(next, T.Identifier) &&
            (next.image === "examples" || next.image === "tokens") &&
            !tokenMatcher(this.LA(2), T.Equals)
          );
        },
        DEF: () => this.CONSUME(T.Identifier),
      })),
    );
  });

  /** A name; declaration keywords are names too, so `dataset.agent.count` and `split = train` work. */
  public reference = this.RULE("reference", () => {
    this.OR(
      this.once("or19", () => [
        { ALT: () => this.CONSUME(T.Identifier) },
        { ALT: () => this.CONSUME(T.Model) },
        { ALT: () => this.CONSUME(T.Task) },
        { ALT: () => this.CONSUME(T.Generator) },
        { ALT: () => this.CONSUME(T.Dataset) },
        { ALT: () => this.CONSUME(T.Mix) },
        { ALT: () => this.CONSUME(T.Train) },
        { ALT: () => this.CONSUME(T.Eval) },
        { ALT: () => this.CONSUME(T.Report) },
        { ALT: () => this.CONSUME(T.Param) },
      ]),
    );
  });

  public list = this.RULE("list", () => {
    this.CONSUME(T.LBracket);
    this.OPTION(() => {
      this.SUBRULE(this.expression);
      this.MANY(
        this.once("many20", () => ({
          GATE: () => !tokenMatcher(this.LA(2), T.RBracket),
          DEF: () => {
            this.CONSUME(T.Comma);
            this.SUBRULE2(this.expression);
          },
        })),
      );
      this.OPTION2(() => this.CONSUME2(T.Comma));
    });
    this.CONSUME(T.RBracket);
  });

  public record = this.RULE("record", () => {
    this.CONSUME(T.LBrace);
    this.OPTION(() => {
      this.SUBRULE(this.recordEntry);
      this.MANY(
        this.once("many21", () => ({
          GATE: () => !tokenMatcher(this.LA(2), T.RBrace),
          DEF: () => {
            this.CONSUME(T.Comma);
            this.SUBRULE2(this.recordEntry);
          },
        })),
      );
      this.OPTION2(() => this.CONSUME2(T.Comma));
    });
    this.CONSUME(T.RBrace);
  });

  public recordEntry = this.RULE("recordEntry", () => {
    this.CONSUME(T.AnyName);
    this.CONSUME(T.Colon);
    this.SUBRULE(this.expression);
  });
}

/** One shared instance: building a Chevrotain parser runs a grammar analysis, so it is done once. */
export const parser = new AtuneParser();

export function parseTokens(tokens: IToken[]): CstNode {
  parser.input = tokens;
  return parser.file();
}
