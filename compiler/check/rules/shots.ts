/**
 * ATN3010: `shots` is 0 or 1. Every environment ships exactly one worked example, so a prompt
 * cannot hold more (the paper's prompts are 1-shot).
 */
import type { Expression } from "../../ast/nodes.ts";
import type { CheckContext } from "../context.ts";
import { allMembers } from "../members.ts";

export function checkShots(ctx: CheckContext): void {
  for (const m of allMembers(ctx.file)) {
    if (m.kind !== "Declaration") continue;
    for (const entry of m.options?.entries ?? []) {
      if (entry.kind !== "Setting" || entry.key.value !== "prompt") continue;
      const call = entry.value;
      if (call.kind !== "Call") continue;
      for (const arg of call.args) {
        if (arg.name?.value === "shots" && tooMany(arg.value)) {
          ctx.report("ATN3010", arg.value.span, {
            message: "shots must be 0 or 1: environments ship one worked example",
            help: "write shots = 1 (the paper's 1-shot prompt) or shots = 0",
            suggestions: ["1"],
          });
        }
      }
    }
  }
}

function tooMany(e: Expression): boolean {
  return e.kind === "Number" && Number.isInteger(e.value) && e.value > 1;
}
