import { readRecords as readDataFile } from "../data/formats/index.ts";
import type { StageHandler } from "../executor/executor.ts";
import type { LoadConfig } from "../plan/config.ts";
import { Rng } from "../util/random.ts";
import { writeRecords } from "./records.ts";

/** Reads a user's data file in a declared (or detected) format into records.jsonl. */
export const loadStage: StageHandler = {
  async run({ stage, dir }) {
    const config = stage.config as unknown as LoadConfig;
    const result = await readDataFile(config.path, {
      from: config.format,
      skipBadLines: config.skipBadLines,
    });
    const ordered = config.shuffle ? new Rng(config.seed ?? 0).shuffle(result.items) : result.items;
    const records = config.count === undefined ? ordered : ordered.slice(0, config.count);
    writeRecords(dir, records);
    return {
      records: records.length,
      available: result.items.length,
      format: result.format,
      skipped: result.skipped,
      skippedReasons: result.skippedErrors.slice(0, 5).map((e) => e.message),
    };
  },
};
