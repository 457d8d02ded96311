// Crafted eval stage outputs for the report tests: summaries with known numbers and episode logs
// written the way the eval stage writes them.
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Turn } from "../../runtime/data/record.ts";
import type { ErrorType } from "../../runtime/eval/taxonomy.ts";
import type { StageOutput } from "../../runtime/executor/executor.ts";
import type { CollectedEpisode } from "../../runtime/stages/collect.ts";
import type { FamilyResult } from "../../runtime/stages/eval-stage.ts";

export interface CraftedFamily {
  stage: string;
  family: string;
  group: string;
  /** Per model: successes out of `episodes`, the mean reward and the error counts. */
  results: Record<
    string,
    { success: number; meanReward: number; errors?: Partial<Record<ErrorType, number>> }
  >;
  episodes: number;
}

const prompt: Turn[] = [
  { from: "human", value: "You act in an environment. Reply with Thought: … Action: …", loss: false },
  { from: "gpt", value: "OK.", loss: false },
];

/** Extra gpt text for particular episodes, by "model/stage/index". */
export type Injections = Record<string, string>;

export function craftEval(models: string[], sets: CraftedFamily[], injections: Injections = {}): StageOutput {
  const dir = mkdtempSync(join(tmpdir(), "atune-report-eval-"));
  mkdirSync(dir, { recursive: true });
  const families: FamilyResult[] = [];
  for (const model of models) {
    for (const set of sets) {
      const result = set.results[model];
      families.push({
        model,
        family: set.family,
        group: set.group,
        episodes: set.episodes,
        success: result.success,
        successRate: result.success / set.episodes,
        meanReward: result.meanReward,
        errors: result.errors ?? {},
      });
      const lines = Array.from({ length: set.episodes }, (_, i) => {
        const success = i < result.success;
        const injected = injections[`${model}/${set.stage}/${i}`];
        const episode: CollectedEpisode = {
          record: {
            id: `${set.family}/test/${i}`,
            conversations: [
              ...prompt,
              { from: "human", value: `Task ${i} of ${set.family}.`, loss: false },
              { from: "gpt", value: injected ?? `Thought: step ${i}.\nAction: go ${i}`, loss: true },
              { from: "human", value: "Observation: fine.", loss: false },
              { from: "gpt", value: "Thought: finish.\nAction: stop", loss: null },
            ],
            meta: { family: set.family, promptTurns: prompt.length },
          },
          reward: success ? 1 : 0,
          success,
          finishReason: success ? "done" : i % 2 === 0 ? "max_turns" : "repetition",
          turns: 2,
          invalidFormat: 0,
          invalidActions: 0,
          mappedActions: 0,
        };
        return JSON.stringify(episode);
      });
      writeFileSync(
        join(dir, `episodes-${model}-${set.stage}.jsonl`.replace(/[^\w.-]/g, "_")),
        `${lines.join("\n")}\n`,
      );
    }
  }
  return {
    dir,
    config: {
      models: models.map((name) => ({ name, generator: { type: "expert" } })),
      sets: sets.map((s) => ({ stage: s.stage, group: s.group })),
      shots: 1,
      invalidActions: "map",
      concurrency: 1,
    },
    summary: { families, groups: [] },
  };
}

/** Base vs tuned on two held-in families, one held-out and one general, 10 episodes each. */
export function baseVsTuned(injections: Injections = {}): StageOutput {
  return craftEval(
    ["base", "tuned"],
    [
      {
        stage: "tasks.household",
        family: "household",
        group: "held_in",
        episodes: 10,
        results: {
          base: { success: 2, meanReward: 0.2, errors: { invalid_action: 5, task_limit_exceeded: 6 } },
          tuned: { success: 8, meanReward: 0.8, errors: { task_limit_exceeded: 2 } },
        },
      },
      {
        stage: "tasks.shop",
        family: "shop",
        group: "held_in",
        episodes: 10,
        results: {
          base: { success: 4, meanReward: 0.5, errors: { invalid_format: 3 } },
          tuned: { success: 6, meanReward: 0.7 },
        },
      },
      {
        stage: "tasks.sciworld",
        family: "sciworld",
        group: "held_out",
        episodes: 10,
        results: {
          base: { success: 1, meanReward: 0.1, errors: { short_term_repetition: 4 } },
          tuned: { success: 3, meanReward: 0.3, errors: { long_term_repetition: 1 } },
        },
      },
      {
        stage: "builtin_data.choice",
        family: "general_choice",
        group: "general",
        episodes: 10,
        results: { base: { success: 5, meanReward: 0.5 }, tuned: { success: 5, meanReward: 0.5 } },
      },
    ],
    injections,
  );
}

/** One branch of an η sweep: a tuned model whose held-in, held-out and general success are given. */
export function sweepBranch(heldIn: number, heldOut: number, general: number): StageOutput {
  const set = (stage: string, family: string, group: string, success: number): CraftedFamily => ({
    stage,
    family,
    group,
    episodes: 10,
    results: { tuned: { success, meanReward: success / 10 } },
  });
  return craftEval(
    ["tuned"],
    [
      set("tasks.household", "household", "held_in", heldIn),
      set("tasks.sciworld", "sciworld", "held_out", heldOut),
      set("builtin_data.choice", "general_choice", "general", general),
    ],
  );
}
