// docs/language.md documents every diagnostic code and every key of the schema.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { codes } from "../../compiler/diagnostics/codes.ts";
import { declarationSchema, recipeSettings } from "../../compiler/schema/kinds.ts";

const doc = readFileSync(new URL("../../docs/language.md", import.meta.url), "utf8");

describe("docs/language.md", () => {
  it("lists every diagnostic code in its table", () => {
    for (const code of Object.keys(codes)) expect(doc, code).toMatch(new RegExp(`^\\| ${code} \\|`, "m"));
  });

  it("names every key each declaration kind accepts", () => {
    const keys = new Set(Object.keys(recipeSettings));
    for (const kind of Object.values(declarationSchema)) {
      for (const form of kind.forms) for (const key of Object.keys(form.keys)) keys.add(key);
    }
    for (const key of keys) expect(doc, key).toContain(`\`${key}\``);
  });
});
