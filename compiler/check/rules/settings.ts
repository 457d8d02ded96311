/** Recipe settings (`seed = 7`) and `expect` statements. */
import type { Expression } from "../../ast/nodes.ts";
import { recipeSettings } from "../../schema/kinds.ts";
import { checkBlock } from "../blocks.ts";
import type { CheckContext } from "../context.ts";

export function checkRecipeSettings(ctx: CheckContext): void {
  for (const item of ctx.file.items) {
    if (item.kind !== "Recipe") continue;
    const settings = item.members.filter((m) => m.kind === "Setting");
    const span = item.span;
    checkBlock(
      ctx,
      { kind: "Block", entries: settings, danglingComments: [], span },
      {
        owner: `the settings of recipe '${item.name.value}'`,
        ownerSpan: item.name.span,
        keys: recipeSettings,
      },
    );
  }
}

export function checkExpectations(ctx: CheckContext): void {
  for (const item of ctx.file.items) {
    if (item.kind !== "Recipe") continue;
    for (const m of item.members) {
      if (m.kind === "Expect" && !isCondition(m.condition)) {
        ctx.report("ATN2004", m.condition.span, {
          message: "expect takes a condition, and this is a plain value",
          help: "compare it, e.g. expect dataset.agent.count >= 1000",
        });
      }
    }
  }
}

function isCondition(e: Expression): boolean {
  switch (e.kind) {
    case "Binary":
      return !["+", "-", "*", "/"].includes(e.op);
    case "Unary":
      return e.op === "not";
    case "Within":
    case "Ref":
    case "Member":
    case "Call":
    case "Bool":
    case "Missing":
      return true;
    default:
      return false;
  }
}
