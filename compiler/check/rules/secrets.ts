/**
 * ATN3009: an `api_key` must be `env("NAME")`. A key written into the recipe would be copied into
 * the plan, the cache and every shared copy of the recipe.
 */
import { secretKeys } from "../../schema/secrets.ts";
import type { CheckContext } from "../context.ts";
import { allMembers } from "../members.ts";

export function checkSecrets(ctx: CheckContext): void {
  for (const m of allMembers(ctx.file)) {
    if (m.kind !== "Declaration") continue;
    for (const entry of m.options?.entries ?? []) {
      if (entry.kind !== "Setting" || !secretKeys.includes(entry.key.value)) continue;
      const v = entry.value;
      if (v.kind === "Call" && v.callee.kind === "Ref" && v.callee.name === "env") continue;
      ctx.report("ATN3009", v.span, {
        message: `'${entry.key.value}' is written into the recipe; keys must never enter recipes or plans`,
        help: `read it from the environment when the recipe runs: ${entry.key.value} = env("OPENAI_API_KEY")`,
      });
    }
  }
}
