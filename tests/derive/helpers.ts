import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { executePlan, type RunManifest } from "../../runtime/executor/executor.ts";
import type { Progress } from "../../runtime/executor/progress.ts";
import { PlanBuilder } from "../../runtime/plan/build.ts";
import type { GeneratorConfig, TasksConfig } from "../../runtime/plan/config.ts";
import type { DeriveConfig } from "../../runtime/stages/derive-stage.ts";
import { stageHandlers } from "../../runtime/stages/handlers.ts";

export const quiet = (): Progress => ({ start() {}, advance() {}, finish() {} });

export const seedTasks = (family: string, count: number, options: Record<string, unknown> = {}) =>
  ({ env: { builtin: family }, split: "train", count, seed: 1, options }) satisfies TasksConfig;

export function deriveConfig(
  mode: DeriveConfig["mode"],
  count: number,
  generator: GeneratorConfig = { type: "expert" },
  extra: Partial<DeriveConfig> = {},
): DeriveConfig {
  const config = {
    generator,
    prompt: "react",
    verifier: generator,
    shots: 1,
    maxTurns: 8,
    invalidActions: "map",
    concurrency: 4,
    mode,
    count,
    seed: 3,
    ...extra,
  };
  return config as DeriveConfig;
}

/** A plan of one seed task set and one derive stage reading it. */
export function derivePlan(tasks: TasksConfig, config: DeriveConfig) {
  const plan = new PlanBuilder("test");
  plan.add("tasks.seed", "tasks", tasks as unknown as Record<string, unknown>);
  plan.add("derive.new", "derive", config as unknown as Record<string, unknown>, ["tasks.seed"]);
  return plan.build({ name: "t", file: "t.atune", sha256: "0" }, {});
}

export const runPlan = (plan: ReturnType<typeof derivePlan>, root: string): Promise<RunManifest> =>
  executePlan(plan, { root, handlers: stageHandlers, progress: quiet });

export const stageDir = (root: string, manifest: RunManifest, id: string) =>
  join(root, "cache", manifest.stages.find((s) => s.id === id)!.key);

export function jsonl<T = any>(file: string): T[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, "utf8")
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => JSON.parse(line) as T);
}
