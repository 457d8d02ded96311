/** Checks the filter statements of a dataset block: `keep`, `dedupe`, `decontaminate`. */
import type { BlockEntry, Expression } from "../ast/nodes.ts";
import { didYouMean, suggestionList } from "../diagnostics/suggest.ts";
import { dedupeFields, filterFields } from "../schema/kinds.ts";
import { int, names } from "../schema/types.ts";
import type { CheckContext } from "./context.ts";
import { checkValue } from "./values.ts";

export function checkFilterStatement(ctx: CheckContext, entry: BlockEntry): void {
  switch (entry.kind) {
    case "Keep":
      checkCondition(ctx, entry.condition);
      if (entry.scope) ctx.diagnostics.push(...checkValue(entry.scope, names, "'for'"));
      return;
    case "Dedupe":
      if (entry.by && entry.by.value !== "" && !dedupeFields.includes(entry.by.value)) {
        const suggestions = suggestionList(entry.by.value, dedupeFields);
        ctx.report("ATN2005", entry.by.span, {
          message: `cannot dedupe by '${entry.by.value}'.${didYouMean(suggestions)}`,
          help: `dedupe by one of: ${dedupeFields.join(", ")} (default: conversation)`,
          suggestions,
        });
      }
      return;
    case "Decontaminate":
      ctx.diagnostics.push(...checkValue(entry.against, names, "'against'"));
      if (entry.ngram) ctx.diagnostics.push(...checkValue(entry.ngram, int(1, 64), "'ngram'"));
      return;
    default:
      return;
  }
}

const fieldNames = Object.keys(filterFields);

/** A condition tests fields: `reward == 1`, `turns in 2..20`, `not success`, joined by and/or. */
function checkCondition(ctx: CheckContext, e: Expression): void {
  switch (e.kind) {
    case "Missing":
    case "Module":
      return;
    case "Unary":
      if (e.op === "not") {
        checkCondition(ctx, e.operand);
        return;
      }
      break;
    case "Binary":
      if (e.op === "and" || e.op === "or") {
        checkCondition(ctx, e.left);
        checkCondition(ctx, e.right);
        return;
      }
      if (["==", "!=", "<", "<=", ">", ">=", "in"].includes(e.op)) {
        const field = checkField(ctx, e.left);
        if (field) {
          const type = filterFields[field].type;
          const expected =
            e.op === "in" && e.right.kind !== "Range" ? { t: "list" as const, of: type } : type;
          const target = e.right.kind === "Range" ? [e.right.from, e.right.to] : [e.right];
          for (const value of target) ctx.diagnostics.push(...checkValue(value, expected, `'${field}'`));
        }
        return;
      }
      break;
    case "Ref": {
      const field = checkField(ctx, e);
      if (field && filterFields[field].type.t !== "bool") {
        ctx.report("ATN2004", e.span, {
          message: `'${field}' is not true or false, so it cannot be a condition by itself`,
          help: `compare it, e.g. keep ${field} >= 1`,
        });
      }
      return;
    }
  }
  ctx.report("ATN2015", e.span, {
    message: "a keep condition must test a field of the trajectory",
    help: `write e.g. keep reward == 1; the fields are: ${fieldNames.join(", ")}; or keep module "./filter.ts"#predicate`,
  });
}

function checkField(ctx: CheckContext, e: Expression): string | null {
  if (e.kind === "Ref" && e.name in filterFields) return e.name;
  if (e.kind === "Missing") return null;
  const written = e.kind === "Ref" ? e.name : null;
  const suggestions = written ? suggestionList(written, fieldNames) : [];
  ctx.report("ATN2015", e.span, {
    message: written
      ? `'${written}' is not a field a filter can test.${didYouMean(suggestions)}`
      : "the left side of a keep comparison must be a field of the trajectory",
    help: `the fields are: ${fieldNames.join(", ")}`,
    suggestions,
  });
  return null;
}
