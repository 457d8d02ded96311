/**
 * The tokens of the `.atune` language.
 *
 * Keywords are reserved words (they cannot name a declaration) but every keyword is also a `Name`
 * (via the `AnyName` category), so keys such as `model = "gpt-4"` or `split = train` still work.
 */
import { createToken, Lexer, type TokenType } from "chevrotain";

export const WhiteSpace = createToken({
  name: "WhiteSpace",
  pattern: /[ \t\r\n\f\uFEFF]+/,
  group: Lexer.SKIPPED,
});
export const LineComment = createToken({ name: "LineComment", pattern: /\/\/[^\n\r]*/, group: "comments" });
export const BlockComment = createToken({
  name: "BlockComment",
  pattern: /\/\*[\s\S]*?\*\//,
  group: "comments",
  line_breaks: true,
});
// An unclosed `/*` runs to the end of the file; the lexer reports it (ATN1003) rather than failing.
export const UnterminatedComment = createToken({
  name: "UnterminatedComment",
  pattern: /\/\*[\s\S]*/,
  group: "comments",
  line_breaks: true,
});

/** Every token the parser sees; lets the parser step over stray tokens one at a time (error recovery). */
export const AnyToken = createToken({ name: "AnyToken", pattern: Lexer.NA, label: "any token" });

/** Every keyword and the plain identifier share this category, so a key may be any word. */
export const AnyName = createToken({ name: "AnyName", pattern: Lexer.NA, label: "a name" });
export const Identifier = createToken({
  name: "Identifier",
  pattern: /[A-Za-z_][A-Za-z0-9_]*/,
  categories: [AnyName, AnyToken],
  label: "a name",
});

const keywordList: TokenType[] = [];
function keyword(word: string): TokenType {
  const token = createToken({
    name: `Kw_${word}`,
    pattern: word,
    longer_alt: Identifier,
    categories: [AnyName, AnyToken],
    label: `'${word}'`,
  });
  keywordList.push(token);
  return token;
}

export const Recipe = keyword("recipe");
export const Import = keyword("import");
export const From = keyword("from");
export const Export = keyword("export");
export const Param = keyword("param");
export const Sweep = keyword("sweep");
export const Model = keyword("model");
export const Task = keyword("task");
export const Generator = keyword("generator");
export const Dataset = keyword("dataset");
export const Mix = keyword("mix");
export const Train = keyword("train");
export const Eval = keyword("eval");
export const Report = keyword("report");
export const Expect = keyword("expect");
export const Keep = keyword("keep");
export const Dedupe = keyword("dedupe");
export const Decontaminate = keyword("decontaminate");
export const Against = keyword("against");
export const Ngram = keyword("ngram");
export const By = keyword("by");
export const For = keyword("for");
export const Builtin = keyword("builtin");
export const Hf = keyword("hf");
export const Module = keyword("module");
export const Load = keyword("load");
export const As = keyword("as");
export const Collect = keyword("collect");
export const Derive = keyword("derive");
export const SelfInstruct = keyword("self_instruct");
export const With = keyword("with");
export const Finetune = keyword("finetune");
export const On = keyword("on");
export const Evaluate = keyword("evaluate");
export const Sample = keyword("sample");
export const In = keyword("in");
export const Within = keyword("within");
export const Of = keyword("of");
export const And = keyword("and");
export const Or = keyword("or");
export const Not = keyword("not");
export const True = keyword("true");
export const False = keyword("false");

export const keywords: readonly TokenType[] = keywordList;
/** The reserved words, as written. */
export const keywordWords: readonly string[] = keywordList.map((t) => t.name.slice(3));

/** Words that open a declaration; they may also start a reference in an expression (`dataset.agent.count`). */
export const declarationKeywords = [
  Model,
  Task,
  Generator,
  Dataset,
  Mix,
  Train,
  Eval,
  Report,
  Param,
] as const;

/** Digits, an optional fraction and exponent, then an optional unit written without a space (`20%`, `5m`, `10MB`). */
export const NumberLiteral = createToken({
  name: "NumberLiteral",
  pattern: /\d+(?:\.\d+)?(?:[eE][+-]?\d+)?(?:[A-Za-z%][A-Za-z0-9_%]*)?/,
  categories: [AnyToken],
  label: "a number",
});
export const StringLiteral = createToken({
  name: "StringLiteral",
  pattern: /"(?:[^"\\\r\n]|\\.)*"/,
  categories: [AnyToken],
  label: "a string",
});
// A string without its closing quote stops at the end of the line; the lexer reports it (ATN1002).
export const UnterminatedString = createToken({
  name: "UnterminatedString",
  pattern: /"(?:[^"\\\r\n]|\\.)*\\?/,
  categories: [AnyToken],
  label: "a string",
});

export const LBrace = createToken({ name: "LBrace", pattern: "{", categories: [AnyToken], label: "'{'" });
export const RBrace = createToken({ name: "RBrace", pattern: "}", categories: [AnyToken], label: "'}'" });
export const LBracket = createToken({ name: "LBracket", pattern: "[", categories: [AnyToken], label: "'['" });
export const RBracket = createToken({ name: "RBracket", pattern: "]", categories: [AnyToken], label: "']'" });
export const LParen = createToken({ name: "LParen", pattern: "(", categories: [AnyToken], label: "'('" });
export const RParen = createToken({ name: "RParen", pattern: ")", categories: [AnyToken], label: "')'" });
export const Comma = createToken({ name: "Comma", pattern: ",", categories: [AnyToken], label: "','" });
export const Colon = createToken({ name: "Colon", pattern: ":", categories: [AnyToken], label: "':'" });
export const Hash = createToken({ name: "Hash", pattern: "#", categories: [AnyToken], label: "'#'" });
export const DotDot = createToken({ name: "DotDot", pattern: "..", categories: [AnyToken], label: "'..'" });
export const Dot = createToken({ name: "Dot", pattern: ".", categories: [AnyToken], label: "'.'" });
export const EqEq = createToken({ name: "EqEq", pattern: "==", categories: [AnyToken], label: "'=='" });
export const NotEq = createToken({ name: "NotEq", pattern: "!=", categories: [AnyToken], label: "'!='" });
export const LessEq = createToken({ name: "LessEq", pattern: "<=", categories: [AnyToken], label: "'<='" });
export const GreaterEq = createToken({
  name: "GreaterEq",
  pattern: ">=",
  categories: [AnyToken],
  label: "'>='",
});
export const Less = createToken({ name: "Less", pattern: "<", categories: [AnyToken], label: "'<'" });
export const Greater = createToken({ name: "Greater", pattern: ">", categories: [AnyToken], label: "'>'" });
export const Equals = createToken({ name: "Equals", pattern: "=", categories: [AnyToken], label: "'='" });
export const Plus = createToken({ name: "Plus", pattern: "+", categories: [AnyToken], label: "'+'" });
export const Minus = createToken({ name: "Minus", pattern: "-", categories: [AnyToken], label: "'-'" });
export const Star = createToken({ name: "Star", pattern: "*", categories: [AnyToken], label: "'*'" });
export const Slash = createToken({ name: "Slash", pattern: "/", categories: [AnyToken], label: "'/'" });

/** Order matters: comments before `/`, longer operators before their prefixes, keywords before identifiers. */
export const allTokens: TokenType[] = [
  WhiteSpace,
  LineComment,
  BlockComment,
  UnterminatedComment,
  AnyName,
  // Longest first, so `evaluate` is not read as `eval` + `uate`.
  ...[...keywordList].sort((a, b) => String(b.PATTERN).length - String(a.PATTERN).length),
  Identifier,
  NumberLiteral,
  StringLiteral,
  UnterminatedString,
  LBrace,
  RBrace,
  LBracket,
  RBracket,
  LParen,
  RParen,
  Comma,
  Colon,
  Hash,
  DotDot,
  Dot,
  EqEq,
  NotEq,
  LessEq,
  GreaterEq,
  Less,
  Greater,
  Equals,
  Plus,
  Minus,
  Star,
  Slash,
];
