/**
 * What an `expect` may name (docs/testing.md): params, and facts written `KIND.NAME.FACT` or
 * `KIND.NAME.FACT(ARG)` (compiler/test/facts.ts). ATN3004 for a name that is not declared,
 * ATN3005 for a declaration of the wrong kind, ATN2019 for a fact that does not exist or is
 * written in another shape. Names the file may import are left to resolution.
 */
import type { Declaration, Expression, ParamDeclaration } from "../../ast/nodes.ts";
import { didYouMean, suggestionList } from "../../diagnostics/suggest.ts";
import { nameList } from "../../plan/values.ts";
import { factReference, facts } from "../../test/facts.ts";
import type { CheckContext } from "../context.ts";
import { allMembers } from "../members.ts";

export function checkExpectNames(ctx: CheckContext): void {
  const members = allMembers(ctx.file);
  const expects = members.filter((m) => m.kind === "Expect");
  // In a file the parser had to repair, names are unreliable: its syntax errors come first.
  if (expects.length === 0 || containsMissing(ctx.file)) return;
  const params = new Map(
    members.filter((m): m is ParamDeclaration => m.kind === "Param").map((p) => [p.name.value, p]),
  );
  const declarations = new Map(
    members.filter((m): m is Declaration => m.kind === "Declaration").map((d) => [d.name.value, d]),
  );
  const importsAll = ctx.file.items.some((i) => i.kind === "Import" && i.names === null);
  const imported = new Set(
    ctx.file.items.flatMap((i) => (i.kind === "Import" ? (i.names ?? []).map((n) => n.value) : [])),
  );
  const mayBeImported = (name: string) => importsAll || imported.has(name);

  const visit = (e: Expression): void => {
    if (e.kind === "Ref") checkName(e.name, e.span);
    else if (e.kind === "Member" || e.kind === "Call") checkFact(e);
    else if (e.kind === "Unary") visit(e.operand);
    else if (e.kind === "Binary") [e.left, e.right].forEach(visit);
    else if (e.kind === "Within") [e.value, e.tolerance, e.target].forEach(visit);
    else if (e.kind === "Range") [e.from, e.to].forEach(visit);
    else if (e.kind === "List") e.elements.forEach(visit);
  };

  const checkName = (name: string, span: Expression["span"]) => {
    if (params.has(name)) return;
    const declared = declarations.get(name);
    if (declared || name in facts) {
      const kind = declared?.declKind ?? name;
      ctx.report("ATN2019", span, {
        message: declared
          ? `'${name}' is a ${kind}, not a value${facts[kind] ? ": an expect reads one of its facts" : ""}`
          : `'${name}' alone is not a value: an expect reads a ${name}'s facts`,
        help: facts[kind]
          ? `write ${kind}.${declared ? name : "NAME"}.${Object.keys(facts[kind])[0]}`
          : `a ${kind} has no facts; an expect reads those of: ${Object.keys(facts).join(", ")}`,
      });
      return;
    }
    if (mayBeImported(name)) return;
    const suggestions = suggestionList(name, params.keys());
    ctx.report("ATN3004", span, {
      message: `'${name}' is not a param of this recipe.${didYouMean(suggestions)}`,
      help: `an expect reads params (${[...params.keys()].join(", ") || "none declared"}) and facts such as mix.NAME.share(SOURCE) or dataset.NAME.count`,
      suggestions,
    });
  };

  const checkFact = (e: Expression) => {
    const ref = factReference(e);
    if (!ref) {
      ctx.report("ATN2019", e.span, {
        message: "an expect reads facts written KIND.NAME.FACT, and this is not one",
        help: "write e.g. mix.tuning.share(agent), dataset.agent.count or train.tuned.steps",
      });
      return;
    }
    const kindFacts = facts[ref.namespace.value];
    if (!kindFacts) {
      const suggestions = suggestionList(ref.namespace.value, Object.keys(facts));
      ctx.report("ATN2019", ref.namespace.span, {
        message: `'${ref.namespace.value}' has no facts.${didYouMean(suggestions)}`,
        help: `facts are read from: ${Object.keys(facts).join(", ")}`,
        suggestions,
      });
      return;
    }
    const kind = ref.namespace.value;
    const declared = declarations.get(ref.name.value);
    if (!declared) {
      if (mayBeImported(ref.name.value)) return;
      const candidates = [...declarations.values()]
        .filter((d) => d.declKind === kind)
        .map((d) => d.name.value);
      const suggestions = suggestionList(ref.name.value, candidates);
      ctx.report("ATN3004", ref.name.span, {
        message: `there is no ${kind} '${ref.name.value}'.${didYouMean(suggestions)}`,
        help: candidates.length
          ? `the ${kind} declarations are: ${candidates.join(", ")}`
          : `declare a ${kind} first, or read another kind of fact`,
        suggestions,
      });
      return;
    }
    if (declared.declKind !== kind) {
      ctx.report("ATN3005", ref.name.span, {
        message: `'${ref.name.value}' is a ${declared.declKind}, not a ${kind}`,
        help:
          declared.declKind in facts
            ? `write ${declared.declKind}.${ref.name.value}.…`
            : "name a declaration of this kind",
        related: [{ message: `'${ref.name.value}' is declared here`, span: declared.name.span }],
      });
      return;
    }
    const spec = kindFacts[ref.fact.value];
    if (!spec) {
      const suggestions = suggestionList(ref.fact.value, Object.keys(kindFacts));
      ctx.report("ATN2019", ref.fact.span, {
        message: `a ${kind} has no fact '${ref.fact.value}'.${didYouMean(suggestions)}`,
        help: `the facts of a ${kind}: ${Object.keys(kindFacts).join(", ")}`,
        suggestions,
      });
      return;
    }
    const call = `${kind}.${ref.name.value}.${ref.fact.value}`;
    if (!spec.argument) {
      if (ref.args !== null) {
        ctx.report("ATN2019", e.span, {
          message: `${call} takes no argument`,
          help: `write ${call} without parentheses`,
        });
      }
      return;
    }
    const allowed = spec.argument === "mix-source" ? mixSources(declared) : evalModels(declared);
    const what =
      spec.argument === "mix-source"
        ? `a source of mix '${ref.name.value}'`
        : `a model of '${ref.name.value}'`;
    const arg = ref.args?.length === 1 ? ref.args[0] : null;
    if (!arg || arg.value === null) {
      ctx.report("ATN2019", arg?.span ?? e.span, {
        message: `${call} takes one argument: the name of ${what}`,
        help: `write ${call}(${allowed[0] ?? "NAME"})`,
      });
      return;
    }
    if (!allowed.includes(arg.value)) {
      const suggestions = suggestionList(arg.value, allowed);
      ctx.report("ATN3004", arg.span, {
        message: `'${arg.value}' is not ${what}.${didYouMean(suggestions)}`,
        help: `name one of: ${allowed.join(", ") || "(none)"}`,
        suggestions,
      });
    }
  };

  for (const m of expects) if (m.kind === "Expect") visit(m.condition);
}

function mixSources(d: Declaration): string[] {
  return d.value.kind === "Sample" && d.value.weights.kind === "Record"
    ? d.value.weights.entries.map((e) => e.key.value)
    : [];
}

function evalModels(d: Declaration): string[] {
  return d.value.kind === "Evaluate" ? nameList(d.value.models).map((n) => n.name) : [];
}

/** Whether the parser stood in a Missing node for an expression it could not read. */
function containsMissing(node: unknown): boolean {
  if (Array.isArray(node)) return node.some(containsMissing);
  if (node === null || typeof node !== "object") return false;
  if ((node as { kind?: string }).kind === "Missing") return true;
  return Object.entries(node).some(([key, value]) => key !== "span" && containsMissing(value));
}
