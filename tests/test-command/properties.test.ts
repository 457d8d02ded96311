// The parts behind atune test: param domains, and the determinism property on two plans.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { ParamDeclaration } from "../../compiler/ast/nodes.ts";
import { compileRecipe } from "../../compiler/compile.ts";
import { parse } from "../../compiler/parse.ts";
import { loadProgram } from "../../compiler/resolve/program.ts";
import { paramDomain } from "../../compiler/test/domains.ts";
import { checkDeterminism } from "../../compiler/test/properties.ts";

const param = (text: string): ParamDeclaration => {
  const item = parse(`recipe r { ${text} }`).ast.items[0];
  if (item.kind !== "Recipe" || item.members[0].kind !== "Param") throw new Error("not a param");
  return item.members[0];
};
const sample = (text: string, sweep: unknown[] = []) =>
  fc.sample(paramDomain(param(text), sweep).arbitrary, { numRuns: 400, seed: 1 });

describe("param domains", () => {
  it("keep to the declared range or list", () => {
    expect(new Set(sample("param shots: int in 0..3 = 1"))).toEqual(new Set([0, 1, 2, 3]));
    for (const v of sample("param eta: ratio in 10%..30% = 20%")) {
      expect(v).toBeGreaterThanOrEqual(0.1);
      expect(v).toBeLessThanOrEqual(0.3);
    }
    expect(new Set(sample('param split_name: string in ["train", "test"] = "test"'))).toEqual(
      new Set(["train", "test"]),
    );
  });

  it("use the type's natural domain without a constraint, and always include a sweep's values", () => {
    const ratios = sample("param eta: ratio = 20%", [0.37, 0.91]);
    expect(ratios.every((v) => typeof v === "number" && v >= 0 && v <= 1)).toBe(true);
    expect(ratios).toContain(0.37);
    expect(ratios).toContain(0.91);
    expect(new Set(sample("param on: bool = true"))).toEqual(new Set([true, false]));
  });
});

describe("the determinism property", () => {
  it("passes two compiles of one recipe and names the stage when two plans differ", () => {
    const file = "examples/quickstart.atune";
    const first = compileRecipe(file).plan!;
    const program = loadProgram(file);
    expect(checkDeterminism(first, compileRecipe(file).plan!, program)).toEqual([]);
    const changed = structuredClone(first);
    const mix = changed.stages.find((s) => s.id === "mix.tuning")!;
    mix.key = "0".repeat(64);
    const [problem] = checkDeterminism(first, changed, program);
    expect(problem.code).toBe("ATN4002");
    expect(problem.message).toContain("stage 'mix.tuning' differs");
    expect(problem.span.line).toBe(program.declarations.get("tuning")!.node.name.span.line);
  });
});
