import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { formatSource } from "../../compiler/index.ts";

const format = (text: string) => {
  const result = formatSource(text, "f.atune");
  if (!result.ok) throw new Error(result.diagnostics.map((d) => d.message).join("\n"));
  return result.text;
};

const recipeFiles = [
  // Files only: `atune run` leaves its cache in a folder named .atune beside the recipe.
  ...readdirSync(new URL("../../examples/", import.meta.url), { withFileTypes: true })
    .filter((f) => f.isFile() && f.name.endsWith(".atune"))
    .map((f) => f.name)
    .map((f) => new URL(`../../examples/${f}`, import.meta.url)),
  ...readdirSync(new URL("../../recipes/", import.meta.url), { withFileTypes: true })
    .filter((f) => f.isFile() && f.name.endsWith(".atune"))
    .map((f) => f.name)
    .map((f) => new URL(`../../recipes/${f}`, import.meta.url)),
];

describe("atune fmt", () => {
  it("leaves the shipped recipes unchanged (they are canonical)", () => {
    expect(recipeFiles.length).toBeGreaterThanOrEqual(3);
    for (const file of recipeFiles) {
      const text = readFileSync(file, "utf8");
      expect(format(text), file.pathname).toBe(text);
    }
  });

  it("lays out messy input canonically, and formatting twice changes nothing", () => {
    const messy = `recipe   r{seed=7
param eta:ratio=20%
  model base=builtin "tiny"{seed=1}
dataset d=collect [a,b,]with g{prompt=react(shots=1) max_turns=20 keep reward>=2/3 for [web] dedupe}
   mix m=sample{d:eta,g:(1-eta)}{total=3000 examples}
}`;
    const once = format(messy);
    expect(once).toBe(`recipe r {
  seed = 7
  param eta: ratio = 20%
  model base = builtin "tiny" { seed = 1 }
  dataset d = collect [a, b] with g {
    prompt = react(shots = 1)
    max_turns = 20
    keep reward >= 2/3 for [web]
    dedupe
  }
  mix m = sample { d: eta, g: 1 - eta } { total = 3000 examples }
}
`);
    expect(format(once)).toBe(once);
  });

  it("keeps every comment (one inside an expression moves to the end of its statement) and blank lines (at most one)", () => {
    const text = `// header

recipe r { // after the brace
  // about seed
  seed = 7 /* trailing block */


  /* lonely */
  model base = builtin /* inside */ "tiny" {
    seed = 1 // trailing line
    // dangling in block
  }
  // dangling in recipe
}
// end of file
`;
    const once = format(text);
    for (const comment of text.match(/\/\/[^\n]*|\/\*[\s\S]*?\*\//g) ?? []) expect(once).toContain(comment);
    expect(once).not.toMatch(/\n\n\n/);
    expect(format(once)).toBe(once);
    expect(once).toBe(`// header

recipe r {
  // after the brace
  // about seed
  seed = 7 /* trailing block */

  /* lonely */
  model base = builtin "tiny" {
    seed = 1 // trailing line
    // dangling in block
  } /* inside */
  // dangling in recipe
}
// end of file
`);
  });

  it("keeps comments on record entries in place, printing the record one entry a line", () => {
    const text = `recipe r {
  dataset a = builtin "general"
  dataset b = builtin "general"
  mix general = sample { a: 0.2, /* GPT-4 answers */ b: 0.8 // GPT-3.5 answers
    // (ShareGPT)
  } { total = 2M tokens }
}
`;
    const once = format(text);
    expect(once).toBe(`recipe r {
  dataset a = builtin "general"
  dataset b = builtin "general"
  mix general = sample {
    a: 0.2,
    /* GPT-4 answers */
    b: 0.8, // GPT-3.5 answers
    // (ShareGPT)
  } { total = 2M tokens }
}
`);
    expect(format(once)).toBe(once);
  });

  it("refuses a file with errors", () => {
    const result = formatSource('recipe r {\n  model base = builtin "tiny" { sed = 1 }\n}', "f.atune");
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.diagnostics[0]).toMatchObject({ code: "ATN2001", suggestions: ["seed"] });
  });
});
