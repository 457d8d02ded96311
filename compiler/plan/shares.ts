/**
 * ATN3013 (info): the realised per-source share of each mix whose size is known at compile time
 * (stop = total): how many examples each source supplies, and which sources of known size
 * (built-in data, loaded counts) are smaller than their quota and will repeat.
 */
import { quotas } from "../../runtime/mix/mix.ts";
import type { Plan } from "../../runtime/plan/types.ts";
import { type Diagnostic, diagnostic } from "../diagnostics/diagnostic.ts";
import type { Program } from "../resolve/program.ts";

export function mixShares(plan: Plan, program: Program): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const stage of plan.stages) {
    if (stage.kind !== "mix") continue;
    const config = stage.config as {
      weights: Record<string, number>;
      stop: string;
      total?: number;
      unit: string;
    };
    if (config.stop !== "total" || config.total === undefined) continue;
    const name = stage.id.slice("mix.".length).split("@")[0];
    const decl = program.declarations.get(name)?.node;
    if (!decl) continue;
    const sources = Object.entries(config.weights);
    const counts = quotas(
      sources.map(([, w]) => w),
      config.total,
    );
    const parts = sources.map(([id, weight], i) => {
      const known = knownSize(plan, id);
      const repeat =
        known !== undefined && known < counts[i] ? ` — only ${known} available, so examples repeat` : "";
      return `${counts[i]} from ${id} (${+(weight * 100).toPrecision(4)}%)${repeat}`;
    });
    const branch = stage.id.includes("@") ? ` (${stage.id.split("@")[1]})` : "";
    out.push(
      diagnostic("ATN3013", decl.value.span, {
        message: `mix '${name}'${branch} takes ${config.total} ${config.unit}: ${parts.join(", ")}`,
        help: "change the weights or the total to change the shares",
      }),
    );
  }
  return out;
}

/** A source's size when the plan fixes it: built-in data and loads with a count. */
function knownSize(plan: Plan, id: string): number | undefined {
  const stage = plan.stages.find((s) => s.id === id);
  if (!stage || (stage.kind !== "builtin_data" && stage.kind !== "load")) return undefined;
  const count = (stage.config as { count?: number }).count;
  return typeof count === "number" ? count : undefined;
}
