// What an expect may name (the check rule) and what its operators mean (the evaluator).
import { describe, expect, it } from "vitest";
import type { Expression } from "../../compiler/ast/nodes.ts";
import { checkSource } from "../../compiler/index.ts";
import { evaluateExpect } from "../../compiler/test/expect.ts";
import { factReference } from "../../compiler/test/facts.ts";
import type { FactValue } from "../../compiler/test/plan-facts.ts";

const recipe = (expects: string) => `recipe r {
  param eta: ratio = 20%
  model base = builtin "tiny"
  task household = builtin "household" { split = train, count = 4 }
  generator teacher = expert
  dataset agent = collect [household] with teacher
  dataset general = builtin "general" { split = train, count = 50 }
  mix tuning = sample { agent: eta, general: 1 - eta } { total = 100 examples }
  train tuned = finetune base on tuning { steps = 5 }
  eval compare = evaluate [base, tuned] { held_in = [household] { split = test } }
  ${expects}
}`;

const problems = (expects: string) =>
  checkSource(recipe(expects)).diagnostics.map((d) => `${d.code} ${d.message}`);

describe("the names an expect may use", () => {
  it("accepts params and every documented fact", () => {
    expect(
      problems(`expect mix.tuning.share(agent) within 1% of eta
  expect mix.tuning.count(general) + mix.tuning.total > 0 and dataset.agent.count >= 1
  expect task.household.count in 1..10 and train.tuned.steps == 5 and not (train.tuned.lr > 1)
  expect eval.compare.held_in(tuned) >= eval.compare.held_in(base) or eval.compare.held_out(base) < 1`),
    ).toEqual([]);
  });

  it("reports unknown names with a span and 'did you mean'", () => {
    const found = checkSource(recipe("expect mix.tunning.share(agnet) within 1% of etaa")).diagnostics;
    expect(found.map((d) => [d.code, d.suggestions[0]])).toEqual([
      ["ATN3004", "tuning"],
      ["ATN3004", "eta"],
    ]);
    expect(found[0].span.line).toBe(11);
    expect(problems("expect mix.tuning.share(agnet) > 0")).toEqual([
      "ATN3004 'agnet' is not a source of mix 'tuning'. Did you mean 'agent'?",
    ]);
    expect(problems("expect eval.compare.held_in(tunde) > 0")).toEqual([
      "ATN3004 'tunde' is not a model of 'compare'. Did you mean 'tuned'?",
    ]);
  });

  it("reports unknown facts and wrong shapes (ATN2019) and wrong kinds (ATN3005)", () => {
    expect(problems("expect mix.tuning.shares(agent) > 0")).toEqual([
      "ATN2019 a mix has no fact 'shares'. Did you mean 'share'?",
    ]);
    expect(problems("expect mixx.tuning.total > 0")).toEqual([
      "ATN2019 'mixx' has no facts. Did you mean 'mix'?",
    ]);
    expect(problems("expect mix.tuning.share > 0")).toEqual([
      "ATN2019 mix.tuning.share takes one argument: the name of a source of mix 'tuning'",
    ]);
    expect(problems("expect dataset.agent.count(agent) > 0")).toEqual([
      "ATN2019 dataset.agent.count takes no argument",
    ]);
    expect(problems("expect agent > 0")).toEqual([
      "ATN2019 'agent' is a dataset, not a value: an expect reads one of its facts",
    ]);
    expect(problems("expect dataset.tuning.count > 0")).toEqual(["ATN3005 'tuning' is a mix, not a dataset"]);
  });
});

describe("evaluating an expect", () => {
  const condition = (text: string): Expression => {
    const item = checkSource(recipe(`expect ${text}`)).ast.items[0];
    if (item.kind !== "Recipe") throw new Error("no recipe");
    const last = item.members.at(-1)!;
    if (last.kind !== "Expect") throw new Error("no expect");
    return last.condition;
  };
  const facts: Record<string, FactValue> = {
    "mix.tuning.share": { value: 0.2 },
    "dataset.agent.count": { skipped: "needs a run" },
  };
  const run = (text: string) =>
    evaluateExpect(condition(text), {
      params: new Map([["eta", 0.19]]),
      fact: (e) => {
        const ref = factReference(e);
        return ref ? facts[`${ref.namespace.value}.${ref.name.value}.${ref.fact.value}`] : null;
      },
      text: (e) => `<${e.kind}>`,
    });

  it("within is |x − y| ≤ t, with 1% read as 0.01", () => {
    expect(run("mix.tuning.share(agent) within 1% of eta").status).toBe("pass");
    expect(run("mix.tuning.share(agent) within 0.5% of eta").status).toBe("fail");
  });

  it("a fact that needs a run skips the condition, unless and/or are decided by the other side", () => {
    expect(run("dataset.agent.count > 3")).toMatchObject({ status: "skipped", reason: "needs a run" });
    expect(run("dataset.agent.count > 3 and eta > 1").status).toBe("fail");
    expect(run("eta < 1 or dataset.agent.count > 3").status).toBe("pass");
    expect(run("dataset.agent.count > 3 and eta < 1").status).toBe("skipped");
  });

  it("supports in, not and arithmetic, and records the values it read", () => {
    expect(run("eta in 0..20% and not (eta in [0.5, 1])").status).toBe("pass");
    const outcome = run("mix.tuning.share(agent) * 2 > eta + 0.3");
    expect(outcome.status).toBe("fail");
    expect(outcome.values).toEqual([
      ["<Call>", 0.2],
      ["<Ref>", 0.19],
    ]);
  });
});
