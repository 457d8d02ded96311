import { choiceRecord, generalRecord, generateChoices, generateGeneral } from "../data/general/index.ts";
import type { StageHandler } from "../executor/executor.ts";
import type { BuiltinDataConfig } from "../plan/config.ts";
import { writeRecords } from "./records.ts";

/** Writes a slice of the built-in general data (a synthetic stand-in for ShareGPT / MMLU). */
export const builtinDataStage: StageHandler = {
  async run({ stage, dir }) {
    const config = stage.config as unknown as BuiltinDataConfig;
    const records =
      config.name === "general"
        ? generateGeneral({ split: config.split, count: config.count, seed: config.seed }).map(generalRecord)
        : generateChoices({ split: config.split, count: config.count, seed: config.seed }).map(choiceRecord);
    writeRecords(dir, records);
    return { records: records.length, name: config.name, split: config.split };
  },
};
