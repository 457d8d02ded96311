import { join } from "node:path";
import { score } from "../data/general/index.ts";
import { readJsonl } from "../data/jsonl.ts";
import { resolveEnvironment } from "../env/resolve.ts";
import type { Environment, EnvTask } from "../env/types.ts";
import { normalisedScores, type TaskScore } from "../eval/scores.ts";
import { classifyEpisode, type ErrorType } from "../eval/taxonomy.ts";
import type { StageHandler } from "../executor/executor.ts";
import type { Progress } from "../executor/progress.ts";
import type { TokenUsage } from "../executor/usage.ts";
import { addUsage, meterGenerator } from "../generators/meter.ts";
import { resolveGenerator } from "../generators/resolve.ts";
import type { Generator } from "../generators/types.ts";
import type { GeneratorConfig, PromptConfig, TasksConfig } from "../plan/config.ts";
import { ITEMS_FILE, type ScoredItem } from "./builtin-data-stage.ts";
import { collectTrajectories } from "./collect.ts";
import { exampleTrajectories, promptStyleOf } from "./collect-stage.ts";
import { readTasks } from "./records.ts";

export interface EvalConfig extends Partial<PromptConfig> {
  models: Array<{ name: string; generator: GeneratorConfig }>;
  /** Task-set stage ids by group: held_in, held_out (environment families). */
  sets: Array<{ stage: string; group: string }>;
  /** Built-in general data stages (general, general_choice): single questions scored by their checkers. */
  general?: Array<{ stage: string }>;
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
  /** Questions the generator failed to answer at all (general sets), scored 0. */
  failed?: number;
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
    let usage: TokenUsage = { promptTokens: 0, completionTokens: 0 };
    for (const model of config.models) {
      const metered = meterGenerator(
        await resolveGenerator(model.generator, { root, inputs }),
        model.generator,
        inputs,
      );
      const generator = metered.generator;
      try {
        // Every set of this model plays at once, so a local model batches replies across families.
        const taskSets = config.sets.map((set) => {
          const output = inputs[set.stage];
          if (!output) throw new Error(`evaluation task set ${set.stage} is not an input of this stage`);
          return { set, output, tasks: readTasks(output.dir) };
        });
        const total = taskSets.reduce((n, { tasks }) => n + tasks.length, 0);
        progress.start(total, `episodes (${model.name})`);
        const shared = sharedProgress(progress);
        const setResults = await Promise.all(
          taskSets.map(async ({ set, output, tasks }) => {
            const env = await resolveEnvironment((output.config as unknown as TasksConfig).env);
            const examples = exampleTrajectories(env.example, config.shots ?? 1, env.family);
            const { episodes, summary } = await collectTrajectories({
              env,
              tasks,
              generator,
              episode: {
                examples,
                maxTurns: config.maxTurns ?? env.maxTurns,
                invalidActions: config.invalidActions,
                maxContextChars: config.maxContextChars,
                prompt: promptStyleOf(config),
              },
              logFile: join(dir, `episodes-${model.name}-${set.stage}.jsonl`.replace(/[^\w.-]/g, "_")),
              concurrency: config.concurrency,
              progress: shared,
            });
            const errors: Partial<Record<ErrorType, number>> = {};
            for (const episode of episodes) {
              for (const type of classifyEpisode(episode, { functionCalling: env.tools !== undefined })) {
                errors[type] = (errors[type] ?? 0) + 1;
              }
            }
            return {
              model: model.name,
              family: env.family,
              group: set.group,
              episodes: summary.episodes,
              success: summary.success,
              successRate: summary.success / Math.max(1, summary.episodes),
              meanReward: summary.meanReward,
              errors,
            } satisfies FamilyResult;
          }),
        );
        families.push(...setResults);
        const won = setResults.reduce((n, f) => n + f.success, 0);
        progress.finish(`${won}/${total} successful`);
        for (const set of config.general ?? []) {
          const output = inputs[set.stage];
          if (!output) throw new Error(`evaluation data set ${set.stage} is not an input of this stage`);
          families.push(
            await evaluateGeneral(model.name, generator, output.dir, config.concurrency, progress),
          );
        }
      } finally {
        generator.close?.();
        usage = addUsage(usage, metered.usage());
      }
    }
    // A task is a family within a group: the same family may be evaluated in two groups.
    const scores: TaskScore[] = families.map((f) => ({
      model: f.model,
      task: `${f.group}/${f.family}`,
      group: f.group,
      score: f.meanReward,
    }));
    return { families, groups: normalisedScores(scores), usage };
  },
};

/** One model's progress over all its sets: the sets only advance it. */
function sharedProgress(progress: Progress): Progress {
  return { start() {}, advance: (n, note) => progress.advance(n, note), finish() {} };
}

/** Stands in for an environment when a generator answers single general questions. */
const generalEnvironment: Environment = {
  family: "general",
  group: "held-out",
  description: "General instructions: answer the question.",
  actionSpace: "Answer directly.",
  maxTurns: 1,
  tasks: () => [],
  open: async () => {
    throw new Error("general questions are asked directly, not played as episodes");
  },
  example: { instruction: "", observation: "", steps: [] },
};

/**
 * General ability: each question is asked once, on its own (no agent prompt), and the reply is
 * scored by the item's checker (0..1). Questions are asked concurrently so a local model batches them.
 */
async function evaluateGeneral(
  model: string,
  generator: Generator,
  dir: string,
  concurrency: number,
  progress: Progress,
): Promise<FamilyResult> {
  const { items, errors: bad } = readJsonl(join(dir, ITEMS_FILE), (value) => value as ScoredItem);
  if (bad.length > 0) throw new Error(`damaged cache entry ${dir}: ${bad[0].message}; rerun with --force`);
  const scores: number[] = new Array(items.length).fill(0);
  let failures = 0;
  let next = 0;
  progress.start(items.length, "questions");
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      const item = items[index];
      const task: EnvTask = {
        id: item.id,
        family: "general",
        split: "test",
        instruction: item.prompt,
        data: null,
      };
      try {
        const session = generator.startEpisode(generalEnvironment, task);
        try {
          scores[index] = score(
            item.check,
            await session.act([{ role: "user", content: item.prompt }], item.prompt),
          );
        } finally {
          session.end?.();
        }
      } catch {
        failures++;
      }
      progress.advance(1);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, concurrency) }, worker));
  progress.finish();
  const mean = scores.reduce((a, b) => a + b, 0) / Math.max(1, items.length);
  return {
    model,
    family: "general",
    group: "general",
    episodes: items.length,
    success: scores.filter((s) => s >= 1).length,
    successRate: scores.filter((s) => s >= 1).length / Math.max(1, items.length),
    meanReward: mean,
    errors: {},
    ...(failures > 0 ? { failed: failures } : {}),
  };
}
