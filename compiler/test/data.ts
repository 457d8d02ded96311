/**
 * `atune test --with-data`: runs the data stages an instance needs (tasks, collect, load,
 * builtin_data, filter, mix) through the runtime's executor over the content-addressed cache, so
 * stages that do not depend on the sampled params run once. Models, training and evaluation are
 * never run here: their facts are read from the cache when `atune run` has already made them.
 */
import { executePlan, isCached, readStageOutput, StageFailure } from "../../runtime/executor/executor.ts";
import type { Progress } from "../../runtime/executor/progress.ts";
import type { Plan, PlanStage } from "../../runtime/plan/types.ts";
import { stageHandlers } from "../../runtime/stages/handlers.ts";
import type { Realised } from "./plan-facts.ts";

export const dataKinds = new Set(["tasks", "collect", "load", "builtin_data", "filter", "mix"]);

export type DataRun = { realised: Realised } | { failed: { stage: string; message: string } };

const quiet: Progress = { start() {}, advance() {}, finish() {} };

/**
 * Runs `wanted` and what they read, where every stage involved is a data stage; then reads the
 * summary of every stage of the plan that is in the cache.
 */
export async function runDataStages(
  plan: Plan,
  wanted: string[],
  root: string,
  runId: string,
): Promise<DataRun> {
  const byId = new Map(plan.stages.map((s) => [s.id, s]));
  const needed = new Set<string>();
  const runnable = (id: string, seen = new Set<string>()): boolean => {
    const stage = byId.get(id);
    if (!stage || !dataKinds.has(stage.kind)) return false;
    if (seen.has(id)) return true;
    seen.add(id);
    return stage.inputs.every((input) => runnable(input, seen));
  };
  const add = (id: string) => {
    if (needed.has(id)) return;
    needed.add(id);
    for (const input of byId.get(id)!.inputs) add(input);
  };
  for (const id of wanted) if (runnable(id)) add(id);
  const stages: PlanStage[] = plan.stages.filter((s) => needed.has(s.id));
  if (stages.some((s) => !isCached(root, s.key))) {
    try {
      await executePlan({ ...plan, stages }, { root, handlers: stageHandlers, runId, progress: () => quiet });
    } catch (error) {
      if (error instanceof StageFailure)
        return { failed: { stage: error.stageId, message: error.reason.message } };
      throw error;
    }
  }
  const realised: Realised = new Map();
  for (const stage of plan.stages) {
    if (isCached(root, stage.key)) realised.set(stage.id, readStageOutput(root, stage.key).summary ?? {});
  }
  return { realised };
}
