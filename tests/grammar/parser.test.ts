import { describe, expect, it } from "vitest";
import type { Declaration, Expression, RecipeDeclaration } from "../../compiler/ast/nodes.ts";
import { printExpression } from "../../compiler/format/expression.ts";
import { parse } from "../../compiler/parse.ts";
import { stripSpans } from "./arbitraries.ts";

function members(body: string) {
  const { ast, diagnostics } = parse(`recipe r {\n${body}\n}`, "t.atune");
  expect(diagnostics).toEqual([]);
  return (ast.items[0] as RecipeDeclaration).members;
}

function value(text: string): Expression {
  const [setting] = members(`x = ${text}`);
  if (setting.kind !== "Setting") throw new Error("expected a setting");
  return setting.value;
}

describe("parser", () => {
  it("reads the issue's quickstart sketch into declarations with blocks", () => {
    const list = members(`
  seed = 7
  param eta: ratio = 20%
  model base = builtin "tiny"
  task household = builtin "household" { split = train, count = 300 }
  generator teacher = expert
  dataset agent = collect [household] with teacher {
    prompt = react(shots = 1)  max_turns = 20
    keep reward == 1
  }
  mix tuning = sample { agent: eta, general: 1 - eta } { total = 3000 examples }
  train tuned = finetune base on tuning { method = lora(r = 8, alpha = 16), epochs = 2 }
  eval compare = evaluate [base, tuned] { held_in = [household] { split = test } }`);
    expect(list.map((m) => (m.kind === "Declaration" ? m.declKind : m.kind))).toEqual([
      "Setting",
      "Param",
      "model",
      "task",
      "generator",
      "dataset",
      "mix",
      "train",
      "eval",
    ]);
    const agent = list[5] as Declaration;
    expect(agent.value).toMatchObject({
      kind: "Collect",
      mode: "collect",
      generator: { kind: "Ref", name: "teacher" },
    });
    expect(agent.options?.entries.map((e) => e.kind)).toEqual(["Setting", "Setting", "Keep"]);
    const mix = list[6] as Declaration;
    expect(mix.options?.entries[0]).toMatchObject({
      value: { kind: "Number", value: 3000, noun: "examples" },
    });
    const evaluation = list[8] as Declaration;
    expect(evaluation.options?.entries[0]).toMatchObject({
      key: { value: "held_in" },
      options: { kind: "Block" },
    });
  });

  it("applies precedence: or < and < not < comparison < range < + - < * / < unary minus", () => {
    const shape = (text: string) => printExpression(value(text));
    expect(stripSpans(value("1 - eta * 2"))).toMatchObject({ op: "-", right: { op: "*" } });
    expect(stripSpans(value("not a == b and c"))).toMatchObject({
      op: "and",
      left: { kind: "Unary", op: "not", operand: { op: "==" } },
    });
    expect(stripSpans(value("a or b and c"))).toMatchObject({ op: "or", right: { op: "and" } });
    expect(stripSpans(value("-a.b(1)"))).toMatchObject({ kind: "Unary", operand: { kind: "Call" } });
    expect(stripSpans(value("x in 1..2 + 3"))).toMatchObject({
      op: "in",
      right: { kind: "Range", to: { op: "+" } },
    });
    expect(stripSpans(value("share within 1% of eta"))).toMatchObject({
      kind: "Within",
      tolerance: { unit: "%" },
    });
    expect(shape("(1 - 2) - 3")).toBe("1 - 2 - 3");
    expect(shape("1 - (2 - 3)")).toBe("1 - (2 - 3)");
    expect(shape("(collect a with b).count")).toBe("(collect a with b).count");
  });

  it("reads imports, exports, params with constraints, sweeps and expectations", () => {
    const { ast, diagnostics } = parse(
      `import "@acme/agent-recipes/webshop.atune"\nimport { shop_tasks, web } from "./x.atune"\nexport task t = module "./envs/expense.ts"#expenseEnv`,
      "t",
    );
    expect(diagnostics).toEqual([]);
    expect(stripSpans(ast.items)).toMatchObject([
      { kind: "Import", names: null, source: { value: "@acme/agent-recipes/webshop.atune" } },
      { kind: "Import", names: [{ value: "shop_tasks" }, { value: "web" }] },
      { kind: "Declaration", exported: true, value: { kind: "Module", exportName: { value: "expenseEnv" } } },
    ]);
    const list = members(
      `param shots: int in 0..3 = 1\nsweep eta in [0, 20%]\nexpect dataset.agent.count >= 1000`,
    );
    expect(stripSpans(list)).toMatchObject([
      { kind: "Param", type: { value: "int" }, constraint: { kind: "Range" }, default: { value: 1 } },
      { kind: "Sweep", param: { value: "eta" }, values: { kind: "List" } },
      { kind: "Expect", condition: { op: ">=", left: { kind: "Member", property: { value: "count" } } } },
    ]);
  });

  it("reads every value form", () => {
    expect(value('hf "./models/llama"')).toMatchObject({ kind: "Hf", path: { value: "./models/llama" } });
    expect(value('load "./d.jsonl" as sharegpt')).toMatchObject({
      kind: "Load",
      format: { value: "sharegpt" },
    });
    expect(value("self_instruct [os] with gpt4")).toMatchObject({ kind: "Collect", mode: "self_instruct" });
    expect(value("model tuned")).toMatchObject({ kind: "LocalModel", model: { name: "tuned" } });
    expect(value('env("OPENAI_API_KEY")')).toMatchObject({
      kind: "Call",
      args: [{ name: null, value: { kind: "String" } }],
    });
    expect(value("2M tokens")).toMatchObject({ value: 2_000_000, noun: "tokens" });
    expect(value("[a, b,]")).toMatchObject({ kind: "List", elements: [{}, {}] });
  });

  it("keeps going after a syntax error and reads the declarations after it", () => {
    const { ast, diagnostics } = parse(
      `recipe r {\n  task a = builtin "shop" { split = }\n  ] ]\n  model m = builtin "tiny"\n}`,
      "t",
    );
    expect(diagnostics.map((d) => [d.code, d.span.line])).toEqual([
      ["ATN1004", 2],
      ["ATN1004", 3],
    ]);
    const recipe = ast.items[0] as RecipeDeclaration;
    expect(recipe.members.map((m) => (m.kind === "Declaration" ? m.name.value : m.kind))).toEqual(["a", "m"]);
  });

  it("gives every node a span with file, offsets, line and column", () => {
    const source = 'recipe r {\n  model base = builtin "tiny"\n}';
    const recipe = parse(source, "spans.atune").ast.items[0] as RecipeDeclaration;
    const model = recipe.members[0] as Declaration;
    expect(model.name.span).toMatchObject({ file: "spans.atune", line: 2, column: 9, endColumn: 12 });
    expect(source.slice(model.value.span.start, model.value.span.end)).toBe('builtin "tiny"');
  });
});
