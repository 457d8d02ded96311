import { join } from "node:path";
import {
  type Check,
  choicePrompt,
  choiceRecord,
  generalRecord,
  generateChoices,
  generateGeneral,
} from "../data/general/index.ts";
import type { StageHandler } from "../executor/executor.ts";
import { writeFileAtomic } from "../executor/files.ts";
import type { BuiltinDataConfig } from "../plan/config.ts";
import { writeRecords } from "./records.ts";

/** A question with its checker, as the eval stage scores general ability. */
export interface ScoredItem {
  id: string;
  category: string;
  prompt: string;
  check: Check;
}

/** Beside records.jsonl: the same items with their checkers, for evaluation. */
export const ITEMS_FILE = "items.jsonl";

/** Writes a slice of the built-in general data (a synthetic stand-in for ShareGPT / MMLU). */
export const builtinDataStage: StageHandler = {
  async run({ stage, dir }) {
    const config = stage.config as unknown as BuiltinDataConfig;
    const query = { split: config.split, count: config.count, seed: config.seed };
    let items: ScoredItem[];
    if (config.name === "general") {
      const general = generateGeneral(query);
      writeRecords(dir, general.map(generalRecord));
      items = general.map((i) => ({ id: i.id, category: i.category, prompt: i.instruction, check: i.check }));
    } else {
      const choices = generateChoices(query);
      writeRecords(dir, choices.map(choiceRecord));
      items = choices.map((i) => ({
        id: i.id,
        category: i.subject,
        prompt: choicePrompt(i),
        check: { kind: "choice", letter: i.answer },
      }));
    }
    writeFileAtomic(join(dir, ITEMS_FILE), items.map((item) => `${JSON.stringify(item)}\n`).join(""));
    return { records: items.length, name: config.name, split: config.split };
  },
};
