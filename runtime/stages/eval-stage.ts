import { join } from "node:path";
import { resolveEnvironment } from "../env/resolve.ts";
import type { ExampleTrajectory } from "../env/types.ts";
import { normalisedScores, type TaskScore } from "../eval/scores.ts";
import { classifyEpisode, type ErrorType } from "../eval/taxonomy.ts";
import type { StageHandler } from "../executor/executor.ts";
import { resolveGenerator } from "../generators/resolve.ts";
import type { GeneratorConfig, TasksConfig } from "../plan/config.ts";
import { collectTrajectories } from "./collect.ts";
import { readTasks } from "./records.ts";

export interface EvalConfig {
  models: Array<{ name: string; generator: GeneratorConfig }>;
  /** Task-set stage ids by group: held_in, held_out (environment families). */
  sets: Array<{ stage: string; group: string }>;
  shots: number;
  maxTurns?: number;
  invalidActions: "map" | "error";
  maxContextChars?: number;
  concurrency: number;
}

export interface FamilyResult {
  model: string;
  family: string;
  group: string;
  episodes: number;
  success: number;
  successRate: number;
  meanReward: number;
  errors: Partial<Record<ErrorType, number>>;
}

/**
 * Every model plays every task set. Per family: success rate, mean reward and the error taxonomy;
 * per group: the paper's normalised score (success rate, or mean reward where the family gives
 * partial credit, divided by the mean over the compared models). Each (model, set) pair has its
 * own resumable episode log, so an interrupted evaluation continues where it stopped.
 */
export const evalStage: StageHandler = {
  async run({ stage, dir, inputs, progress, root }) {
    const config = stage.config as unknown as EvalConfig;
    const families: FamilyResult[] = [];
    for (const model of config.models) {
      const generator = await resolveGenerator(model.generator, { root, inputs });
      try {
        for (const set of config.sets) {
          const output = inputs[set.stage];
          if (!output) throw new Error(`evaluation task set ${set.stage} is not an input of this stage`);
          const env = await resolveEnvironment((output.config as unknown as TasksConfig).env);
          const examples: ExampleTrajectory[] = config.shots >= 1 ? [env.example] : [];
          const { episodes, summary } = await collectTrajectories({
            env,
            tasks: readTasks(output.dir),
            generator,
            episode: {
              examples,
              maxTurns: config.maxTurns ?? env.maxTurns,
              invalidActions: config.invalidActions,
              maxContextChars: config.maxContextChars,
            },
            logFile: join(dir, `episodes-${model.name}-${set.stage}.jsonl`.replace(/[^\w.-]/g, "_")),
            concurrency: config.concurrency,
            progress,
          });
          const errors: Partial<Record<ErrorType, number>> = {};
          for (const episode of episodes) {
            for (const type of classifyEpisode(episode, { functionCalling: env.tools !== undefined })) {
              errors[type] = (errors[type] ?? 0) + 1;
            }
          }
          families.push({
            model: model.name,
            family: env.family,
            group: set.group,
            episodes: summary.episodes,
            success: summary.success,
            successRate: summary.success / Math.max(1, summary.episodes),
            meanReward: summary.meanReward,
            errors,
          });
        }
      } finally {
        generator.close?.();
      }
    }
    // A task is a family within a group: the same family may be evaluated in two groups.
    const scores: TaskScore[] = families.map((f) => ({
      model: f.model,
      task: `${f.group}/${f.family}`,
      group: f.group,
      score: f.meanReward,
    }));
    return { families, groups: normalisedScores(scores) };
  },
};
