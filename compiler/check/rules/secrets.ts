/**
 * ATN3009: an `api_key` must be `env("NAME")`. A key written into the recipe would be copied into
 * the plan, the cache and every shared copy of the recipe.
 * ATN3015: `env(…)` anywhere else. Only secrets are read from the environment at run time; any
 * other value must be in the plan (its key depends on it), so `seed = env("SEED")` would be dropped.
 */
import type { Expression, Setting } from "../../ast/nodes.ts";
import { secretKeys } from "../../schema/secrets.ts";
import type { CheckContext } from "../context.ts";
import { allMembers } from "../members.ts";

export function checkSecrets(ctx: CheckContext): void {
  for (const m of allMembers(ctx.file)) {
    if (m.kind === "Setting") checkEnvUse(ctx, m);
    if (m.kind !== "Declaration") continue;
    for (const entry of m.options?.entries ?? []) {
      if (entry.kind === "Setting" && !secretKeys.includes(entry.key.value)) checkEnvUse(ctx, entry);
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

function checkEnvUse(ctx: CheckContext, setting: Setting): void {
  for (const call of envCalls(setting.value)) {
    ctx.report("ATN3015", call.span, {
      message: `'${setting.key.value}' cannot be read from the environment: only ${secretKeys.join(", ")} can`,
      help: "write the value into the recipe, or make it a param and pass --set NAME=VALUE",
    });
  }
}

function envCalls(e: Expression): Expression[] {
  switch (e.kind) {
    case "Call":
      if (e.callee.kind === "Ref" && e.callee.name === "env") return [e];
      return e.args.flatMap((a) => envCalls(a.value));
    case "List":
      return e.elements.flatMap(envCalls);
    case "Record":
      return e.entries.flatMap((x) => envCalls(x.value));
    case "Unary":
      return envCalls(e.operand);
    case "Binary":
      return [...envCalls(e.left), ...envCalls(e.right)];
    default:
      return [];
  }
}
