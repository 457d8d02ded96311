import { atuneVersion } from "../../compiler/compile.ts";
import { PlanFileError, readPlanFile } from "../../runtime/plan/io.ts";
import { planStatus, renderPlanStatus } from "../../runtime/plan/status.ts";
import type { Plan } from "../../runtime/plan/types.ts";
import { type Command, EXIT_FAILURE, EXIT_OK } from "../command.ts";
import { cacheRoot, compileAndReport, isPlanFile, parseRecipeArgs } from "./recipe-args.ts";

const usage = `Usage: atune plan RECIPE.atune|PLAN.json [--set NAME=VALUE]… [--root DIR]

Lists the plan's stages: '+' will run, '=' cached, '~' changed since the last run (with the
fields that changed), then a summary line.

Options:
  --set NAME=VAL   override a param (recipes only)
  --root DIR       the cache root (default: .atune/ beside the recipe)

Exit status: 0 ok, 1 errors in the recipe or plan file, 2 usage error.`;

/** A recipe is compiled; a plan file is read and checked (edited plans are refused). */
export function loadPlan(
  file: string,
  overrides: ReturnType<typeof parseRecipeArgs>["overrides"],
): Plan | null {
  if (!isPlanFile(file)) return compileAndReport(file, overrides).plan;
  try {
    return readPlanFile(file, atuneVersion());
  } catch (error) {
    if (!(error instanceof PlanFileError)) throw error;
    console.error(`atune: ${error.message}`);
    return null;
  }
}

export const planCommand: Command = {
  name: "plan",
  usage,
  async run(args) {
    const { file, overrides, options } = parseRecipeArgs(args, ["--root"]);
    const plan = loadPlan(file, overrides);
    if (!plan) return EXIT_FAILURE;
    console.log(renderPlanStatus(planStatus(plan, cacheRoot(options, plan.recipe.file))));
    return EXIT_OK;
  },
};
