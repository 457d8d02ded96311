import { readRecords as readDataFile } from "../data/formats/index.ts";
import type { StageHandler } from "../executor/executor.ts";
import type { LoadConfig } from "../plan/config.ts";
import { writeRecords } from "./records.ts";

/** Reads a user's data file in a declared (or detected) format into records.jsonl. */
export const loadStage: StageHandler = {
  async run({ stage, dir }) {
    const config = stage.config as unknown as LoadConfig;
    const result = await readDataFile(config.path, {
      from: config.format,
      skipBadLines: config.skipBadLines,
    });
    writeRecords(dir, result.items);
    return {
      records: result.items.length,
      format: result.format,
      skipped: result.skipped,
      skippedReasons: result.skippedErrors.slice(0, 5).map((e) => e.message),
    };
  },
};
