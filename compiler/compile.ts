/**
 * `atune compile`: a recipe file → its execution plan, or the diagnostics that stop it. Phases:
 * load and check every file (parse, schema rules) → resolve names across imports → check
 * references → apply `--set` overrides → plan every sweep branch.
 */
import { readFileSync } from "node:fs";
import type { Plan } from "../runtime/plan/types.ts";
import type { Expression } from "./ast/nodes.ts";
import { checkFilterApplicability } from "./check/rules/filter-applicability.ts";
import { checkHygiene } from "./check/rules/hygiene.ts";
import { typeOfParam } from "./check/rules/params.ts";
import { checkReferences } from "./check/rules/references.ts";
import { checkValue } from "./check/values.ts";
import { type Diagnostic, diagnostic, finalizeDiagnostics, hasErrors } from "./diagnostics/diagnostic.ts";
import { checkLock } from "./lock/compare.ts";
import { parse } from "./parse.ts";
import { planProgram, UnplannableFilter, UnsupportedSetting } from "./plan/planner.ts";
import { mixShares } from "./plan/shares.ts";
import { evaluate, type ParamValues } from "./plan/values.ts";
import { loadProgram, type Program } from "./resolve/program.ts";
import { checkModules } from "./typescript/modules.ts";

export interface CompileResult {
  /** Null when there are errors. */
  plan: Plan | null;
  diagnostics: Diagnostic[];
  /** Every loaded file's text, by the path its diagnostics name (for code frames). */
  sources: Map<string, string>;
}

export function atuneVersion(): string {
  return JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")).version;
}

/** `--set name=value` as the user wrote it. */
export interface Override {
  name: string;
  value: string;
}

/**
 * Every check `atune check` runs: each file's schema rules, resolution, references, hygiene,
 * modules, and the inputs against atune.lock when the recipe's folder has one (`lock: false` leaves
 * that out, for `atune lock` itself).
 */
export function checkProgram(program: Program, options: { lock?: boolean } = {}): Diagnostic[] {
  const diagnostics = [
    ...program.diagnostics,
    ...checkReferences(program),
    ...checkFilterApplicability(program),
  ];
  if (!hasErrors(diagnostics)) diagnostics.push(...checkHygiene(program));
  if (!hasErrors(diagnostics)) diagnostics.push(...checkModules(program));
  if (options.lock !== false) {
    const lock = checkLock(program);
    diagnostics.push(...lock.diagnostics);
    // Diagnostics about the lock itself point into it: its text is needed for their code frames.
    if (lock.lockSource) program.sources.set(lock.lockSource.file, lock.lockSource.text);
  }
  return diagnostics;
}

/** `atune check` on one file: a recipe or a library file; nothing is planned. */
export function checkRecipeFile(file: string, source?: string): Omit<CompileResult, "plan"> {
  const program = loadProgram(file, source);
  return { diagnostics: finalizeDiagnostics(checkProgram(program)), sources: program.sources };
}

export function compileRecipe(file: string, overrides: Override[] = [], source?: string): CompileResult {
  const program = loadProgram(file, source);
  const diagnostics = checkProgram(program);
  if (!program.recipe) {
    diagnostics.push(
      diagnostic(
        "ATN2016",
        { file, start: 0, end: 0, line: 1, column: 1, endLine: 1, endColumn: 1 },
        {
          message: `${file} has no recipe to compile (it is a library file)`,
          help: "compile the recipe that imports it",
        },
      ),
    );
  }
  const params = paramValues(program, overrides, diagnostics);
  const sweeps = sweepValues(program, overrides);
  let plan: Plan | null = null;
  if (!hasErrors(diagnostics)) {
    try {
      const result = planProgram(program, params, sweeps, atuneVersion());
      diagnostics.push(...result.diagnostics, ...mixShares(result.plan, program));
      plan = result.plan;
    } catch (error) {
      if (error instanceof UnsupportedSetting) {
        diagnostics.push(
          diagnostic("ATN3014", error.span, {
            message: `${error.what} is not supported by this build's trainer`,
            help: `use ${error.instead}`,
          }),
        );
      } else if (!(error instanceof UnplannableFilter)) throw error;
      else
        diagnostics.push(
          diagnostic("ATN2015", error.span, {
            message: "this keep condition cannot be run as a filter",
            help: "use reward, finish, turns, tokens, valid_format or success, combined with 'and', or a module predicate",
          }),
        );
    }
  }
  const sorted = finalizeDiagnostics(diagnostics);
  return { plan: hasErrors(sorted) ? null : plan, diagnostics: sorted, sources: program.sources };
}

/** Each param's value: its default, or the override checked against its type like a literal. */
function paramValues(program: Program, overrides: Override[], diagnostics: Diagnostic[]): ParamValues {
  const values: ParamValues = new Map();
  for (const [name, { node }] of program.params) {
    if (node.default) values.set(name, evaluate(node.default, values));
  }
  for (const { name, value } of overrides) {
    const param = program.params.get(name);
    const at = {
      file: "--set",
      start: 0,
      end: value.length,
      line: 1,
      column: 1,
      endLine: 1,
      endColumn: value.length,
    };
    if (!param) {
      diagnostics.push(
        diagnostic("ATN3011", at, {
          message: `--set ${name}=${value}: the recipe has no param '${name}'`,
          help: `its params: ${[...program.params.keys()].join(", ") || "none"}`,
        }),
      );
      continue;
    }
    const parsed = parse(`recipe set { seed = ${value} }`, "--set");
    const recipe = parsed.ast.items[0];
    const setting = recipe?.kind === "Recipe" ? recipe.members[0] : undefined;
    const type = typeOfParam[param.node.type.value];
    const problems =
      parsed.diagnostics.length > 0 || setting?.kind !== "Setting" || !type
        ? [{ message: "not a value" }]
        : checkValue(setting.value, type, `param '${name}'`);
    if (problems.length > 0 || setting?.kind !== "Setting") {
      diagnostics.push(
        diagnostic("ATN3011", at, {
          message: `--set ${name}=${value}: ${problems[0].message}`,
          help: `'${name}' is a ${param.node.type.value}; write e.g. --set ${name}=${example(param.node.type.value)}`,
        }),
      );
      continue;
    }
    const value2 = evaluate(setting.value, values);
    const allowed = allowedBy(param.node.constraint, value2);
    if (allowed) {
      diagnostics.push(
        diagnostic("ATN3011", at, {
          message: `--set ${name}=${value}: ${allowed}`,
          help: `'${name}' is declared 'param ${name}: ${param.node.type.value} in …'; pick a value it allows`,
        }),
      );
      continue;
    }
    values.set(name, value2);
  }
  return values;
}

/** Why a param's constraint (`in 0..3`, `in [a, b]`) rejects a value, or null when it allows it. */
function allowedBy(constraint: Expression | null, value: unknown): string | null {
  if (!constraint) return null;
  const none = new Map<string, unknown>();
  if (constraint.kind === "Range") {
    const from = evaluate(constraint.from, none) as number;
    const to = evaluate(constraint.to, none) as number;
    return typeof value === "number" && (value < from || value > to)
      ? `${value} is outside ${from}..${to}`
      : null;
  }
  if (constraint.kind === "List") {
    const options = constraint.elements.map((e) => evaluate(e, none));
    return options.includes(value)
      ? null
      : `${JSON.stringify(value)} is not one of ${options.map((o) => JSON.stringify(o)).join(", ")}`;
  }
  return null;
}

function example(type: string): string {
  return (
    { int: "3", number: "0.5", ratio: "20%", bool: "true", string: '"text"', duration: "30s", size: "10MB" }[
      type
    ] ?? "VALUE"
  );
}

/** The values each sweep gives its param (a `--set` of the param replaces its sweep). */
function sweepValues(program: Program, overrides: Override[]): Map<string, unknown[]> {
  const sweeps = new Map<string, unknown[]>();
  for (const sweep of program.sweeps) {
    const name = sweep.param.value;
    if (overrides.some((o) => o.name === name) || !program.params.has(name)) continue;
    const values = evaluate(sweep.values, new Map());
    if (Array.isArray(values)) sweeps.set(name, values);
    else if (sweep.values.kind === "Range") {
      const from = evaluate(sweep.values.from, new Map()) as number;
      const to = evaluate(sweep.values.to, new Map()) as number;
      sweeps.set(
        name,
        Array.from({ length: Math.max(0, to - from + 1) }, (_, i) => from + i),
      );
    }
  }
  return sweeps;
}
