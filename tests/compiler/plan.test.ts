import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import fc from "fast-check";
import { describe, expect, it, vi } from "vitest";
import { type Command, UsageError } from "../../cli/command.ts";
import { compile } from "../../cli/commands/compile.ts";
import { planCommand } from "../../cli/commands/plan.ts";
import { runCommand } from "../../cli/commands/run.ts";
import { compileRecipe } from "../../compiler/compile.ts";
import { GENERAL_DATA_VERSION } from "../../runtime/data/general/index.ts";
import { formatPlan } from "../../runtime/plan/io.ts";
import { planProblems } from "../../runtime/plan/key.ts";
import type { Plan } from "../../runtime/plan/types.ts";

const root = fileURLToPath(new URL("../../", import.meta.url));
const fixture = (name: string) => join(root, "tests/fixtures/plan", name);
// A fixed copy of the full-size quickstart, so tuning the example does not change these tests.
const quickstart = join(root, "tests/fixtures/plan/quickstart-full.atune");
const quickstartText = readFileSync(quickstart, "utf8");

const codes = (file: string) =>
  compileRecipe(file).diagnostics.map((d) => `${d.code} ${d.span.line}:${d.span.column}`);
const stage = (plan: Plan, id: string) => plan.stages.find((s) => s.id === id);

describe("the planner", () => {
  it("gives byte-identical plans for the same recipe, with sound keys", () => {
    const a = compileRecipe(quickstart);
    const b = compileRecipe(quickstart);
    expect(a.diagnostics.map((d) => d.code)).toEqual(["ATN3013"]);
    expect(formatPlan(a.plan!)).toBe(formatPlan(b.plan!));
    expect(planProblems(a.plan!.stages, a.plan!.atune)).toEqual([]);
  });

  it("fills in the defaults and maps each declaration to its stages", () => {
    const plan = compileRecipe(quickstart).plan!;
    expect(stage(plan, "tasks.household")?.config).toMatchObject({
      env: { builtin: "household" },
      split: "train",
      count: 60,
    });
    expect(stage(plan, "collect.agent")?.config).toMatchObject({
      generator: { type: "expert" },
      shots: 1,
      maxTurns: 20,
    });
    expect(stage(plan, "filter.agent")?.config).toEqual({
      filters: [{ type: "reward", op: "==", value: 1 }, { type: "format" }, { type: "dedupe" }],
    });
    // The built-in data's generator version is part of its configuration, hence of its cache key.
    expect(stage(plan, "builtin_data.general")?.config).toEqual({
      name: "general",
      split: "train",
      count: 2000,
      seed: expect.any(Number),
      version: GENERAL_DATA_VERSION,
    });
    expect(stage(plan, "mix.tuning")?.config).toMatchObject({
      weights: { "filter.agent": 0.2, "builtin_data.general": 0.8 },
      stop: "total",
      total: 3000,
      unit: "examples",
    });
    expect(stage(plan, "train.tuned")?.config).toMatchObject({
      base: "model.base",
      data: "mix.tuning",
      method: { type: "lora", r: 8, alpha: 16, dropout: 0.05, targets: ["q_proj", "v_proj"] },
      optimizer: { lr: 1e-3, betas: [0.9, 0.95], eps: 1e-8, weightDecay: 0.1 },
      warmup: 0.02,
      epochs: 2,
      seqLen: 512,
      checkpointEvery: 0,
      gradAccum: 1,
    });
    const evalStage = stage(plan, "eval.compare")!;
    expect(evalStage.config).toMatchObject({
      models: [
        { name: "base", generator: { type: "model", stage: "model.base" } },
        { name: "tuned", generator: { type: "model", stage: "train.tuned" } },
      ],
      general: [{ stage: "builtin_data.general_eval" }],
    });
    // held_in with options: test-split task sets of their own; held_out: the declared sets.
    expect(stage(plan, "tasks.compare.household")?.config).toMatchObject({ split: "test", count: 20 });
    expect(evalStage.inputs).toContain("tasks.sciworld");
    // Every stage's seed is fixed even where the recipe gives none.
    expect(typeof (stage(plan, "mix.tuning")!.config as { seed: number }).seed).toBe("number");
  });

  it("carries the prompt style to collection and evaluation, and an evaluation's reply limit", () => {
    const text = quickstartText
      .replace("prompt = react(shots = 1)", "prompt = act(shots = 0, intro = false)")
      .replace(
        "eval compare = evaluate [base, tuned] {",
        "eval compare = evaluate [base, tuned] {\n    prompt = act(shots = 0, intro = false)\n    max_tokens = 48",
      );
    const plan = compileRecipe(quickstart, [], text).plan!;
    expect(stage(plan, "collect.agent")?.config).toMatchObject({ prompt: "act", shots: 0, intro: false });
    const evalConfig = stage(plan, "eval.compare")?.config as { models: Array<{ generator: object }> };
    expect(evalConfig).toMatchObject({ prompt: "act", shots: 0, intro: false });
    expect(evalConfig.models[0].generator).toMatchObject({ maxTokens: 48 });
    // The defaults: ReAct, one shot, the introduction (not written into the plan).
    const plain = stage(compileRecipe(quickstart).plan!, "eval.compare")?.config;
    expect(plain).toMatchObject({ prompt: "react", shots: 1 });
    expect(plain).not.toHaveProperty("intro");
  });

  it("gives an openai generator its prices per million tokens when the recipe names them", () => {
    const plan = compileRecipe(join(root, "recipes/agenttuning.atune")).plan!;
    const collect = plan.stages.find((s) => s.kind === "collect")!;
    expect((collect.config as { generator: object }).generator).toMatchObject({
      type: "openai",
      prices: { prompt: 30, completion: 60 },
    });
  });

  it("changes exactly the keys of the changed stage and its dependants", () => {
    const fields: Array<[RegExp, (n: number) => string]> = [
      [/count = 60 \}/, (n) => `count = ${n} }`],
      [/max_turns = 20\n {4}repeat_limit/, (n) => `max_turns = ${n}\n    repeat_limit`],
      [/param eta: ratio = 20%/, (n) => `param eta: ratio = ${n}%`],
      [/total = 3000 examples/, (n) => `total = ${n} examples`],
      [/epochs = 2/, (n) => `epochs = ${n}`],
      [/seq_len = 512/, (n) => `seq_len = ${n}`],
      [/count = 2000/, (n) => `count = ${n}`],
      [/held_out = \[sciworld, cardgame, multihop\]/, () => "held_out = [sciworld, cardgame]"],
    ];
    const before = compileRecipe(quickstart).plan!;
    fc.assert(
      fc.property(fc.nat(fields.length - 1), fc.integer({ min: 21, max: 99 }), (field, value) => {
        const [pattern, replacement] = fields[field];
        const text = quickstartText.replace(pattern, replacement(value));
        const after = compileRecipe(quickstart, [], text).plan!;
        const config = (p: Plan, id: string) => JSON.stringify(stage(p, id)?.config ?? null);
        const changed = new Set(
          after.stages.filter((s) => config(before, s.id) !== config(after, s.id)).map((s) => s.id),
        );
        // Close over dependants.
        for (const s of after.stages) if (s.inputs.some((i) => changed.has(i))) changed.add(s.id);
        for (const s of after.stages) {
          const old = stage(before, s.id);
          expect(old?.key !== s.key, s.id).toBe(changed.has(s.id));
        }
        expect(changed.size).toBeGreaterThan(0);
      }),
      { numRuns: 25 },
    );
  });

  it("expands a sweep into branches that share the stages upstream of the param", () => {
    const plan = compileRecipe(join(root, "examples/eta-sweep.atune")).plan!;
    const ids = plan.stages.map((s) => s.id);
    expect(ids.filter((id) => id.startsWith("collect.agent"))).toEqual(["collect.agent"]);
    expect(ids.filter((id) => id.startsWith("mix.tuning"))).toEqual([
      "mix.tuning@eta=0",
      "mix.tuning@eta=0.2",
      "mix.tuning@eta=0.5",
      "mix.tuning@eta=1",
    ]);
    expect(ids).toContain("tasks.compare.household");
    expect(stage(plan, "mix.tuning@eta=0.5")?.inputs).toEqual(["filter.agent", "builtin_data.general"]);
    expect(stage(plan, "train.tuned@eta=0.2")?.inputs).toEqual(["model.base", "mix.tuning@eta=0.2"]);
    expect(plan.params.eta).toEqual([0, 0.2, 0.5, 1]);
    // One report over every branch, each evaluation tagged with its value.
    expect(ids.filter((id) => id.startsWith("report."))).toEqual(["report.sweep_report"]);
    expect(stage(plan, "report.sweep_report")?.config).toEqual({
      title: "eta ablation",
      sweep: "eta",
      evals: [0, 0.2, 0.5, 1].map((eta) => ({ stage: `eval.compare@eta=${eta}`, params: { eta } })),
    });
    expect(new Set(ids).size).toBe(ids.length);
  });

  it("refuses training settings the trainer cannot do (ATN3014) instead of replacing them", () => {
    for (const [from, to] of [
      ["optimizer = adamw(lr = 1e-3, betas = [0.9, 0.95], weight_decay = 0.1)", "optimizer = sgd(lr = 0.1)"],
      ["schedule = cosine(warmup = 2%)", "schedule = linear(warmup = 2%)"],
    ]) {
      const result = compileRecipe(quickstart, [], quickstartText.replace(from, to));
      expect(result.plan).toBeNull();
      expect(result.diagnostics.filter((d) => d.severity === "error").map((d) => d.code)).toEqual([
        "ATN3014",
      ]);
    }
  });

  it("types --set overrides like literals and names the param when one is wrong", () => {
    const set = compileRecipe(quickstart, [{ name: "eta", value: "30%" }]).plan!;
    expect(
      (stage(set, "mix.tuning")!.config as { weights: Record<string, number> }).weights["filter.agent"],
    ).toBe(0.3);
    const bad = compileRecipe(quickstart, [{ name: "eta", value: '"high"' }]);
    expect(bad.plan).toBeNull();
    expect(bad.diagnostics[0]).toMatchObject({ code: "ATN3011" });
    expect(bad.diagnostics[0].message).toContain("eta");
    const outside = compileRecipe(join(root, "examples/eta-sweep.atune"), [{ name: "eta", value: "2" }]);
    expect(outside.diagnostics.map((d) => d.code)).toEqual(["ATN3011"]);
    const constrained = quickstartText.replace(
      "param eta: ratio = 20%",
      "param eta: ratio in [20%, 50%] = 20%",
    );
    const notListed = compileRecipe(quickstart, [{ name: "eta", value: "30%" }], constrained);
    expect(notListed.diagnostics.map((d) => d.message)).toEqual([
      "--set eta=30%: 0.3 is not one of 0.2, 0.5",
    ]);
    const unknown = compileRecipe(quickstart, [{ name: "beta", value: "1" }]);
    expect(unknown.diagnostics.map((d) => d.code)).toEqual(["ATN3011"]);
  });

  it("warns about input files that do not exist yet, and still plans", () => {
    const result = compileRecipe(join(root, "recipes/agenttuning.atune"));
    expect(result.plan).not.toBeNull();
    expect(new Set(result.diagnostics.map((d) => d.code))).toEqual(new Set(["ATN3006"]));
    expect(stage(result.plan!, "load.sharegpt_gpt4")?.files[0].sha256).toBe("missing");
    expect(stage(result.plan!, "load.general_eval")?.config).toMatchObject({ format: "openai" });
  });
});

describe("content keys", () => {
  it("do not depend on declaration names: renamed inputs (same seeds) give the same keys", () => {
    const dir = mkdtempSync(join(tmpdir(), "atune-keys-"));
    const recipe = (data: string, mix: string) => {
      const file = join(dir, `${data}.atune`);
      writeFileSync(
        file,
        `recipe r {
  model base = builtin "tiny"
  dataset ${data} = builtin "general" { split = train, count = 20, seed = 3 }
  dataset other = builtin "general" { split = train, count = 30, seed = 3 }
  mix ${mix} = sample { ${data}: 0.5, other: 0.5 } { total = 10 examples, seed = 4 }
  train tuned = finetune base on ${mix} { steps = 1 }
}
`,
      );
      return compileRecipe(file).plan!;
    };
    const a = recipe("general", "tuning");
    const b = recipe("instructions", "blend");
    expect(stage(b, "train.tuned")?.key).toBe(stage(a, "train.tuned")?.key);
    expect(stage(b, "mix.blend")?.key).toBe(stage(a, "mix.tuning")?.key);
    // Different content still gives a different key.
    expect(stage(a, "builtin_data.other")?.key).not.toBe(stage(a, "builtin_data.general")?.key);
  });

  it("let the eta sweep's 0.2 branch reuse the quickstart's mix and trained model", () => {
    const quickstartPlan = compileRecipe(join(root, "examples/quickstart.atune")).plan!;
    const sweep = compileRecipe(join(root, "examples/eta-sweep.atune")).plan!;
    expect(stage(sweep, "train.tuned@eta=0.2")?.key).toBe(stage(quickstartPlan, "train.tuned")?.key);
    expect(stage(sweep, "train.tuned@eta=0.5")?.key).not.toBe(stage(quickstartPlan, "train.tuned")?.key);
  });
});

describe("resolution across imports", () => {
  it("resolves relative files and packages under node_modules", () => {
    const result = compileRecipe(fixture("imports.atune"));
    expect(result.diagnostics).toEqual([]);
    expect(stage(result.plan!, "collect.shop_data")?.inputs).toEqual(["tasks.shop_tasks"]);
  });

  it("reports a private name, a missing export and a missing file", () => {
    const result = compileRecipe(fixture("bad-imports.atune"));
    expect(result.diagnostics.map((d) => `${d.code} ${d.span.line}:${d.span.column}`)).toEqual([
      "ATN3003 1:10",
      "ATN3003 1:25",
      "ATN3001 2:8",
    ]);
    expect(result.diagnostics[0].related[0].span.file).toContain("shop.atune");
    for (const d of result.diagnostics) expect(d.help, d.code).toBeTruthy();
  });

  it("reports an import cycle", () => {
    const cycle = compileRecipe(fixture("cycle.atune")).diagnostics;
    expect(cycle.map((d) => d.code)).toEqual(["ATN3002"]);
    expect(cycle[0].message).toMatch(/cycle-a\.atune → .*cycle-b\.atune → .*cycle-a\.atune/);
  });

  it("resolves a path written in an imported file against that file's folder", () => {
    const dir = mkdtempSync(join(tmpdir(), "atune-import-paths-"));
    mkdirSync(join(dir, "lib"));
    writeFileSync(join(dir, "lib", "episodes.jsonl"), "");
    writeFileSync(
      join(dir, "lib", "data.atune"),
      'export dataset episodes = load "./episodes.jsonl" as sharegpt\n',
    );
    writeFileSync(
      join(dir, "recipe.atune"),
      'import { episodes } from "./lib/data.atune"\nrecipe r {\n  model base = builtin "tiny"\n  train t = finetune base on episodes { steps = 1 }\n}\n',
    );
    const result = compileRecipe(join(dir, "recipe.atune"));
    expect(result.diagnostics).toEqual([]);
    expect(stage(result.plan!, "load.episodes")?.config).toMatchObject({
      path: join(dir, "lib", "episodes.jsonl"),
    });
  });

  it("reports a name declared twice across files with both locations", () => {
    const [dup] = compileRecipe(fixture("dup-import.atune")).diagnostics;
    expect(dup).toMatchObject({ code: "ATN2003", span: { line: 3, column: 8 } });
    expect(dup.related[0].span.file).toContain("lib/shop.atune");
  });
});

describe("reference, secret and shots checks", () => {
  it("reports each with its code, span and suggestion", () => {
    const result = compileRecipe(fixture("bad-references.atune"));
    expect(codes(fixture("bad-references.atune"))).toEqual([
      "ATN3009 5:55",
      "ATN3004 6:34",
      "ATN3010 6:79",
      "ATN3005 7:34",
      "ATN3005 8:34",
    ]);
    expect(result.diagnostics.find((d) => d.code === "ATN3004")?.suggestions).toEqual(["shop"]);
  });

  it("refuses env(…) anywhere but a secret, where the plan would silently drop it", () => {
    const dir = mkdtempSync(join(tmpdir(), "atune-env-"));
    const file = join(dir, "r.atune");
    writeFileSync(
      file,
      [
        "recipe r {",
        '  seed = env("SEED")',
        '  model base = builtin "tiny" { context = 64 * 2 }',
        '  task shop = builtin "shop" { count = 5, options = { difficulty: env("LEVEL") } }',
        '  generator gpt = openai { model = "gpt-4", api_key = env("OPENAI_API_KEY") }',
        "}",
        "",
      ].join("\n"),
    );
    const result = compileRecipe(file);
    expect(result.plan).toBeNull();
    expect(result.diagnostics.map((d) => `${d.code} ${d.span.line}:${d.span.column}`)).toEqual([
      "ATN3015 2:10",
      "ATN3015 4:67",
    ]);
    expect(result.diagnostics[0].message).toBe(
      "'seed' cannot be read from the environment: only api_key can",
    );
  });
});

describe("hygiene, mix shares and TypeScript modules", () => {
  it("warns about evaluation tasks that can overlap training tasks, and refuses held-out training", () => {
    const result = compileRecipe(fixture("hygiene.atune"));
    expect(result.diagnostics.map((d) => `${d.code} ${d.span.line}:${d.span.column}`)).toEqual([
      "ATN3008 9:34",
      "ATN3007 11:16",
      "ATN3007 11:22",
    ]);
    expect(result.diagnostics[1].message).toContain("the very tasks");
    expect(result.diagnostics[2].message).toContain("can overlap");
    expect(result.diagnostics[1].related[0].span.line).toBe(9);
  });

  it("refuses episode filters on data that was not collected", () => {
    const result = compileRecipe(fixture("filter-applicability.atune"));
    expect(result.diagnostics.map((d) => `${d.code} ${d.span.line}:${d.span.column}`)).toEqual([
      "ATN2010 6:46",
    ]);
    expect(result.diagnostics[0].message).toContain("'reward' is a field of collected episodes");
  });

  it("reports the realised per-source share of a mix of known size", () => {
    const [share] = compileRecipe(quickstart).diagnostics;
    expect(share).toMatchObject({ code: "ATN3013", severity: "info", span: { line: 41 } });
    expect(share.message).toBe(
      "mix 'tuning' takes 3000 examples: 600 from filter.agent (20%), 2400 from builtin_data.general (80%) — only 2000 available, so examples repeat",
    );
  });

  it("checks module exports against the runtime's interfaces and names the declaration", () => {
    const result = compileRecipe(fixture("modules.atune"));
    expect(result.diagnostics.map((d) => `${d.code} ${d.span.line}:${d.span.column}`)).toEqual([
      "ATN3012 3:50",
      "ATN3012 4:24",
      "ATN3012 5:62",
      "ATN3012 9:41",
    ]);
    const [broken, absent, misnamed, predicate] = result.diagnostics;
    expect(broken.message).toContain("wrong-env.ts:2) is not an environment");
    expect(broken.message).toContain("missing the following properties");
    expect(absent.message).toContain("does not exist");
    expect(misnamed.suggestions).toEqual(["expenseEnv"]);
    expect(predicate.message).toContain("filters.ts:9) is not a filter predicate");
    // The correct ones (expenseEnv, keepLong) are not reported.
    expect(result.diagnostics.some((d) => /expenseEnv'|keepLong/.test(d.message))).toBe(false);
  });
});

describe("atune compile, plan and run", () => {
  const bin = join(root, "bin/atune.js");
  const atune = (...args: string[]) =>
    spawnSync(process.execPath, [bin, ...args], { encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } });
  /** A command in this process, as cli/main.ts runs it (a usage error is exit 2). */
  const inProcess = async (command: Command, ...args: string[]) => {
    const log = vi.spyOn(console, "log").mockImplementation(() => {});
    const error = vi.spyOn(console, "error").mockImplementation(() => {});
    const write = vi.spyOn(process.stdout, "write").mockImplementation(() => true);
    try {
      const status = await command.run(args);
      return { status, stdout: log.mock.calls.map((c) => c.join(" ")).join("\n") };
    } catch (e) {
      if (e instanceof UsageError) return { status: 2, stdout: "" };
      throw e;
    } finally {
      log.mockRestore();
      error.mockRestore();
      write.mockRestore();
    }
  };

  it("compiles and plans every example and recipe", async () => {
    const dir = mkdtempSync(join(tmpdir(), "atune-plan-"));
    for (const file of [
      "examples/quickstart.atune",
      "examples/eta-sweep.atune",
      "recipes/agenttuning.atune",
    ]) {
      const out = join(dir, `${file.replace(/\W/g, "_")}.yaml`);
      expect((await inProcess(compile, join(root, file), "-o", out)).status).toBe(0);
      const planned = await inProcess(planCommand, out, "--root", join(dir, "cache"));
      expect(planned.status).toBe(0);
      expect(planned.stdout).toMatch(/\d+ stages: \d+ to run \(0 changed\), 0 cached/);
    }
  });

  it("runs a small recipe end to end through bin/atune.js, and a second run finds every stage cached", async () => {
    const dir = mkdtempSync(join(tmpdir(), "atune-run-"));
    const first = atune("run", fixture("small.atune"), "--root", dir);
    expect(first.status, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/\+ mix\.tuning\s+ran/);
    expect(first.stdout).toContain("manifest: ");
    const second = atune("run", fixture("small.atune"), "--root", dir);
    expect(second.status, second.stderr).toBe(0);
    expect(second.stdout.match(/cached/g)?.length).toBe(6);
    const planned = await inProcess(planCommand, fixture("small.atune"), "--root", dir);
    expect(planned.stdout).toContain("6 stages: 0 to run (0 changed), 6 cached");
    const changed = await inProcess(planCommand, fixture("small.atune"), "--set", "eta=0.3", "--root", dir);
    expect(changed.stdout).toMatch(/~ mix\.tuning\s+mix\s+\(changed: weights\./);
  });

  it("refuses a recipe with errors (exit 1) and a bad call (exit 2)", async () => {
    expect((await inProcess(runCommand, fixture("bad-references.atune"))).status).toBe(1);
    expect((await inProcess(compile)).status).toBe(2);
    expect((await inProcess(compile, fixture("small.atune"), "--set", "eta")).status).toBe(2);
  });
});
