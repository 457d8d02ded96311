/**
 * `atune test` for one recipe: fast-check samples every param's domain; each instance is compiled
 * (twice) through compileRecipe with the values as `--set` overrides and checked for the
 * properties (properties.ts) and the recipe's expects. A failure is shrunk to the simplest
 * instance that still fails, and reported with the diagnostics of that instance.
 */
import { readFileSync } from "node:fs";
import fc from "fast-check";
import type { Plan } from "../../runtime/plan/types.ts";
import type { ExpectStatement, SourceFile, Span } from "../ast/nodes.ts";
import { checkRecipeFile, compileRecipe, type Override } from "../compile.ts";
import { type Diagnostic, diagnostic } from "../diagnostics/diagnostic.ts";
import { parse } from "../parse.ts";
import { evaluate } from "../plan/values.ts";
import { loadProgram, type Program } from "../resolve/program.ts";
import { runDataStages } from "./data.ts";
import { literalOf, type ParamDomain, type ParamValue, paramDomain } from "./domains.ts";
import { ExpectError, type ExpectOutcome, evaluateExpect } from "./expect.ts";
import { factReference } from "./facts.ts";
import { FactReader, outputStage, type Realised } from "./plan-facts.ts";
import {
  checkDeterminism,
  checkHygiene,
  checkMixShares,
  checkSeeds,
  type PropertyName,
  propertyNames,
  TaskDrawer,
} from "./properties.ts";
import { baselineOf, checkResolvedSettings, type ResolvedParam } from "./resolved-settings.ts";

export interface TestOptions {
  runs: number;
  seed: number;
  withData: boolean;
  /** The cache root for --with-data. */
  root: string;
}

export interface ExpectSummary {
  text: string;
  span: Span;
  /** fail: failed at the counterexample; skipped: could not be decided in some run (reason given). */
  status: "pass" | "fail" | "skipped";
  reason?: string;
}

export interface RecipeTestResult {
  file: string;
  ok: boolean;
  /** Instances checked (the failing one included; shrinking steps not counted). */
  runs: number;
  seed: number;
  params: Array<{ name: string; type: string; domain: string }>;
  properties: readonly string[];
  expects: ExpectSummary[];
  /** The shrunk failing instance, or null. */
  counterexample: Record<string, ParamValue> | null;
  shrinks: number;
  /** What fails at the counterexample. */
  failures: Failure[];
  /** The --runs asked for (to reproduce a failure). */
  requestedRuns: number;
  /** Errors the recipe has whatever its params (nothing is sampled then); warnings are not failures. */
  compileErrors: Diagnostic[];
  sources: Map<string, string>;
}

/** One problem at an instance: which check found it, and the diagnostic that says where and why. */
export interface Failure {
  check: PropertyName | "expect" | "data";
  diagnostic: Diagnostic;
}

interface InstanceResult {
  failures: Failure[];
  expects: ExpectOutcome[];
}

export async function testRecipe(file: string, options: TestOptions): Promise<RecipeTestResult> {
  const source = readFileSync(file, "utf8");
  const checked = checkRecipeFile(file, source);
  const program = loadProgram(file, source);
  const expects = (program.recipe?.members ?? []).filter((m): m is ExpectStatement => m.kind === "Expect");
  const base: RecipeTestResult = {
    file,
    ok: false,
    runs: 0,
    seed: options.seed,
    params: [],
    properties: propertyNames,
    expects: expects.map((e) => ({ text: textOf(program, e.condition.span), span: e.span, status: "pass" })),
    counterexample: null,
    shrinks: 0,
    failures: [],
    requestedRuns: options.runs,
    compileErrors: checked.diagnostics.filter((d) => d.severity === "error"),
    sources: program.sources,
  };
  if (base.compileErrors.length > 0) {
    const reason = "the recipe does not compile";
    return { ...base, expects: base.expects.map((e) => ({ ...e, status: "skipped", reason })) };
  }
  // A library file has no recipe to instantiate: the recipes that import it test its declarations.
  if (!program.recipe) return { ...base, ok: true, properties: [] };

  const domains = [...program.params.values()].map(({ node }) =>
    paramDomain(node, sweepValues(program, node.name.value)),
  );
  base.params = domains.map((d) => ({ name: d.name, type: d.type, domain: d.describe }));
  const ast = parse(source, file).ast;
  const instance = new Instance(file, source, ast, program, domains, options);

  const record = fc.record(Object.fromEntries(domains.map((d) => [d.name, d.arbitrary])));
  // Shrinking starts only after a failure, so while everything passes each call is one run.
  const seen: InstanceResult[] = [];
  let crash: unknown = null;
  const property = fc.asyncProperty(record, async (values) => {
    try {
      const result = await instance.check(values);
      seen.push(result);
      return result.failures.length === 0;
    } catch (error) {
      crash ??= error;
      throw error;
    }
  });
  const numRuns = domains.length === 0 ? 1 : options.runs;
  const details = await fc.check(property, { numRuns, seed: options.seed });
  // A throw is atune's own error, not a property of the recipe: let it surface.
  if (crash) throw crash;
  base.runs = details.numRuns;

  // Each expect as it stands at the counterexample; when all passed, skipped if any run could not decide it.
  const outcomes = details.failed
    ? [await instance.check(details.counterexample![0] as Record<string, ParamValue>)]
    : seen;
  base.expects = base.expects.map((summary, i) => {
    if (outcomes.some((o) => o.expects[i]?.status === "fail")) return { ...summary, status: "fail" };
    const skipped = outcomes.map((o) => o.expects[i]).find((o) => o?.status === "skipped");
    if (skipped?.status === "skipped") return { ...summary, status: "skipped", reason: skipped.reason };
    return summary;
  });
  if (details.failed) {
    base.counterexample = details.counterexample![0] as Record<string, ParamValue>;
    base.shrinks = details.numShrinks;
    base.failures = outcomes[0].failures;
    return base;
  }
  base.ok = true;
  return base;
}

/** The values a sweep gives a param (they are always sampled too). */
function sweepValues(program: Program, param: string): unknown[] {
  const sweep = program.sweeps.find((s) => s.param.value === param);
  if (!sweep) return [];
  const none = new Map<string, unknown>();
  if (sweep.values.kind === "Range") {
    const from = evaluate(sweep.values.from, none) as number;
    const to = evaluate(sweep.values.to, none) as number;
    return Array.from({ length: Math.max(0, to - from + 1) }, (_, i) => from + i);
  }
  const values = evaluate(sweep.values, none);
  return Array.isArray(values) ? values : [];
}

function textOf(program: Program, span: Span): string {
  return (program.sources.get(span.file) ?? "").slice(span.start, span.end);
}

/** Compiles and checks one instance of the params. */
class Instance {
  private readonly drawer = new TaskDrawer();
  private readonly baseline: Set<string>;
  private dataRuns = 0;

  constructor(
    private readonly file: string,
    private readonly source: string,
    private readonly ast: SourceFile,
    private readonly program: Program,
    private readonly domains: ParamDomain[],
    private readonly options: TestOptions,
  ) {
    this.baseline = baselineOf(ast);
  }

  async check(values: Record<string, ParamValue>): Promise<InstanceResult> {
    const overrides: Override[] = this.domains.map((d) => ({
      name: d.name,
      value: literalOf(d.type, values[d.name]),
    }));
    const resolved = new Map<string, ResolvedParam>(
      this.domains.map((d) => [d.name, { type: d.type, value: values[d.name] }]),
    );
    const first = compileRecipe(this.file, overrides, this.source);
    const compileFailures: Failure[] = [
      ...first.diagnostics.filter((d) => d.severity === "error"),
      ...checkResolvedSettings(this.ast, resolved, this.baseline),
    ].map((d) => ({ check: "compiles", diagnostic: d }));
    const expectsSkipped = (reason: string): ExpectOutcome[] =>
      this.expects().map(() => ({ status: "skipped", reason, values: [] }));
    if (compileFailures.length > 0 || !first.plan) {
      return { failures: compileFailures, expects: expectsSkipped("the instance does not compile") };
    }
    const plan = first.plan;
    const second = compileRecipe(this.file, overrides, this.source);
    const failures: Failure[] = [];
    const found = (check: Failure["check"], list: Diagnostic[]) =>
      failures.push(...list.map((d) => ({ check, diagnostic: d })));
    found("deterministic", second.plan ? checkDeterminism(plan, second.plan, this.program) : []);

    const params = new Map<string, unknown>(Object.entries(values));
    let realised: Realised = new Map();
    if (this.options.withData) {
      const run = await runDataStages(
        plan,
        this.wantedStages(plan),
        this.options.root,
        `atune-test-${this.options.seed}-${++this.dataRuns}`,
      );
      if ("failed" in run) {
        const stageName = run.failed.stage.split(".").slice(1).join(".");
        found("data", [
          diagnostic(
            "ATN4006",
            this.program.declarations.get(stageName)?.node.name.span ?? this.recipeSpan(),
            {
              message: `data stage '${run.failed.stage}' failed: ${run.failed.message}`,
              help: "fix the cause (atune run on this instance shows the same error); what finished is cached",
            },
          ),
        ]);
        return { failures, expects: expectsSkipped("a data stage failed") };
      }
      realised = run.realised;
    }
    const reader = new FactReader(plan, this.program, realised, this.options.withData);
    const expects = this.expects().map((e) => this.evaluate(e, params, reader));
    found(
      "mix-shares",
      checkMixShares(plan, this.program, realised, this.declaredTolerances(params), (stage) =>
        reader.plannedMix(stage),
      ),
    );
    found("hygiene", await checkHygiene(plan, this.program, this.drawer));
    found("seeds", checkSeeds(plan, this.program, params));
    this.expects().forEach((e, i) => {
      const outcome = expects[i];
      if (outcome.status !== "fail") return;
      const shown = outcome.values.map(([text, value]) => `${text} = ${show(value)}`).join(", ");
      found("expect", [
        diagnostic("ATN4001", e.condition.span, {
          message: `expect does not hold${shown ? `: ${shown}` : ""}`,
          help: "change the recipe so it holds for every allowed value of the params, or narrow the params' domains (param NAME: TYPE in …)",
        }),
      ]);
    });
    return { failures, expects };
  }

  private expects(): ExpectStatement[] {
    return (this.program.recipe?.members ?? []).filter((m): m is ExpectStatement => m.kind === "Expect");
  }

  private evaluate(e: ExpectStatement, params: Map<string, unknown>, reader: FactReader): ExpectOutcome {
    try {
      return evaluateExpect(e.condition, {
        params,
        fact: (x) => {
          const ref = factReference(x);
          return ref ? reader.read(ref) : null;
        },
        text: (x) => textOf(this.program, x.span),
      });
    } catch (error) {
      if (!(error instanceof ExpectError)) throw error;
      return { status: "skipped", reason: `cannot be evaluated: ${error.message}`, values: [] };
    }
  }

  /** The stages whose realised facts an instance reads: every mix, and every dataset an expect names. */
  private wantedStages(plan: Plan): string[] {
    const named = this.expects().flatMap((e) => factNames(e.condition));
    const ids = named.map((n) => outputStage(plan, this.program, n)?.id).filter((id): id is string => !!id);
    return [...plan.stages.filter((s) => s.kind === "mix").map((s) => s.id), ...ids];
  }

  /** Tolerances the expects declare on shares: `expect mix.M.share(S) within T of …` → "M:S" → T. */
  private declaredTolerances(params: Map<string, unknown>): Map<string, number> {
    const out = new Map<string, number>();
    for (const e of this.expects()) {
      const c = e.condition;
      if (c.kind !== "Within") continue;
      const ref = factReference(c.value);
      if (ref?.namespace.value !== "mix" || ref.fact.value !== "share" || !ref.args?.[0]?.value) continue;
      const tolerance = evaluate(c.tolerance, params);
      if (typeof tolerance === "number") out.set(`${ref.name.value}:${ref.args[0].value}`, tolerance);
    }
    return out;
  }

  private recipeSpan(): Span {
    return this.program.recipe!.name.span;
  }
}

/** Declaration names an expect's facts read (`dataset.agent.count` → agent). */
function factNames(e: ExpectStatement["condition"]): string[] {
  const ref = factReference(e);
  if (ref) return [ref.name.value];
  switch (e.kind) {
    case "Binary":
      return [...factNames(e.left), ...factNames(e.right)];
    case "Unary":
      return factNames(e.operand);
    case "Within":
      return [...factNames(e.value), ...factNames(e.tolerance), ...factNames(e.target)];
    default:
      return [];
  }
}

function show(value: unknown): string {
  return typeof value === "number" ? String(+value.toPrecision(6)) : JSON.stringify(value);
}
