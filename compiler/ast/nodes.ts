/**
 * The typed syntax tree of a `.atune` file. Every node carries its source span; statement-level
 * nodes also carry the comments attached to them (so the formatter can keep them) and whether a
 * blank line preceded them in the source (the formatter keeps one).
 */

export interface Span {
  file: string;
  /** Offsets into the source text: `start` inclusive, `end` exclusive. */
  start: number;
  end: number;
  /** 1-based line and column of `start`. */
  line: number;
  column: number;
  /** 1-based line and column of the last character. */
  endLine: number;
  endColumn: number;
}

export interface Comment {
  /** As written, including the `//` or the `/* … *\/`. */
  text: string;
  /** A blank line separates it from what comes before (never true for the first thing in a block). */
  blankLineBefore: boolean;
  span: Span;
}

/** Layout facts the formatter keeps: comments around a statement, and blank lines. */
export interface Trivia {
  leadingComments: Comment[];
  trailingComments: Comment[];
  /** A blank line right before the statement itself (after its leading comments, if any). */
  blankLineBefore: boolean;
}

/** A name as written, with its own span (for "did you mean" and for go-to-definition later). */
export interface Name {
  kind: "Name";
  value: string;
  span: Span;
}

// ---------------------------------------------------------------------------------------------
// Expressions

/** Unit written right after the digits. */
export type NumberUnit =
  | "%"
  | "ms"
  | "s"
  | "m"
  | "h"
  | "d"
  | "k"
  | "M"
  | "G"
  | "B"
  | "KB"
  | "MB"
  | "GB"
  | "TB";

export type Noun = "examples" | "tokens";

export interface NumberLiteral {
  kind: "Number";
  /** The digits and unit as written (`5e-5`, `20%`), kept so the formatter does not rewrite numbers. */
  raw: string;
  /** In base units: a percentage as a fraction, durations in seconds, sizes in bytes, `4k` as 4000. */
  value: number;
  unit: NumberUnit | null;
  /** What is counted, when written after the number: `3000 examples`, `2M tokens`. */
  noun: Noun | null;
  span: Span;
}

export interface StringLiteral {
  kind: "String";
  value: string;
  span: Span;
}

export interface BoolLiteral {
  kind: "Bool";
  value: boolean;
  span: Span;
}

export interface Reference {
  kind: "Ref";
  name: string;
  span: Span;
}

export interface ListExpression {
  kind: "List";
  elements: Expression[];
  span: Span;
}

/** `key: value`. Comments around an entry are kept, and make the formatter print its record one entry a line. */
export interface RecordEntry {
  kind: "RecordEntry";
  key: Name;
  value: Expression;
  leadingComments: Comment[];
  trailingComments: Comment[];
  span: Span;
}

export interface RecordExpression {
  kind: "Record";
  entries: RecordEntry[];
  /** Comments after the last entry, before the closing brace. */
  danglingComments: Comment[];
  span: Span;
}

export interface MemberExpression {
  kind: "Member";
  object: Expression;
  property: Name;
  span: Span;
}

export interface CallArgument {
  kind: "Argument";
  name: Name | null;
  value: Expression;
  span: Span;
}

export interface CallExpression {
  kind: "Call";
  callee: Expression;
  args: CallArgument[];
  span: Span;
}

export type UnaryOperator = "-" | "not";
export interface UnaryExpression {
  kind: "Unary";
  op: UnaryOperator;
  operand: Expression;
  span: Span;
}

export type BinaryOperator =
  | "or"
  | "and"
  | "=="
  | "!="
  | "<"
  | "<="
  | ">"
  | ">="
  | "in"
  | "+"
  | "-"
  | "*"
  | "/";
export interface BinaryExpression {
  kind: "Binary";
  op: BinaryOperator;
  left: Expression;
  right: Expression;
  span: Span;
}

/** `from..to`, inclusive at both ends. */
export interface RangeExpression {
  kind: "Range";
  from: Expression;
  to: Expression;
  span: Span;
}

/** `value within tolerance of target`. */
export interface WithinExpression {
  kind: "Within";
  value: Expression;
  tolerance: Expression;
  target: Expression;
  span: Span;
}

/** `builtin "household"`: a model, environment family or data set that ships with atune. */
export interface BuiltinSource {
  kind: "Builtin";
  name: StringLiteral;
  span: Span;
}

/** `hf "./models/llama"`: a Hugging Face style model directory. */
export interface HfSource {
  kind: "Hf";
  path: StringLiteral;
  span: Span;
}

/** `module "./envs/expense.ts"#expenseEnv`: an export of a TypeScript module. */
export interface ModuleSource {
  kind: "Module";
  path: StringLiteral;
  exportName: Name | null;
  span: Span;
}

/** `load "./data/general.jsonl" as sharegpt`. */
export interface LoadSource {
  kind: "Load";
  path: StringLiteral;
  format: Name;
  span: Span;
}

export type CollectMode = "collect" | "derive" | "self_instruct";
/** `collect [tasks] with generator` (and the `derive` / `self_instruct` variants that make new tasks). */
export interface CollectSource {
  kind: "Collect";
  mode: CollectMode;
  tasks: Expression;
  generator: Expression;
  span: Span;
}

/** `finetune base on data`. */
export interface FinetuneSource {
  kind: "Finetune";
  base: Expression;
  data: Expression;
  span: Span;
}

/** `evaluate [models]`. */
export interface EvaluateSource {
  kind: "Evaluate";
  models: Expression;
  span: Span;
}

/** `sample { a: p, b: 1 - p }`: the weights are sampling probabilities. */
export interface SampleSource {
  kind: "Sample";
  weights: Expression;
  span: Span;
}

/** `model tuned`: a local model used as a generator. */
export interface LocalModelSource {
  kind: "LocalModel";
  model: Expression;
  span: Span;
}

/** Stands in for an expression the parser could not read (only in files with syntax errors). */
export interface MissingExpression {
  kind: "Missing";
  span: Span;
}

export type Expression =
  | NumberLiteral
  | StringLiteral
  | BoolLiteral
  | Reference
  | ListExpression
  | RecordExpression
  | MemberExpression
  | CallExpression
  | UnaryExpression
  | BinaryExpression
  | RangeExpression
  | WithinExpression
  | BuiltinSource
  | HfSource
  | ModuleSource
  | LoadSource
  | CollectSource
  | FinetuneSource
  | EvaluateSource
  | SampleSource
  | LocalModelSource
  | MissingExpression;

// ---------------------------------------------------------------------------------------------
// Blocks and their entries

export interface Block {
  kind: "Block";
  entries: BlockEntry[];
  /** Comments after the last entry, before the closing brace. */
  danglingComments: Comment[];
  span: Span;
}

/** `key = value { options }` — in a block, or at the top of a recipe (`seed = 7`). */
export interface Setting extends Trivia {
  kind: "Setting";
  key: Name;
  value: Expression;
  options: Block | null;
  span: Span;
}

/** `keep condition [for tasks]`. */
export interface KeepStatement extends Trivia {
  kind: "Keep";
  condition: Expression;
  scope: Expression | null;
  span: Span;
}

/** `dedupe [by field]`. */
export interface DedupeStatement extends Trivia {
  kind: "Dedupe";
  by: Name | null;
  span: Span;
}

/** `decontaminate against [evals] [ngram n]`. */
export interface DecontaminateStatement extends Trivia {
  kind: "Decontaminate";
  against: Expression;
  ngram: Expression | null;
  span: Span;
}

/** A statement word the language does not know (already reported when the tree was built). */
export interface UnknownStatement extends Trivia {
  kind: "UnknownStatement";
  word: Name;
  argument: Expression | null;
  span: Span;
}

export type BlockEntry =
  | Setting
  | KeepStatement
  | DedupeStatement
  | DecontaminateStatement
  | UnknownStatement;

// ---------------------------------------------------------------------------------------------
// Declarations

export const declarationKinds = [
  "model",
  "task",
  "generator",
  "dataset",
  "mix",
  "train",
  "eval",
  "report",
] as const;
export type DeclarationKind = (typeof declarationKinds)[number];

/** `[export] KIND name = value { options }`. `declKind` holds the word as written; unknown words are reported. */
export interface Declaration extends Trivia {
  kind: "Declaration";
  declKind: string;
  kindSpan: Span;
  exported: boolean;
  name: Name;
  value: Expression;
  options: Block | null;
  span: Span;
}

/** `[export] param name: type [in constraint] [= default]`. */
export interface ParamDeclaration extends Trivia {
  kind: "Param";
  exported: boolean;
  name: Name;
  type: Name;
  constraint: Expression | null;
  default: Expression | null;
  span: Span;
}

/** `sweep param in values`. */
export interface SweepDeclaration extends Trivia {
  kind: "Sweep";
  param: Name;
  values: Expression;
  span: Span;
}

/** `expect condition`: checked by `atune test`. */
export interface ExpectStatement extends Trivia {
  kind: "Expect";
  condition: Expression;
  span: Span;
}

export type Member = Setting | ParamDeclaration | Declaration | SweepDeclaration | ExpectStatement;

/** `recipe name { members }`. */
export interface RecipeDeclaration extends Trivia {
  kind: "Recipe";
  name: Name;
  members: Member[];
  danglingComments: Comment[];
  span: Span;
}

/** `import "./x.atune"` or `import { a, b } from "./x.atune"` (`names` is null for the first form). */
export interface ImportDeclaration extends Trivia {
  kind: "Import";
  source: StringLiteral;
  names: Name[] | null;
  span: Span;
}

export type TopLevelItem = ImportDeclaration | RecipeDeclaration | Member;

export interface SourceFile {
  kind: "File";
  path: string;
  items: TopLevelItem[];
  /** Comments after the last item. */
  danglingComments: Comment[];
  span: Span;
}

/** Nodes that can carry comments (the formatter prints one per line). */
export type Statement = TopLevelItem | BlockEntry;
