/**
 * fast-check arbitraries for `.atune` syntax trees: every construct, with comments and blank
 * lines, at bounded depth. Spans are placeholders (tests compare trees with spans stripped).
 */
import fc from "fast-check";
import { readNumber } from "../../compiler/ast/literals.ts";
import type * as A from "../../compiler/ast/nodes.ts";
import { keywordWords } from "../../grammar/tokens.ts";

const span: A.Span = { file: "gen", start: 0, end: 0, line: 1, column: 1, endLine: 1, endColumn: 1 };

const plainName = fc
  .stringMatching(/^[a-z_][a-z0-9_]{0,7}$/)
  .filter((s) => !keywordWords.includes(s) && s !== "examples" && s !== "tokens");
const name = (value: fc.Arbitrary<string> = plainName): fc.Arbitrary<A.Name> =>
  value.map((v) => ({ kind: "Name", value: v, span }));
/** Keys may also be declaration keywords (`model = "gpt-4"`). */
const keyName = name(
  fc.oneof(
    { weight: 4, arbitrary: plainName },
    { weight: 1, arbitrary: fc.constantFrom("model", "task", "train") },
  ),
);

const stringValue = fc.string({
  unit: fc.constantFrom("a", "b", " ", '"', "\\", "\n", "\t", "\r", "é", "😀", "\u0001", "{", "/", "*", "#"),
  maxLength: 8,
});
const stringLiteral: fc.Arbitrary<A.StringLiteral> = stringValue.map((value) => ({
  kind: "String",
  value,
  span,
}));

const numberLiteral: fc.Arbitrary<A.NumberLiteral> = fc
  .tuple(
    fc.oneof(
      fc.nat(5000).map(String),
      fc.tuple(fc.nat(99), fc.nat(999)).map(([a, b]) => `${a}.${b}`),
      fc.tuple(fc.integer({ min: 1, max: 9 }), fc.integer({ min: -9, max: 9 })).map(([a, e]) => `${a}e${e}`),
    ),
    fc.constantFrom("", "", "", "%", "s", "m", "h", "ms", "k", "M", "MB", "GB"),
    fc.constantFrom(null, null, null, "examples", "tokens") as fc.Arbitrary<A.Noun | null>,
  )
  .map(([digits, unit, noun]) => {
    const raw = `${digits}${unit}`;
    const reading = readNumber(raw);
    if (!reading.ok) throw new Error(`generator made a bad number ${raw}`);
    return { kind: "Number", raw, value: reading.value, unit: reading.unit, noun, span };
  });

const leaf: fc.Arbitrary<A.Expression> = fc.oneof(
  numberLiteral,
  stringLiteral,
  fc.boolean().map((value): A.Expression => ({ kind: "Bool", value, span })),
  fc
    .oneof(
      { weight: 6, arbitrary: plainName },
      { weight: 1, arbitrary: fc.constantFrom("train", "dataset", "eval") },
    )
    .map((n): A.Expression => ({ kind: "Ref", name: n, span })),
  stringLiteral.map((s): A.Expression => ({ kind: "Builtin", name: s, span })),
  stringLiteral.map((s): A.Expression => ({ kind: "Hf", path: s, span })),
  fc
    .tuple(stringLiteral, fc.option(name(), { nil: null }))
    .map(([path, exportName]): A.Expression => ({ kind: "Module", path, exportName, span })),
  fc
    .tuple(stringLiteral, name())
    .map(([path, format]): A.Expression => ({ kind: "Load", path, format, span })),
);

const lineComment = fc
  .string({ unit: fc.constantFrom("a", " ", "/", "*", "é", "#"), maxLength: 10 })
  .map((t) => `// ${t}`.trimEnd());
const blockComment = fc
  .string({ unit: fc.constantFrom("a", " ", "/", "é", "\n"), maxLength: 10 })
  .map((t) => `/* ${t} */`);
const binaryOps: A.BinaryOperator[] = [
  "or",
  "and",
  "==",
  "!=",
  "<",
  "<=",
  ">",
  ">=",
  "in",
  "+",
  "-",
  "*",
  "/",
];

export function expression(depth: number): fc.Arbitrary<A.Expression> {
  if (depth <= 0) return leaf;
  const sub = expression(depth - 1);
  const list = fc
    .array(sub, { maxLength: 3 })
    .map((elements): A.Expression => ({ kind: "List", elements, span }));
  const entryComments = fc.array(
    fc.oneof(lineComment, blockComment).map((text) => ({ text, blankLineBefore: false, span })),
    { maxLength: 1 },
  );
  const trailingComment = fc.option(
    fc
      .oneof(
        lineComment,
        blockComment.filter((c) => !c.includes("\n")),
      )
      .map((text) => ({ text, blankLineBefore: false, span })),
    { nil: null, freq: 4 },
  );
  const record = fc
    .tuple(
      fc.array(fc.tuple(keyName, sub, fc.option(entryComments, { nil: [], freq: 4 }), trailingComment), {
        maxLength: 3,
      }),
      fc.option(entryComments, { nil: [], freq: 4 }),
    )
    .map(
      ([entries, danglingComments]): A.Expression => ({
        kind: "Record",
        entries: entries.map(([key, value, leadingComments, trailing]) => ({
          kind: "RecordEntry",
          key,
          value,
          leadingComments,
          trailingComments: trailing ? [trailing] : [],
          span,
        })),
        danglingComments,
        span,
      }),
    );
  return fc.oneof(
    { weight: 4, arbitrary: leaf },
    { weight: 1, arbitrary: list },
    { weight: 1, arbitrary: record },
    {
      weight: 1,
      arbitrary: fc
        .tuple(sub, name())
        .map(([object, property]): A.Expression => ({ kind: "Member", object, property, span })),
    },
    {
      weight: 1,
      arbitrary: fc
        .tuple(sub, fc.array(fc.tuple(fc.option(keyName, { nil: null }), sub), { maxLength: 3 }))
        .map(
          ([callee, args]): A.Expression => ({
            kind: "Call",
            callee,
            args: args.map(([argName, value]) => ({ kind: "Argument", name: argName, value, span })),
            span,
          }),
        ),
    },
    {
      weight: 1,
      arbitrary: fc
        .tuple(fc.constantFrom("-", "not") as fc.Arbitrary<A.UnaryOperator>, sub)
        .map(([op, operand]): A.Expression => ({ kind: "Unary", op, operand, span })),
    },
    {
      weight: 2,
      arbitrary: fc
        .tuple(fc.constantFrom(...binaryOps), sub, sub)
        .map(([op, left, right]): A.Expression => ({ kind: "Binary", op, left, right, span })),
    },
    {
      weight: 1,
      arbitrary: fc.tuple(sub, sub).map(([from, to]): A.Expression => ({ kind: "Range", from, to, span })),
    },
    {
      weight: 1,
      arbitrary: fc
        .tuple(sub, sub, sub)
        .map(
          ([value, tolerance, target]): A.Expression => ({ kind: "Within", value, tolerance, target, span }),
        ),
    },
    {
      weight: 1,
      arbitrary: fc
        .tuple(fc.constantFrom("collect", "derive", "self_instruct") as fc.Arbitrary<A.CollectMode>, sub, sub)
        .map(([mode, tasks, generator]): A.Expression => ({ kind: "Collect", mode, tasks, generator, span })),
    },
    {
      weight: 1,
      arbitrary: fc
        .tuple(sub, sub)
        .map(([base, data]): A.Expression => ({ kind: "Finetune", base, data, span })),
    },
    { weight: 1, arbitrary: sub.map((models): A.Expression => ({ kind: "Evaluate", models, span })) },
    { weight: 1, arbitrary: sub.map((weights): A.Expression => ({ kind: "Sample", weights, span })) },
    { weight: 1, arbitrary: sub.map((model): A.Expression => ({ kind: "LocalModel", model, span })) },
  );
}

const comment = (blankLineBefore: fc.Arbitrary<boolean>): fc.Arbitrary<A.Comment> =>
  fc
    .tuple(fc.oneof(lineComment, blockComment), blankLineBefore)
    .map(([text, blank]) => ({ text, blankLineBefore: blank, span }));

const trivia: fc.Arbitrary<A.Trivia> = fc
  .tuple(
    fc.array(comment(fc.boolean()), { maxLength: 2 }),
    fc.option(
      fc
        .oneof(
          lineComment,
          blockComment.filter((c) => !c.includes("\n")),
        )
        .map((text) => ({ text, blankLineBefore: false, span })),
      { nil: null, freq: 3 },
    ),
    fc.boolean(),
  )
  .map(([leadingComments, trailing, blankLineBefore]) => ({
    leadingComments,
    trailingComments: trailing ? [trailing] : [],
    blankLineBefore,
  }));

function block(depth: number): fc.Arbitrary<A.Block> {
  const value = expression(2);
  const setting: fc.Arbitrary<A.BlockEntry> = fc
    .tuple(
      keyName,
      value,
      depth > 0 ? fc.option(block(depth - 1), { nil: null, freq: 4 }) : fc.constant(null),
      trivia,
    )
    .map(([key, v, options, t]) => ({ kind: "Setting", key, value: v, options, span, ...t }));
  const keep: fc.Arbitrary<A.BlockEntry> = fc
    .tuple(value, fc.option(value, { nil: null }), trivia)
    .map(([condition, scope, t]) => ({ kind: "Keep", condition, scope, span, ...t }));
  const dedupe: fc.Arbitrary<A.BlockEntry> = fc
    .tuple(fc.option(name(), { nil: null }), trivia)
    .map(([by, t]) => ({ kind: "Dedupe", by, span, ...t }));
  const decontaminate: fc.Arbitrary<A.BlockEntry> = fc
    .tuple(value, fc.option(value, { nil: null }), trivia)
    .map(([against, ngram, t]) => ({ kind: "Decontaminate", against, ngram, span, ...t }));
  return fc
    .tuple(
      fc.array(fc.oneof({ weight: 4, arbitrary: setting }, keep, dedupe, decontaminate), { maxLength: 4 }),
      fc.array(comment(fc.boolean()), { maxLength: 1 }),
    )
    .map(([entries, danglingComments]) => ({ kind: "Block", entries, danglingComments, span }));
}

const member: fc.Arbitrary<A.Member> = fc.oneof(
  fc
    .tuple(keyName, expression(2), fc.option(block(1), { nil: null }), trivia)
    .map(([key, value, options, t]): A.Member => ({ kind: "Setting", key, value, options, span, ...t })),
  fc
    .tuple(
      fc.boolean(),
      name(),
      name(),
      fc.option(expression(2), { nil: null }),
      fc.option(expression(2), { nil: null }),
      trivia,
    )
    .map(
      ([exported, n, type, constraint, def, t]): A.Member => ({
        kind: "Param",
        exported,
        name: n,
        type,
        constraint,
        default: def,
        span,
        ...t,
      }),
    ),
  fc
    .tuple(
      fc.constantFrom(...A_declarationKinds()),
      fc.boolean(),
      name(),
      expression(3),
      fc.option(block(1), { nil: null }),
      trivia,
    )
    .map(
      ([declKind, exported, n, value, options, t]): A.Member => ({
        kind: "Declaration",
        declKind,
        kindSpan: span,
        exported,
        name: n,
        value,
        options,
        span,
        ...t,
      }),
    ),
  fc
    .tuple(name(), expression(2), trivia)
    .map(([param, values, t]): A.Member => ({ kind: "Sweep", param, values, span, ...t })),
  fc
    .tuple(expression(3), trivia)
    .map(([condition, t]): A.Member => ({ kind: "Expect", condition, span, ...t })),
);

function A_declarationKinds(): string[] {
  return ["model", "task", "generator", "dataset", "mix", "train", "eval", "report"];
}

const importDeclaration: fc.Arbitrary<A.TopLevelItem> = fc
  .tuple(stringLiteral, fc.option(fc.array(name(), { maxLength: 3 }), { nil: null }), trivia)
  .map(([source, names, t]) => ({ kind: "Import", source, names, span, ...t }));

const recipe: fc.Arbitrary<A.TopLevelItem> = fc
  .tuple(
    name(),
    fc.array(member, { maxLength: 5 }),
    fc.array(comment(fc.boolean()), { maxLength: 1 }),
    trivia,
  )
  .map(([n, members, danglingComments, t]) => ({
    kind: "Recipe",
    name: n,
    members,
    danglingComments,
    span,
    ...t,
  }));

/** A whole file; the first thing printed in each block never has a blank line before it. */
export const sourceFile: fc.Arbitrary<A.SourceFile> = fc
  .tuple(
    fc.array(importDeclaration, { maxLength: 2 }),
    fc.oneof(
      recipe.map((r) => [r]),
      fc.array(member as fc.Arbitrary<A.TopLevelItem>, { maxLength: 4 }),
    ),
    fc.array(comment(fc.boolean()), { maxLength: 1 }),
  )
  .map(([imports, body, danglingComments]) => {
    const file: A.SourceFile = {
      kind: "File",
      path: "gen",
      items: [...imports, ...body],
      danglingComments,
      span,
    };
    normalizeBlankLines(file.items, file.danglingComments);
    return file;
  });

function normalizeBlankLines(statements: A.Statement[], dangling: A.Comment[]): void {
  let first = true;
  const take = (blank: boolean) => {
    const result = first ? false : blank;
    first = false;
    return result;
  };
  for (const s of statements) {
    for (const c of s.leadingComments) c.blankLineBefore = take(c.blankLineBefore);
    s.blankLineBefore = take(s.blankLineBefore);
    if (s.kind === "Recipe") normalizeBlankLines(s.members, s.danglingComments);
    if ((s.kind === "Declaration" || s.kind === "Setting") && s.options) {
      normalizeBlankLines(s.options.entries, s.options.danglingComments);
    }
  }
  for (const c of dangling) c.blankLineBefore = take(c.blankLineBefore);
}

/** The tree without positions, for comparing a printed-and-reparsed tree with the original. */
export function stripSpans(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(stripSpans);
  if (value && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [key, v] of Object.entries(value)) {
      if (key === "span" || key === "kindSpan" || key === "path") continue;
      out[key] = stripSpans(v);
    }
    return out;
  }
  return value;
}
