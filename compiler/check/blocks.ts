/** Checks a `{ … }` block against the keys its owner accepts: unknown, duplicate, missing, conflicting. */
import type { Block, Span } from "../ast/nodes.ts";
import { didYouMean, suggestionList } from "../diagnostics/suggest.ts";
import type { FilterStatement, KeySpec } from "../schema/kinds.ts";
import type { CheckContext } from "./context.ts";
import { checkFilterStatement } from "./filters.ts";
import { checkValue, duplicateKeys } from "./values.ts";

export interface BlockRules {
  /** Who owns the block, for messages: "a task made with builtin \"FAMILY\"". */
  owner: string;
  /** Where "missing key" errors point (the declaration's name). */
  ownerSpan: Span;
  keys: Record<string, KeySpec>;
  statements?: readonly FilterStatement[];
  requireOneOf?: readonly string[];
  exclusive?: readonly string[];
}

export function checkBlock(ctx: CheckContext, block: Block | null, rules: BlockRules): void {
  const entries = block?.entries ?? [];
  const settings = entries.filter((e) => e.kind === "Setting");
  ctx.diagnostics.push(
    ...duplicateKeys(
      settings.map((s) => s.key),
      "key",
    ),
  );
  const validKeys = Object.keys(rules.keys);
  for (const entry of entries) {
    if (entry.kind === "UnknownStatement") continue;
    if (entry.kind !== "Setting") {
      const word = entry.kind.toLowerCase() as FilterStatement;
      if (rules.statements?.includes(word)) checkFilterStatement(ctx, entry);
      else {
        ctx.report("ATN2010", entry.span, {
          message: `'${word}' is not allowed in ${rules.owner}`,
          help: "filters (keep, dedupe, decontaminate) go in the block of a dataset",
        });
      }
      continue;
    }
    const key = entry.key.value;
    if (key === "") continue;
    const spec = rules.keys[key];
    if (!spec) {
      const suggestions = suggestionList(key, validKeys);
      ctx.report("ATN2001", entry.key.span, {
        message: `unknown key '${key}' in ${rules.owner}.${didYouMean(suggestions)}`,
        help: validKeys.length ? `the keys here are: ${validKeys.join(", ")}` : "this block takes no keys",
        suggestions,
      });
      continue;
    }
    ctx.diagnostics.push(...checkValue(entry.value, spec.type, `'${key}'`));
    if (entry.options) {
      if (spec.options) {
        checkBlock(ctx, entry.options, {
          owner: `the options of '${key}'`,
          ownerSpan: entry.key.span,
          keys: spec.options,
        });
      } else {
        ctx.report("ATN2010", entry.options.span, {
          message: `'${key}' takes no { … } options`,
          help: "remove the block, or move its settings into the enclosing block",
        });
      }
    }
  }
  const present = new Map(settings.map((s) => [s.key.value, s.key.span]));
  for (const [key, spec] of Object.entries(rules.keys)) {
    if (spec.required && !present.has(key)) {
      ctx.report("ATN2011", rules.ownerSpan, {
        message: `${rules.owner} needs '${key}' (${spec.doc})`,
        help: `add ${key} = … to its block`,
      });
    }
  }
  if (rules.requireOneOf && !rules.requireOneOf.some((k) => present.has(k))) {
    ctx.report("ATN2011", rules.ownerSpan, {
      message: `${rules.owner} needs one of: ${rules.requireOneOf.join(", ")}`,
      help: `add ${rules.requireOneOf[0]} = … to its block`,
    });
  }
  if (rules.exclusive) {
    const set = rules.exclusive.filter((k) => present.has(k));
    if (set.length > 1) {
      ctx.report("ATN2012", present.get(set[1])!, {
        message: `'${set[1]}' and '${set[0]}' cannot both be set`,
        help: `keep one of ${set.join(" and ")}`,
        related: [{ message: `'${set[0]}' is set here`, span: present.get(set[0])! }],
      });
    }
  }
}
