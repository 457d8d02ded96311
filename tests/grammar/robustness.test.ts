import { readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { hasErrors } from "../../compiler/diagnostics/diagnostic.ts";
import { checkSource, formatSource, printFile } from "../../compiler/index.ts";

const quickstart = readFileSync(new URL("../../examples/quickstart.atune", import.meta.url), "utf8");
// Small valid pieces to mutate: each declaration of the quickstart, wrapped in a recipe.
const pieces = quickstart
  .split(/\n(?= {2}(?:task|model|generator|dataset|mix|train|eval|report|param|expect|seed) )/)
  .map((piece) => `recipe r {\n${piece.replace(/^recipe quickstart \{\n/, "")}\n}\n`);
const tokensOf = (text: string) =>
  text.match(/"(?:[^"\\\n]|\\.)*"|\/\/[^\n]*|\d[\w.%]*|\w+|\.\.|[=!<>]=|\S/g) ?? [];

type Mutation = {
  kind: "delete" | "insert" | "swap" | "duplicate";
  at: number;
  other: number;
  token: string;
};
const mutation: fc.Arbitrary<Mutation> = fc.record({
  kind: fc.constantFrom("delete", "insert", "swap", "duplicate"),
  at: fc.nat(),
  other: fc.nat(),
  token: fc.constantFrom(
    "{",
    "}",
    "[",
    "]",
    "(",
    ")",
    "=",
    ",",
    ":",
    "..",
    "keep",
    "with",
    "in",
    "recipe",
    '"',
    "/*",
    "-",
    "x",
    "5e",
    "%",
  ),
});

function mutate(tokens: string[], mutations: Mutation[]): string {
  const out = [...tokens];
  for (const m of mutations) {
    if (out.length === 0) break;
    const at = m.at % out.length;
    const other = m.other % out.length;
    if (m.kind === "delete") out.splice(at, 1);
    else if (m.kind === "insert") out.splice(at, 0, m.token);
    else if (m.kind === "duplicate") out.splice(at, 0, out[other]);
    else [out[at], out[other]] = [out[other], out[at]];
  }
  return out.join(" ");
}

const anyText = fc.oneof(
  fc.string({ unit: "binary", maxLength: 80 }),
  fc.uint8Array({ maxLength: 80 }).map((bytes) => Buffer.from(bytes).toString("latin1")),
  fc.string({
    unit: fc.constantFrom("{", "}", '"', "/*", "*/", "//", "\n", "a", "1", "%", "=", ".", "#", "é"),
    maxLength: 60,
  }),
  fc
    .tuple(fc.constantFrom(...pieces), fc.array(mutation, { minLength: 1, maxLength: 4 }))
    .map(([piece, mutations]) => mutate(tokensOf(piece), mutations)),
);

describe("any input", () => {
  it("gives a tree or diagnostics with spans inside the text, never an exception (10,000 inputs)", () => {
    fc.assert(
      fc.property(anyText, (text) => {
        const { ast, diagnostics } = checkSource(text, "fuzz.atune");
        expect(ast.kind).toBe("File");
        for (const d of diagnostics) {
          expect(d.span.start).toBeGreaterThanOrEqual(0);
          expect(d.span.end).toBeLessThanOrEqual(text.length);
          expect(d.span.line).toBeGreaterThanOrEqual(1);
          expect(d.message.length).toBeGreaterThan(0);
        }
        expect(diagnostics.length).toBeLessThanOrEqual(101);
        // A file without errors formats to text that reads back without errors and formats to itself.
        if (!hasErrors(diagnostics)) {
          const printed = printFile(ast);
          expect(formatSource(printed, "fuzz.atune")).toEqual({ ok: true, text: printed });
        }
      }),
      { numRuns: 10_000 },
    );
  });

  it("reports pathological nesting and very long expressions (ATN1012) instead of overflowing the stack", () => {
    const inputs = [
      `x = ${"[".repeat(5000)}`,
      `x = ${"(".repeat(2000)}1${")".repeat(2000)}`,
      `x = ${"-".repeat(5000)}1`,
      `recipe r { expect ${"1 + ".repeat(5000)}1 }`,
      `recipe r { expect a${".b".repeat(5000)} }`,
      "recipe r {".repeat(5000),
    ];
    for (const text of inputs) {
      const { diagnostics } = checkSource(text, "deep.atune");
      expect(diagnostics.map((d) => d.code)).toContain("ATN1012");
      expect(formatSource(text, "deep.atune").ok).toBe(false);
    }
  });
});
