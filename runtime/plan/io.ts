import { existsSync, readFileSync } from "node:fs";
import { parse as parseYaml, stringify as stringifyYaml } from "yaml";
import { planProblems } from "./key.ts";
import { PLAN_VERSION, type Plan } from "./types.ts";

/** A plan file that cannot be run as it is; the message says what is wrong and how to fix it. */
export class PlanFileError extends Error {}

export function formatPlan(plan: Plan, format: "json" | "yaml" = "json"): string {
  return format === "yaml"
    ? stringifyYaml(plan, { sortMapEntries: false })
    : `${JSON.stringify(plan, null, 2)}\n`;
}

/** Reads a plan written by `atune compile` (JSON or YAML) and checks that it is whole and unedited. */
export function readPlanFile(file: string, atuneVersion: string): Plan {
  if (!existsSync(file)) throw new PlanFileError(`${file}: no such plan file`);
  const text = readFileSync(file, "utf8");
  let value: unknown;
  try {
    value = /\.ya?ml$/i.test(file) ? parseYaml(text) : JSON.parse(text);
  } catch (error) {
    throw new PlanFileError(
      `${file}: not valid ${/\.ya?ml$/i.test(file) ? "YAML" : "JSON"}: ${(error as Error).message}`,
    );
  }
  const plan = value as Plan;
  if (typeof plan !== "object" || plan === null || !Array.isArray(plan.stages)) {
    throw new PlanFileError(
      `${file}: not an atune plan (no "stages" list); make one with 'atune compile RECIPE -o ${file}'`,
    );
  }
  if (plan.version !== PLAN_VERSION) {
    throw new PlanFileError(
      `${file}: plan format version ${plan.version}, but this atune reads version ${PLAN_VERSION}; recompile the recipe`,
    );
  }
  if (plan.atune !== atuneVersion) {
    throw new PlanFileError(
      `${file}: compiled by atune ${plan.atune}, this is atune ${atuneVersion}; recompile the recipe so the stage keys match this version`,
    );
  }
  const problems = planProblems(plan.stages, atuneVersion);
  if (problems.length > 0) {
    throw new PlanFileError(
      `${file}: the plan was changed after compiling:\n  ${problems.join("\n  ")}\nEdit the recipe and recompile instead of editing the plan.`,
    );
  }
  return plan;
}
