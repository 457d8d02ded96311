import { describe, expect, it } from "vitest";
import { readNumber, readString, writeString } from "../../compiler/ast/literals.ts";
import { tokenize } from "../../grammar/lexer.ts";

const names = (text: string) => tokenize(text).tokens.map((t) => t.tokenType.name);

describe("lexer", () => {
  it("reads keywords, names that start with keywords, and the longest keyword first", () => {
    expect(names("eval evaluate evaluated in int import")).toEqual([
      "Kw_eval",
      "Kw_evaluate",
      "Identifier",
      "Kw_in",
      "Identifier",
      "Kw_import",
    ]);
  });

  it("reads numbers with their units attached, and ranges between numbers", () => {
    expect(tokenize("5e-5 20% 30s 10MB 4k 0..3").tokens.map((t) => t.image)).toEqual([
      "5e-5",
      "20%",
      "30s",
      "10MB",
      "4k",
      "0",
      "..",
      "3",
    ]);
  });

  it("keeps comments aside, and reports characters it cannot read with their position", () => {
    const result = tokenize("a // line\n/* block\n */ b $ c");
    expect(result.tokens.map((t) => t.image)).toEqual(["a", "b", "c"]);
    expect(result.groups.comments.map((t) => t.image)).toEqual(["// line", "/* block\n */"]);
    expect(result.errors).toHaveLength(1);
    expect(result.errors[0]).toMatchObject({ line: 3, column: 7 });
  });
});

describe("literal values", () => {
  it("converts units to base units", () => {
    expect(readNumber("20%")).toEqual({ ok: true, value: 0.2, unit: "%" });
    expect(readNumber("5m")).toEqual({ ok: true, value: 300, unit: "m" });
    expect(readNumber("2h")).toEqual({ ok: true, value: 7200, unit: "h" });
    expect(readNumber("10MB")).toEqual({ ok: true, value: 10_000_000, unit: "MB" });
    expect(readNumber("4k")).toEqual({ ok: true, value: 4000, unit: "k" });
    expect(readNumber("5e-5")).toEqual({ ok: true, value: 5e-5, unit: null });
    expect(readNumber("3xy")).toEqual({ ok: false, digits: "3", unit: "xy" });
  });

  it("decodes escapes, reports unknown ones, and writes strings back canonically", () => {
    expect(readString('"a\\n\\t\\"\\\\\\u{1F600}"')).toEqual({ value: 'a\n\t"\\😀', badEscapes: [] });
    expect(readString('"x\\q"').badEscapes).toEqual([{ offset: 2, text: "\\q" }]);
    const tricky = 'quote " slash \\ newline \n tab \t bell \u0007 emoji 😀';
    expect(readString(writeString(tricky)).value).toBe(tricky);
  });
});
