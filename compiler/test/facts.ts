/**
 * The facts an `expect` statement can read, as `KIND.NAME.FACT` or `KIND.NAME.FACT(ARG)`:
 * `mix.tuning.share(agent)`, `dataset.agent.count`, `eval.compare.held_in(tuned)`. This table is
 * the one place that says which facts exist; the check rule (compiler/check/rules/expects.ts) and
 * the evaluator (compiler/test/expect.ts) both read it. docs/testing.md documents each fact.
 */
import type { Expression, Span } from "../ast/nodes.ts";

/** What a fact's argument names: a source of the mix, or a model the evaluation compares. */
export type FactArgument = "mix-source" | "eval-model";

export interface FactSpec {
  /** The argument it takes, when it takes one. */
  argument?: FactArgument;
  /** One line for messages and docs. */
  doc: string;
}

/** Namespace (the declaration kind) → fact name → spec. */
export const facts: Record<string, Record<string, FactSpec>> = {
  mix: {
    share: { argument: "mix-source", doc: "the share of the mix a source supplies (0 to 1)" },
    count: { argument: "mix-source", doc: "how many examples (or tokens) a source supplies" },
    total: { doc: "the size of the mix, in its unit" },
  },
  dataset: {
    count: { doc: "how many records the dataset holds" },
  },
  task: {
    count: { doc: "how many tasks the task set holds" },
  },
  train: {
    steps: { doc: "optimizer steps (known from the plan when `steps` is written)" },
    epochs: { doc: "epochs, when written" },
    batch: { doc: "examples per batch" },
    seq_len: { doc: "the sequence length" },
    lr: { doc: "the peak learning rate" },
  },
  eval: {
    held_in: { argument: "eval-model", doc: "a model's mean score over the held-in task sets" },
    held_out: { argument: "eval-model", doc: "a model's mean score over the held-out task sets" },
    general: { argument: "eval-model", doc: "a model's mean score over the general sets" },
  },
};

/** A fact as written: `mix.tuning.share(agent)` → namespace mix, name tuning, fact share, argument agent. */
export interface FactReference {
  namespace: { value: string; span: Span };
  name: { value: string; span: Span };
  fact: { value: string; span: Span };
  /** Null when written without parentheses. */
  args: Array<{ value: string | null; span: Span }> | null;
  span: Span;
}

/**
 * Reads `A.B.C` or `A.B.C(args)` as a fact reference; null for anything else (a param, a number).
 * An argument that is not a plain name has value null.
 */
export function factReference(e: Expression): FactReference | null {
  const member = e.kind === "Call" ? e.callee : e;
  if (member.kind !== "Member" || member.object.kind !== "Member" || member.object.object.kind !== "Ref") {
    return null;
  }
  const args =
    e.kind === "Call"
      ? e.args.map((a) => ({ value: a.value.kind === "Ref" ? a.value.name : null, span: a.value.span }))
      : null;
  return {
    namespace: { value: member.object.object.name, span: member.object.object.span },
    name: { value: member.object.property.value, span: member.object.property.span },
    fact: { value: member.property.value, span: member.property.span },
    args,
    span: e.span,
  };
}

/** True for member access or calls that do not have the `KIND.NAME.FACT` shape (e.g. `a.b`). */
export function isMisshapenFact(e: Expression): boolean {
  return (e.kind === "Member" || e.kind === "Call") && factReference(e) === null;
}
