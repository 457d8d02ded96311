import { join } from "node:path";
import type { StageHandler, StageOutput } from "../executor/executor.ts";
import { writeFileAtomic } from "../executor/files.ts";
import { applyFilters } from "../filters/apply.ts";
import { decontaminateFilter } from "../filters/decontaminate.ts";
import { dedupeFilter } from "../filters/dedupe.ts";
import { finishReasonFilter } from "../filters/finish-reason.ts";
import { formatFilter } from "../filters/format.ts";
import { tokensFilter, turnsFilter } from "../filters/length.ts";
import { predicateFilter, type RecordPredicate } from "../filters/predicate.ts";
import { rewardFilter } from "../filters/reward.ts";
import type { RecordFilter } from "../filters/types.ts";
import type { FilterConfig, FilterStageConfig, ScopedFilterConfig } from "../plan/config.ts";
import { readRecords, readTasks, writeRecords } from "./records.ts";

/**
 * Keeps the records that pass every filter; writes records.jsonl (kept) and dropped.jsonl (each
 * dropped record's id, the filter and the reason), and reports counts per filter.
 * Token bounds count characters / 4 until the target tokenizer is known to this stage.
 */
export const filterStage: StageHandler = {
  async run({ stage, dir, inputs }) {
    const config = stage.config as unknown as FilterStageConfig;
    // Every input that is not a task set is a dataset; several are a union, read in order.
    const datasets = Object.values(inputs).filter((output) => !("env" in output.config));
    if (datasets.length === 0) throw new Error("a filter stage needs at least one dataset input");
    const filters = await Promise.all(config.filters.map((f) => scopedFilter(f, inputs)));
    const records = datasets.flatMap((output) => readRecords(output.dir));
    const result = applyFilters(records, filters);
    writeRecords(dir, result.kept);
    writeFileAtomic(join(dir, "dropped.jsonl"), result.dropped.map((d) => `${JSON.stringify(d)}\n`).join(""));
    return {
      input: records.length,
      kept: result.kept.length,
      dropped: result.dropped.length,
      filters: result.report,
    };
  },
};

/** A filter limited to the records of some task sets leaves every other record alone. */
async function scopedFilter(
  config: ScopedFilterConfig,
  inputs: Record<string, StageOutput>,
): Promise<RecordFilter> {
  const filter = await makeFilter(config, inputs);
  if (!config.for) return filter;
  const taskIds = new Set<string>();
  for (const id of config.for) {
    const output = inputs[id];
    if (!output)
      throw new Error(`the filter '${filter.label}' is scoped to ${id}, which is not an input of this stage`);
    for (const task of readTasks(output.dir)) taskIds.add(task.id);
  }
  return {
    label: `${filter.label} for [${config.for.join(", ")}]`,
    check: (record) => (taskIds.has(record.meta?.taskId ?? "") ? filter.check(record) : undefined),
  };
}

async function makeFilter(config: FilterConfig, inputs: Record<string, StageOutput>): Promise<RecordFilter> {
  switch (config.type) {
    case "reward":
      return rewardFilter(config.op, config.value);
    case "finish_reason":
      return finishReasonFilter(config.allowed);
    case "format":
      return formatFilter();
    case "turns":
      return turnsFilter(config);
    case "tokens":
      return tokensFilter(config, (text) => Math.ceil(text.length / 4));
    case "dedupe":
      return dedupeFilter();
    case "decontaminate": {
      const texts: string[] = [];
      for (const id of config.against) {
        const output = inputs[id];
        if (!output)
          throw new Error(`decontaminate: the evaluation task set ${id} is not an input of this stage`);
        texts.push(
          ...readTasks(output.dir).map((task) => `${task.instruction} ${JSON.stringify(task.data)}`),
        );
      }
      return decontaminateFilter(texts, config.n, config.tolerance);
    }
    case "predicate": {
      const mod = (await import(config.module.path)) as Record<string, unknown>;
      const predicate = mod[config.module.export];
      if (typeof predicate !== "function") {
        throw new Error(
          `${config.module.path} has no exported function '${config.module.export}' to use as a filter`,
        );
      }
      return predicateFilter(config.module.export, predicate as RecordPredicate);
    }
  }
}
