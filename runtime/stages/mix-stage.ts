import type { StageHandler } from "../executor/executor.ts";
import { mix } from "../mix/mix.ts";
import type { MixConfig } from "../plan/config.ts";
import { readRecords, writeRecords } from "./records.ts";

/** Mixes its input datasets by the declared weights; the report gives realised counts and shares. */
export const mixStage: StageHandler = {
  async run({ stage, dir, inputs }) {
    const config = stage.config as unknown as MixConfig;
    const sources = Object.entries(config.weights).map(([id, weight]) => {
      const output = inputs[id];
      if (!output) throw new Error(`mix source ${id} is not an input of this stage`);
      return { name: id, weight, records: readRecords(output.dir) };
    });
    const result = mix(sources, {
      stop: config.stop,
      total: config.total,
      unit: config.unit,
      seed: config.seed,
      countTokens: (record) => Math.ceil(record.conversations.reduce((n, t) => n + t.value.length, 0) / 4),
    });
    writeRecords(dir, result.records);
    return { total: result.total, unit: config.unit, sources: result.report };
  },
};
