import { join } from "node:path";
import { executePlan, StageFailure } from "../../runtime/executor/executor.ts";
import { stageHandlers } from "../../runtime/stages/handlers.ts";
import { type Command, EXIT_FAILURE, EXIT_OK } from "../command.ts";
import { loadPlan } from "./plan.ts";
import { cacheRoot, parseRecipeArgs } from "./recipe-args.ts";

const usage = `Usage: atune run RECIPE.atune|PLAN.json [--set NAME=VALUE]… [--force STAGE]… [--root DIR]

Runs exactly the plan (compiling the recipe first, refusing on errors). Finished stages are
reused from the cache; an interrupted run resumes where it stopped.

Options:
  --set NAME=VAL   override a param (recipes only)
  --force STAGE    rerun this stage even when cached (repeatable)
  --root DIR       the cache root (default: .atune/ beside the recipe)

Exit status: 0 ran, 1 errors in the recipe or a stage failed, 2 usage error.`;

export const runCommand: Command = {
  name: "run",
  usage,
  async run(args) {
    const { file, overrides, options } = parseRecipeArgs(args, ["--root", "--force"]);
    const plan = loadPlan(file, overrides);
    if (!plan) return EXIT_FAILURE;
    const missing = plan.stages.flatMap((s) =>
      s.files.filter((f) => f.sha256 === "missing").map((f) => `${s.id}: ${f.path}`),
    );
    if (missing.length > 0) {
      console.error(
        `atune run: input files are missing:\n  ${missing.join("\n  ")}\nCreate them or fix the paths in the recipe.`,
      );
      return EXIT_FAILURE;
    }
    const root = cacheRoot(options, plan.recipe.file);
    try {
      const manifest = await executePlan(plan, {
        root,
        handlers: stageHandlers,
        force: options.get("--force") ?? [],
      });
      const width = Math.max(...manifest.stages.map((s) => s.id.length));
      for (const s of manifest.stages) {
        console.log(
          `${s.status === "cached" ? "=" : "+"} ${s.id.padEnd(width)}  ${s.status.padEnd(6)}  ${s.seconds.toFixed(1)}s`,
        );
      }
      console.log(`\nmanifest: ${join(root, "runs", manifest.runId, "manifest.json")}`);
      // Report stages write their files into their cache entry; say where.
      for (const stage of manifest.stages.filter((s) => s.kind === "report")) {
        for (const file of [stage.summary?.markdown, stage.summary?.html]) {
          if (typeof file === "string") console.log(`report: ${join(root, "cache", stage.key, file)}`);
        }
      }
      return EXIT_OK;
    } catch (error) {
      if (error instanceof StageFailure) {
        console.error(
          `atune run: ${error.message}\nWhat finished is cached; fix the cause and run again to resume.`,
        );
        return EXIT_FAILURE;
      }
      if (error instanceof Error && /cannot run stages of kind|--force names no stage/.test(error.message)) {
        console.error(`atune run: ${error.message}`);
        return EXIT_FAILURE;
      }
      throw error;
    }
  },
};
