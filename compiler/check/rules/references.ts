/**
 * ATN3004 unknown names and ATN3005 references to the wrong kind of declaration: a collect reads
 * tasks with a generator, a train stage starts from a model and reads a dataset or a mix, an eval
 * compares models or train stages, a mix samples datasets and mixes. Runs on the resolved program
 * (the recipe with its imports), so names from other files count.
 */
import type { Declaration, Expression } from "../../ast/nodes.ts";
import { type Diagnostic, diagnostic } from "../../diagnostics/diagnostic.ts";
import { didYouMean, suggestionList } from "../../diagnostics/suggest.ts";
import { nameList } from "../../plan/values.ts";
import type { Program } from "../../resolve/program.ts";

type Kinds = readonly string[];

export function checkReferences(program: Program): Diagnostic[] {
  const out: Diagnostic[] = [];
  const expect = (e: Expression | null | undefined, kinds: Kinds, role: string) => {
    for (const { name, span } of nameList(e)) {
      const found = program.declarations.get(name)?.node;
      if (!found) {
        const candidates = [...program.declarations.values()]
          .filter((x) => kinds.includes(x.node.declKind))
          .map((x) => x.node.name.value);
        const suggestions = suggestionList(name, candidates);
        out.push(
          diagnostic("ATN3004", span, {
            message: `'${name}' is not declared.${didYouMean(suggestions)}`,
            help: `${role} must name a ${kinds.join(" or ")} declared in this recipe or imported`,
            suggestions,
          }),
        );
      } else if (!kinds.includes(found.declKind)) {
        out.push(
          diagnostic("ATN3005", span, {
            message: `'${name}' is a ${found.declKind}, but ${role} must be a ${kinds.join(" or ")}`,
            help: `name a ${kinds.join(" or ")} here`,
            related: [{ message: `'${name}' is declared here`, span: found.name.span }],
          }),
        );
      }
    }
  };
  for (const { node: d } of program.declarations.values()) check(d, expect);
  return out;
}

function check(
  d: Declaration,
  expect: (e: Expression | null | undefined, kinds: Kinds, role: string) => void,
): void {
  const v = d.value;
  if (v.kind === "Collect") {
    expect(v.tasks, ["task"], `the tasks of '${d.name.value}'`);
    expect(v.generator, ["generator"], `the generator of '${d.name.value}'`);
  } else if (v.kind === "Finetune") {
    expect(v.base, ["model", "train"], `the base of '${d.name.value}'`);
    expect(v.data, ["dataset", "mix"], `the data of '${d.name.value}'`);
  } else if (v.kind === "Evaluate") {
    expect(v.models, ["model", "train"], `each model of '${d.name.value}'`);
  } else if (v.kind === "Sample" && v.weights.kind === "Record") {
    for (const entry of v.weights.entries) {
      expect(
        { kind: "Ref", name: entry.key.value, span: entry.key.span },
        ["dataset", "mix"],
        `a source of '${d.name.value}'`,
      );
    }
  } else if (v.kind === "LocalModel") {
    expect(v.model, ["model", "train"], `the model of generator '${d.name.value}'`);
  } else if (d.declKind === "dataset" && (v.kind === "List" || v.kind === "Ref")) {
    expect(v, ["dataset"], `a part of dataset '${d.name.value}'`);
  } else if (d.declKind === "report") {
    expect(v, ["eval"], `the evaluations of report '${d.name.value}'`);
  }
  for (const entry of d.options?.entries ?? []) {
    if (entry.kind === "Keep") expect(entry.scope, ["task"], "a filter's 'for' list");
    if (entry.kind === "Decontaminate") expect(entry.against, ["eval", "task"], "'decontaminate against'");
    if (entry.kind === "Setting" && ["held_in", "held_out"].includes(entry.key.value)) {
      expect(entry.value, ["task"], `'${entry.key.value}'`);
    }
    if (entry.kind === "Setting" && entry.key.value === "general")
      expect(entry.value, ["dataset"], "'general'");
    if (entry.kind === "Setting" && entry.key.value === "verifier")
      expect(entry.value, ["generator"], "'verifier'");
  }
}
