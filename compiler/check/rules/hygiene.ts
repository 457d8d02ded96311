/**
 * Held-in/held-out hygiene, on the resolved program:
 * - ATN3007 (warning): an evaluation task set can overlap a training task set — same family and
 *   same split (with the same seed, the very same tasks);
 * - ATN3008 (error): training data is collected from a held-out family, unless the task set says
 *   `allow_held_out = true`.
 * Training task sets are the tasks that collect/derive/self_instruct datasets read.
 */
import type { Declaration, Setting, Span } from "../../ast/nodes.ts";
import { type Diagnostic, diagnostic } from "../../diagnostics/diagnostic.ts";
import { stageSeed } from "../../plan/planner.ts";
import { nameList, Settings } from "../../plan/values.ts";
import type { Program } from "../../resolve/program.ts";
import { heldOutFamilies } from "../../schema/builtins.ts";

interface TaskSet {
  name: string;
  family: string;
  split: string;
  seed: number;
  span: Span;
}

export function checkHygiene(program: Program): Diagnostic[] {
  const out: Diagnostic[] = [];
  const none = new Map<string, unknown>();
  const recipeSeed =
    new Settings(
      { kind: "Block", entries: program.settings, danglingComments: [], span: program.recipe?.span as Span },
      none,
    ).number("seed") ?? 0;
  const taskSet = (name: string, span: Span, options: Setting["options"]): TaskSet | null => {
    const d = program.declarations.get(name)?.node;
    if (d?.declKind !== "task") return null;
    const own = new Settings(d.options, none);
    const over = options ? new Settings(options, none) : null;
    const family =
      d.value.kind === "Builtin"
        ? d.value.name.value
        : d.value.kind === "Module"
          ? `${d.value.path.value}#${d.value.exportName?.value ?? "default"}`
          : name;
    return {
      name,
      family,
      split: over?.string("split") ?? own.string("split") ?? "train",
      seed: over?.number("seed") ?? own.number("seed") ?? stageSeed(recipeSeed, name),
      span,
    };
  };

  const training: TaskSet[] = [];
  for (const { node } of program.declarations.values()) {
    if (node.value.kind !== "Collect") continue;
    for (const { name, span } of nameList(node.value.tasks)) {
      const set = taskSet(name, span, null);
      if (!set) continue;
      training.push(set);
      const decl = program.declarations.get(name)?.node as Declaration;
      if (
        (heldOutFamilies as readonly string[]).includes(set.family) &&
        !new Settings(decl.options, none).bool("allow_held_out")
      ) {
        out.push(
          diagnostic("ATN3008", span, {
            message: `'${name}' is the held-out family '${set.family}': training on it makes held-out scores meaningless`,
            help: `train on held-in families only, or write allow_held_out = true in '${name}' if this is intended`,
            related: [{ message: `'${name}' is declared here`, span: decl.name.span }],
          }),
        );
      }
    }
  }
  for (const { node } of program.declarations.values()) {
    if (node.declKind !== "eval") continue;
    for (const entry of node.options?.entries ?? []) {
      if (entry.kind !== "Setting" || !["held_in", "held_out"].includes(entry.key.value)) continue;
      for (const { name, span } of nameList(entry.value)) {
        const evaluated = taskSet(name, span, entry.options);
        if (!evaluated) continue;
        const clash = training.find((t) => t.family === evaluated.family && t.split === evaluated.split);
        if (!clash) continue;
        out.push(
          diagnostic("ATN3007", span, {
            message:
              clash.seed === evaluated.seed
                ? `'${name}' evaluates on the very tasks '${clash.name}' trains on (family '${evaluated.family}', split ${evaluated.split}, the same seed)`
                : `'${name}' evaluates on family '${evaluated.family}', split ${evaluated.split}, which '${clash.name}' trains on: the task sets can overlap`,
            help: `evaluate on the test split: ${entry.key.value} = [${name}] { split = test }`,
            related: [{ message: `'${clash.name}' is trained on here`, span: clash.span }],
          }),
        );
      }
    }
  }
  return out;
}
