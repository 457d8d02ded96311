/**
 * ATN2010: a `keep` on episode fields (reward, success, finish) only applies to data made by
 * running episodes (collect, derive, self_instruct, and unions or filters of those). Loaded files
 * and built-in data carry no rewards, so such a filter would drop everything or nothing.
 */
import type { Declaration, Expression } from "../../ast/nodes.ts";
import { type Diagnostic, diagnostic } from "../../diagnostics/diagnostic.ts";
import { nameList, referencedNames } from "../../plan/values.ts";
import type { Program } from "../../resolve/program.ts";

const episodeFields = ["reward", "success", "finish"];

export function checkFilterApplicability(program: Program): Diagnostic[] {
  const out: Diagnostic[] = [];
  const hasEpisodes = (d: Declaration, seen = new Set<string>()): boolean => {
    if (seen.has(d.name.value)) return true;
    seen.add(d.name.value);
    if (d.value.kind === "Collect") return true;
    if (d.value.kind !== "List" && d.value.kind !== "Ref") return false;
    return nameList(d.value).every(({ name }) => {
      const part = program.declarations.get(name)?.node;
      return part === undefined || hasEpisodes(part, seen);
    });
  };
  for (const { node } of program.declarations.values()) {
    if (node.declKind !== "dataset" || hasEpisodes(node)) continue;
    for (const entry of node.options?.entries ?? []) {
      if (entry.kind !== "Keep") continue;
      const field = fieldsOf(entry.condition).find((f) => episodeFields.includes(f));
      if (!field) continue;
      out.push(
        diagnostic("ATN2010", entry.condition.span, {
          message: `'${field}' is a field of collected episodes, but dataset '${node.name.value}' is not collected`,
          help: "filter on turns, tokens or valid_format here, or move the filter to the collected dataset",
        }),
      );
    }
  }
  return out;
}

function fieldsOf(e: Expression): string[] {
  return [...referencedNames(e)];
}
