import { describe, expect, it } from "vitest";
import type { Span } from "../../compiler/ast/nodes.ts";
import { codes } from "../../compiler/diagnostics/codes.ts";
import {
  diagnostic,
  finalizeDiagnostics,
  MAX_DIAGNOSTICS_PER_FILE,
} from "../../compiler/diagnostics/diagnostic.ts";
import { diagnosticToJson, renderDiagnostic, useColor } from "../../compiler/diagnostics/render.ts";
import { didYouMean, editDistance, suggestionList } from "../../compiler/diagnostics/suggest.ts";
import { checkSource } from "../../compiler/index.ts";

const span = (line: number, column: number, length: number, start = 0): Span => ({
  file: "f.atune",
  start,
  end: start + length,
  line,
  column,
  endLine: line,
  endColumn: column + length - 1,
});

describe("suggestions", () => {
  it("counts a swap of neighbours as one edit (Damerau–Levenshtein)", () => {
    expect(editDistance("dataset", "datset")).toBe(1);
    expect(editDistance("reward", "rewrad")).toBe(1);
    expect(editDistance("abc", "xyz")).toBe(3);
  });

  it("offers close candidates nearest first, case-only differences first of all, and nothing far away", () => {
    expect(suggestionList("max_turn", ["max_turns", "max_tokens", "seed"])).toEqual([
      "max_turns",
      "max_tokens",
    ]);
    expect(suggestionList("Keep", ["keep", "kept"])).toEqual(["keep", "kept"]);
    expect(suggestionList("zzz", ["keep", "dedupe"])).toEqual([]);
    expect(didYouMean(["a", "b", "c"])).toBe(" Did you mean 'a', 'b' or 'c'?");
  });
});

describe("code frames", () => {
  const source = "recipe r {\n  seeed = 7\n}";
  const d = diagnostic("ATN2001", span(2, 3, 5, 13), {
    message: "unknown key 'seeed'. Did you mean 'seed'?",
    help: "the keys here are: seed",
    suggestions: ["seed"],
    related: [{ message: "the recipe", span: span(1, 8, 1, 7) }],
  });

  it("shows file:line:col, the source line, a caret underline, the fix and related locations", () => {
    expect(renderDiagnostic(d, source, false)).toBe(
      [
        "error[ATN2001]: unknown key 'seeed'. Did you mean 'seed'?",
        "  --> f.atune:2:3",
        "   |",
        " 2 |   seeed = 7",
        "   |   ^^^^^",
        "  = help: the keys here are: seed",
        "  = note: the recipe",
        "  --> f.atune:1:8",
        "   |",
        " 1 | recipe r {",
        "   |        ^",
      ].join("\n"),
    );
  });

  it("colours only when asked, and the default honours NO_COLOR and terminals", () => {
    expect(renderDiagnostic(d, source, true)).toContain("\u001b[31m");
    expect(renderDiagnostic(d, source, false)).not.toContain("\u001b[");
    expect(useColor({ isTTY: false })).toBe(false);
    const saved = process.env.NO_COLOR;
    process.env.NO_COLOR = "1";
    expect(useColor({ isTTY: true })).toBe(false);
    delete process.env.NO_COLOR;
    expect(useColor({ isTTY: true })).toBe(true);
    if (saved !== undefined) process.env.NO_COLOR = saved;
  });

  it("has a stable JSON form", () => {
    expect(diagnosticToJson(d)).toEqual({
      code: "ATN2001",
      severity: "error",
      message: "unknown key 'seeed'. Did you mean 'seed'?",
      help: "the keys here are: seed",
      file: "f.atune",
      line: 2,
      column: 3,
      endLine: 2,
      endColumn: 7,
      start: 13,
      end: 18,
      suggestions: ["seed"],
      related: [{ message: "the recipe", file: "f.atune", line: 1, column: 8 }],
    });
  });
});

describe("reporting", () => {
  it("caps a file at 100 diagnostics and says how many more were suppressed", () => {
    const body = Array.from({ length: 150 }, (_, i) => `  key${i} = ${i}`).join("\n");
    const { diagnostics } = checkSource(`recipe r {\n${body}\n}`, "many.atune");
    expect(diagnostics).toHaveLength(MAX_DIAGNOSTICS_PER_FILE + 1);
    expect(diagnostics[100]).toMatchObject({
      code: "ATN9001",
      message: "50 more diagnostics in this file were suppressed",
    });
  });

  it("sorts by position", () => {
    const list = finalizeDiagnostics([
      diagnostic("ATN2001", span(3, 1, 1, 30), { message: "b" }),
      diagnostic("ATN2001", span(1, 1, 1, 0), { message: "a" }),
    ]);
    expect(list.map((x) => x.message)).toEqual(["a", "b"]);
  });

  it("reports every problem of a file in one run, each with both locations for duplicates", () => {
    const { diagnostics } = checkSource(
      'recipe r {\n  model m = builtin "tiny"\n  model m = builtin "tiny" { seed = 1, seed = 2 }\n  datset d = builtin "general"\n}',
      "all.atune",
    );
    expect(diagnostics.map((x) => x.code)).toEqual(["ATN2003", "ATN2002", "ATN1009"]);
    expect(diagnostics[0].related[0].span.line).toBe(2);
    expect(diagnostics[1].related[0].span).toMatchObject({ line: 3, column: 30 });
  });

  it("gives every code a title", () => {
    for (const [code, info] of Object.entries(codes)) {
      expect(code).toMatch(/^ATN\d{4}$/);
      expect(info.title.length).toBeGreaterThan(5);
    }
  });
});
