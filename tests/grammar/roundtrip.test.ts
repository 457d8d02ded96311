import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { printFile } from "../../compiler/format/print.ts";
import { parse } from "../../compiler/parse.ts";
import { sourceFile, stripSpans } from "./arbitraries.ts";

describe("print then parse", () => {
  it("gives back the same tree (spans aside) for generated recipes, comments included", () => {
    fc.assert(
      fc.property(sourceFile, (ast) => {
        const text = printFile(ast);
        const reparsed = parse(text, "gen");
        expect(reparsed.diagnostics.filter((d) => d.code.startsWith("ATN10"))).toEqual([]);
        expect(stripSpans(reparsed.ast)).toEqual(stripSpans(ast));
        // Printing is a fixed point: the reparsed tree prints to the same text.
        expect(printFile(reparsed.ast)).toBe(text);
      }),
      { numRuns: 400 },
    );
  });
});
