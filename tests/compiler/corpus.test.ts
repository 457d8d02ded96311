// Each broken recipe in tests/fixtures/recipes has its expected diagnostics beside it
// (NAME.expected.json: code, line, column, and the first suggestion when there is one).
import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { checkSource } from "../../compiler/index.ts";

const dir = new URL("../fixtures/recipes/", import.meta.url);
const fixtures = readdirSync(dir).filter((f) => f.endsWith(".atune"));

describe("broken-recipe corpus", () => {
  it("has fixtures", () => {
    expect(fixtures.length).toBeGreaterThanOrEqual(15);
  });

  for (const fixture of fixtures) {
    it(`reports exactly the expected diagnostics for ${fixture}`, () => {
      const source = readFileSync(new URL(fixture, dir), "utf8");
      const expected = JSON.parse(
        readFileSync(new URL(fixture.replace(/\.atune$/, ".expected.json"), dir), "utf8"),
      );
      const { diagnostics } = checkSource(source, fixture);
      const actual = diagnostics.map((d) => ({
        code: d.code,
        line: d.span.line,
        column: d.span.column,
        ...(d.suggestions[0] ? { suggestion: d.suggestions[0] } : {}),
      }));
      expect(actual).toEqual(expected);
      for (const d of diagnostics) {
        expect(d.span.file).toBe(fixture);
        expect(d.help, `${d.code} should say how to fix it`).toBeTruthy();
      }
    });
  }
});
