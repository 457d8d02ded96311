import { writeFileSync } from "node:fs";
import { formatPlan } from "../../runtime/plan/io.ts";
import { type Command, EXIT_FAILURE, EXIT_OK, UsageError } from "../command.ts";
import { compileAndReport, parseRecipeArgs } from "./recipe-args.ts";

const usage = `Usage: atune compile RECIPE.atune [-o PLAN] [--format json|yaml] [--set NAME=VALUE]…

Checks the recipe and its imports and writes its execution plan: every stage with its resolved
configuration (defaults filled in), its inputs and its content key. Prints the plan without -o.
docs/plan.md describes the format.

Options:
  -o FILE          write the plan to FILE (YAML when it ends in .yaml or .yml)
  --format F       json (default) or yaml
  --set NAME=VAL   override a param, checked like a literal in the recipe

Exit status: 0 compiled, 1 errors in the recipe, 2 usage error.`;

export const compile: Command = {
  name: "compile",
  usage,
  async run(args) {
    const { file, overrides, options } = parseRecipeArgs(args, ["-o", "--format"]);
    const out = options.get("-o")?.at(-1);
    const format = options.get("--format")?.at(-1) ?? (out && /\.ya?ml$/i.test(out) ? "yaml" : "json");
    if (format !== "json" && format !== "yaml")
      throw new UsageError(`--format is json or yaml, not '${format}'`);
    const { plan } = compileAndReport(file, overrides);
    if (!plan) return EXIT_FAILURE;
    const text = formatPlan(plan, format);
    if (out) {
      writeFileSync(out, text);
      console.error(`wrote ${out}: ${plan.stages.length} stages`);
    } else process.stdout.write(text);
    return EXIT_OK;
  },
};
