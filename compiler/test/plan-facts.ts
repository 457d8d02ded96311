/**
 * Reading facts (compiler/test/facts.ts) off a compiled plan, and off the summaries of stages that
 * have run. A fact the plan fixes is read from the plan (a mix of known total is split the way the
 * runtime's exact-quota mixing splits it); a fact only a run can tell is read from the stage's
 * summary when that stage has run, and is otherwise skipped with the reason.
 */
import { quotas } from "../../runtime/mix/mix.ts";
import type { MixConfig, TasksConfig, TrainStageConfig } from "../../runtime/plan/config.ts";
import type { Plan, PlanStage } from "../../runtime/plan/types.ts";
import type { Program } from "../resolve/program.ts";
import type { FactReference } from "./facts.ts";

export type FactValue = { value: number } | { skipped: string };

/** Summaries of the stages that have run, by stage id (empty when testing the plan alone). */
export type Realised = Map<string, Record<string, unknown>>;

/** The stage kinds that hold a declaration's output, most downstream first. */
const outputKinds: Record<string, string[]> = {
  dataset: ["filter", "collect", "derive", "load", "builtin_data"],
  mix: ["mix"],
  task: ["tasks"],
  train: ["train"],
  eval: ["eval"],
  model: ["model"],
};

/** The stage that holds a declaration's output (the last of its stages). */
export function outputStage(plan: Plan, program: Program, name: string): PlanStage | undefined {
  const kind = program.declarations.get(name)?.node.declKind ?? "";
  for (const stageKind of outputKinds[kind] ?? []) {
    const stage = plan.stages.find((s) => s.id === `${stageKind}.${name}`);
    if (stage) return stage;
  }
  return undefined;
}

export class FactReader {
  constructor(
    private readonly plan: Plan,
    private readonly program: Program,
    private readonly realised: Realised,
    private readonly withData: boolean,
  ) {}

  read(ref: FactReference): FactValue {
    const stage = outputStage(this.plan, this.program, ref.name.value);
    if (!stage) return { skipped: `${ref.namespace.value} '${ref.name.value}' has no stage in the plan` };
    const arg = ref.args?.[0]?.value ?? "";
    switch (ref.namespace.value) {
      case "mix":
        return this.mixFact(stage, ref.fact.value, arg);
      case "dataset":
        return this.datasetCount(stage);
      case "task":
        return { value: (stage.config as unknown as TasksConfig).count };
      case "train":
        return this.trainFact(stage, ref.fact.value);
      case "eval":
        return this.evalFact(stage, ref.fact.value, arg);
      default:
        return { skipped: `'${ref.namespace.value}' has no facts` };
    }
  }

  private needsRun(stage: PlanStage, what: string): FactValue {
    const runnable = ["tasks", "collect", "load", "builtin_data", "filter", "mix"].includes(stage.kind);
    const how =
      runnable && !this.withData
        ? "run atune test with --with-data"
        : runnable
          ? "its data stages could not run here"
          : `'${stage.id}' runs only under 'atune run'; run it, then atune test --with-data reads it from the cache`;
    return { skipped: `needs a run: ${what} (${how})` };
  }

  private mixFact(stage: PlanStage, fact: string, source: string): FactValue {
    const config = stage.config as unknown as MixConfig;
    const sourceId = source ? outputStage(this.plan, this.program, source)?.id : undefined;
    const summary = this.realised.get(stage.id) as
      | { total: number; sources: Array<{ name: string; count: number; tokens?: number; share: number }> }
      | undefined;
    if (summary) {
      if (fact === "total") return { value: summary.total };
      const row = summary.sources.find((s) => s.name === sourceId);
      if (!row) return { skipped: `'${source}' is not a source of '${stage.id}'` };
      return { value: fact === "share" ? row.share : (row.tokens ?? row.count) };
    }
    if (config.stop === "total" && config.total !== undefined && fact === "total")
      return { value: config.total };
    const planned = this.plannedMix(stage);
    if (planned) {
      if (fact === "total") return { value: planned.total };
      const count = planned.counts.get(sourceId ?? "");
      if (count === undefined) return { skipped: `'${source}' is not a source of '${stage.id}'` };
      return { value: fact === "share" ? count / planned.total : count };
    }
    return this.needsRun(
      stage,
      `the ${fact} of '${stage.id}' depends on the sizes of its sources (stop = ${config.stop}, unit ${config.unit})`,
    );
  }

  /**
   * A mix of examples as runtime/mix/mix.ts will make it, when the plan fixes its size: the total
   * (written, or — for first_exhausted / all_exhausted — from the planned sizes of its sources)
   * split into exact quotas. Null when a size is known only after a run, or the unit is tokens.
   */
  plannedMix(stage: PlanStage): { total: number; counts: Map<string, number> } | null {
    const config = stage.config as unknown as MixConfig;
    if (config.unit !== "examples") return null;
    const ids = Object.keys(config.weights);
    const weights = Object.values(config.weights);
    let total = config.stop === "total" ? config.total : undefined;
    if (config.stop !== "total") {
      const sum = weights.reduce((a, b) => a + b, 0);
      const fullTotals: number[] = [];
      for (const [i, id] of ids.entries()) {
        if (!(weights[i] > 0)) continue;
        const source = this.stage(id);
        const size = source
          ? source.kind === "mix"
            ? this.plannedMix(source)?.total
            : this.plannedCount(source)
          : undefined;
        if (size === undefined) return null;
        fullTotals.push(size / (weights[i] / sum));
      }
      if (fullTotals.length === 0) return null;
      total =
        config.stop === "first_exhausted"
          ? Math.floor(Math.min(...fullTotals) + 1e-9)
          : Math.ceil(Math.max(...fullTotals) - 1e-9);
    }
    if (total === undefined || !(total > 0)) return null;
    const counts = quotas(weights, total);
    return { total, counts: new Map(ids.map((id, i) => [id, counts[i]])) };
  }

  /** Planned when the plan fixes it: built-in data, a collection without filters, unions of those. */
  plannedCount(stage: PlanStage): number | undefined {
    const config = stage.config as Record<string, unknown>;
    if (stage.kind === "builtin_data") return config.count as number;
    if (stage.kind === "tasks") return config.count as number;
    if (stage.kind === "collect") {
      // One record per episode: one episode per task.
      const sets = stage.inputs.map((id) => this.stage(id)).filter((s) => s?.kind === "tasks");
      return sets.reduce((n, s) => n + ((s!.config as unknown as TasksConfig).count ?? 0), 0);
    }
    if (stage.kind === "filter" && (config.filters as unknown[]).length === 0) {
      const parts = stage.inputs.map((id) => this.stage(id)).filter((s) => s && s.kind !== "tasks");
      const counts = parts.map((s) => this.plannedCount(s!));
      return counts.every((c) => c !== undefined) ? counts.reduce((a, b) => a! + b!, 0) : undefined;
    }
    return undefined;
  }

  private datasetCount(stage: PlanStage): FactValue {
    const summary = this.realised.get(stage.id);
    if (summary) {
      const count = stage.kind === "filter" ? summary.kept : summary.records;
      if (typeof count === "number") return { value: count };
    }
    const planned = this.plannedCount(stage);
    if (planned !== undefined) return { value: planned };
    const why =
      stage.kind === "filter"
        ? "how many records its filters keep"
        : stage.kind === "load"
          ? "how many records its file holds"
          : `how many records '${stage.id}' produces`;
    return this.needsRun(stage, why);
  }

  private trainFact(stage: PlanStage, fact: string): FactValue {
    const config = stage.config as unknown as TrainStageConfig;
    const value =
      fact === "steps"
        ? (config.steps ?? (this.realised.get(stage.id)?.steps as number | undefined))
        : fact === "epochs"
          ? config.epochs
          : fact === "batch"
            ? config.batch
            : fact === "seq_len"
              ? config.seqLen
              : config.optimizer.lr;
    if (value !== undefined) return { value };
    return fact === "epochs"
      ? { skipped: `'${stage.id}' is set by steps, not epochs` }
      : this.needsRun(stage, `the steps of '${stage.id}' follow from its data and epochs`);
  }

  private evalFact(stage: PlanStage, group: string, model: string): FactValue {
    const summary = this.realised.get(stage.id) as
      | { groups: Array<{ model: string; group: string; normalised: number; raw: number }> }
      | undefined;
    if (!summary) return this.needsRun(stage, `the scores of '${stage.id}'`);
    const row = summary.groups.find((g) => g.model === model && g.group === group);
    if (!row) return { skipped: `'${stage.id}' has no ${group} score for '${model}'` };
    const normalize = (stage.config as { normalize?: string }).normalize;
    return { value: normalize === "none" ? row.raw : row.normalised };
  }

  private stage(id: string): PlanStage | undefined {
    return this.plan.stages.find((s) => s.id === id);
  }
}
