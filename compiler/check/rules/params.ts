/** Params (ATN2017 types, defaults and constraints) and sweeps over them (ATN2018). */
import type { Expression, ParamDeclaration, SweepDeclaration } from "../../ast/nodes.ts";
import { didYouMean, suggestionList } from "../../diagnostics/suggest.ts";
import { paramTypes } from "../../schema/kinds.ts";
import { bool, duration, int, num, ratio, size, str, type ValueType } from "../../schema/types.ts";
import type { CheckContext } from "../context.ts";
import { allMembers } from "../members.ts";
import { checkValue, constantNumber } from "../values.ts";

export const typeOfParam: Record<string, ValueType> = {
  int: int(),
  number: num(),
  ratio,
  bool,
  string: str,
  duration,
  size,
};

export function checkParams(ctx: CheckContext): void {
  const members = allMembers(ctx.file);
  const params = new Map<string, ParamDeclaration>();
  for (const m of members) {
    if (m.kind !== "Param") continue;
    if (!params.has(m.name.value)) params.set(m.name.value, m);
    checkParam(ctx, m);
  }
  const importsAnything = ctx.file.items.some((i) => i.kind === "Import" && i.names === null);
  const importedNames = new Set(
    ctx.file.items.flatMap((i) => (i.kind === "Import" ? (i.names ?? []).map((n) => n.value) : [])),
  );
  const swept = new Map<string, SweepDeclaration>();
  for (const m of members) {
    if (m.kind !== "Sweep" || m.param.value === "") continue;
    const earlier = swept.get(m.param.value);
    if (earlier) {
      ctx.report("ATN2018", m.param.span, {
        message: `'${m.param.value}' is swept twice`,
        help: "merge the values into one sweep",
        related: [{ message: "first sweep", span: earlier.param.span }],
      });
      continue;
    }
    swept.set(m.param.value, m);
    const param = params.get(m.param.value);
    if (!param) {
      if (importsAnything || importedNames.has(m.param.value)) continue;
      const suggestions = suggestionList(m.param.value, [...params.keys()]);
      ctx.report("ATN2018", m.param.span, {
        message: `sweep of '${m.param.value}', which is not a declared param.${didYouMean(suggestions)}`,
        help: `declare it first: param ${m.param.value}: TYPE = DEFAULT`,
        suggestions,
      });
      continue;
    }
    checkSweepValues(ctx, m, param);
  }
}

function checkParam(ctx: CheckContext, p: ParamDeclaration): void {
  const type = typeOfParam[p.type.value];
  if (!type) {
    if (p.type.value === "") return;
    const suggestions = suggestionList(p.type.value, paramTypes);
    ctx.report("ATN2017", p.type.span, {
      message: `unknown param type '${p.type.value}'.${didYouMean(suggestions)}`,
      help: `the param types are: ${paramTypes.join(", ")}`,
      suggestions,
    });
    return;
  }
  const what = `param '${p.name.value}'`;
  if (p.constraint) {
    const bounds =
      p.constraint.kind === "Range"
        ? [p.constraint.from, p.constraint.to]
        : p.constraint.kind === "List"
          ? p.constraint.elements
          : null;
    if (bounds === null) {
      ctx.report("ATN2004", p.constraint.span, {
        message: `the constraint of ${what} must be a range (0..3) or a list of allowed values`,
        help: "write e.g. in 0..3 or in [1, 2, 4]",
      });
    } else for (const b of bounds) ctx.diagnostics.push(...checkValue(b, type, `the constraint of ${what}`));
  }
  if (p.default) {
    const problems = checkValue(p.default, type, `the default of ${what}`);
    ctx.diagnostics.push(...problems);
    if (problems.length === 0 && p.constraint) checkAllowed(ctx, p.default, p.constraint, what);
  }
}

function checkSweepValues(ctx: CheckContext, sweep: SweepDeclaration, param: ParamDeclaration): void {
  const type = typeOfParam[param.type.value];
  if (!type) return;
  const values = sweep.values;
  const what = `sweep of '${param.name.value}'`;
  if (values.kind === "Range") {
    for (const bound of [values.from, values.to]) ctx.diagnostics.push(...checkValue(bound, type, what));
    return;
  }
  if (values.kind !== "List") {
    if (values.kind === "Missing") return;
    ctx.report("ATN2004", values.span, {
      message: `a sweep takes a list of values ([0, 20%, 50%]) or a range (0..3)`,
      help: `write sweep ${param.name.value} in [ … ]`,
    });
    return;
  }
  for (const v of values.elements) {
    const problems = checkValue(v, type, what);
    ctx.diagnostics.push(...problems);
    if (problems.length === 0 && param.constraint)
      checkAllowed(ctx, v, param.constraint, `param '${param.name.value}'`);
  }
}

/** ATN2013 when a constant value lies outside the param's `in` constraint. */
function checkAllowed(ctx: CheckContext, value: Expression, constraint: Expression, what: string): void {
  const v = constantNumber(value);
  if (typeof v === "string") return;
  if (constraint.kind === "Range") {
    const from = constantNumber(constraint.from);
    const to = constantNumber(constraint.to);
    if (typeof from === "string" || typeof to === "string") return;
    if (v.value < from.value || v.value > to.value) {
      ctx.report("ATN2013", value.span, {
        message: `${describe(value)} is outside the range allowed for ${what}`,
        help: "use a value inside its `in` range, or widen the range",
        related: [{ message: "the allowed range", span: constraint.span }],
      });
    }
    return;
  }
  if (constraint.kind === "List") {
    const allowed = constraint.elements.map(constantNumber);
    if (allowed.some((a) => typeof a === "string")) return;
    if (!allowed.some((a) => typeof a !== "string" && a.value === v.value)) {
      ctx.report("ATN2013", value.span, {
        message: `${describe(value)} is not one of the values allowed for ${what}`,
        help: "use one of the values in its `in` list",
        related: [{ message: "the allowed values", span: constraint.span }],
      });
    }
  }
}

function describe(e: Expression): string {
  return e.kind === "Number" ? e.raw : "this value";
}
