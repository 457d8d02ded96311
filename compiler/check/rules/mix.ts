/**
 * ATN2014: mix weights are sampling probabilities, so they must sum to 1. Checked with the params'
 * defaults, and again with each value a sweep gives a param (so `{ a: eta, b: eta }` is caught).
 */
import type { Declaration, Expression, ParamDeclaration, SweepDeclaration } from "../../ast/nodes.ts";
import { ratio } from "../../schema/types.ts";
import type { CheckContext } from "../context.ts";
import { allMembers } from "../members.ts";
import { checkValue, constantNumber, duplicateKeys } from "../values.ts";

type Env = Map<string, number>;

export function checkMixWeights(ctx: CheckContext): void {
  const members = allMembers(ctx.file);
  const defaults: Env = new Map();
  for (const m of members) {
    if (m.kind !== "Param" || !m.default) continue;
    const c = constantNumber(m.default);
    if (typeof c !== "string") defaults.set(m.name.value, c.value);
  }
  const scenarios = scenariosFrom(
    defaults,
    members.filter((m) => m.kind === "Sweep"),
    members,
  );
  for (const m of members) {
    if (
      m.kind === "Declaration" &&
      m.declKind === "mix" &&
      m.value.kind === "Sample" &&
      m.value.weights.kind === "Record"
    ) {
      checkWeights(ctx, m, m.value.weights.entries, scenarios);
    }
  }
}

function scenariosFrom(
  defaults: Env,
  sweeps: SweepDeclaration[],
  members: ReturnType<typeof allMembers>,
): Array<{ env: Env; label: string }> {
  const out = [{ env: defaults, label: "with the params' defaults" }];
  const params = new Set(
    members.filter((m): m is ParamDeclaration => m.kind === "Param").map((p) => p.name.value),
  );
  for (const sweep of sweeps) {
    if (!params.has(sweep.param.value) || sweep.values.kind !== "List") continue;
    const param = members.find(
      (m): m is ParamDeclaration => m.kind === "Param" && m.name.value === sweep.param.value,
    );
    for (const v of sweep.values.elements) {
      const c = constantNumber(v);
      // A value the param does not accept is reported by the params rule; do not build on it.
      if (typeof c === "string" || (param?.type.value === "ratio" && (c.value < 0 || c.value > 1))) continue;
      out.push({
        env: new Map(defaults).set(sweep.param.value, c.value),
        label: `when the sweep sets ${sweep.param.value} = ${v.kind === "Number" ? v.raw : c.value}`,
      });
    }
  }
  return out;
}

function checkWeights(
  ctx: CheckContext,
  mix: Declaration,
  entries: Array<{ key: { value: string; span: Declaration["span"] }; value: Expression }>,
  scenarios: Array<{ env: Env; label: string }>,
): void {
  ctx.diagnostics.push(
    ...duplicateKeys(
      entries.map((e) => e.key),
      "source",
    ),
  );
  let typeProblems = 0;
  for (const entry of entries) {
    const problems = checkValue(entry.value, ratio, `the weight of '${entry.key.value}'`);
    typeProblems += problems.length;
    ctx.diagnostics.push(...problems);
  }
  if (typeProblems > 0 || entries.length === 0) return;
  for (const { env, label } of scenarios) {
    const weights = entries.map((e) => evaluate(e.value, env));
    if (weights.some((w) => w === null)) return;
    const values = weights as number[];
    const bad = values.findIndex((w) => w < 0 || w > 1);
    if (bad >= 0) {
      ctx.report("ATN2014", entries[bad].value.span, {
        message: `the weight of '${entries[bad].key.value}' is ${round(values[bad])} ${label}; a probability lies between 0 and 1`,
        help: "weights are sampling probabilities: each in [0, 1], together 1",
      });
      return;
    }
    const sum = values.reduce((a, b) => a + b, 0);
    if (Math.abs(sum - 1) > 1e-9) {
      ctx.report("ATN2014", mix.value.span, {
        message: `the weights of mix '${mix.name.value}' sum to ${round(sum)} ${label}, not 1`,
        help: "weights are sampling probabilities; make them add up to 1 (e.g. { agent: eta, general: 1 - eta })",
      });
      return;
    }
  }
}

function evaluate(e: Expression, env: Env): number | null {
  switch (e.kind) {
    case "Number":
      return e.value;
    case "Ref":
      return env.get(e.name) ?? null;
    case "Unary": {
      const v = e.op === "-" ? evaluate(e.operand, env) : null;
      return v === null ? null : -v;
    }
    case "Binary": {
      const a = evaluate(e.left, env);
      const b = evaluate(e.right, env);
      if (a === null || b === null) return null;
      if (e.op === "+") return a + b;
      if (e.op === "-") return a - b;
      if (e.op === "*") return a * b;
      if (e.op === "/") return b === 0 ? null : a / b;
      return null;
    }
    default:
      return null;
  }
}

function round(x: number): string {
  return String(+x.toPrecision(6));
}
