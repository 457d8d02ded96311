import { join } from "node:path";
import type { PromptStyle } from "../agent/prompt.ts";
import type { ConversationRecord } from "../data/record.ts";
import { resolveEnvironment } from "../env/resolve.ts";
import type { ExampleTrajectory } from "../env/types.ts";
import type { StageHandler } from "../executor/executor.ts";
import type { TokenUsage } from "../executor/usage.ts";
import { addUsage, meterGenerator } from "../generators/meter.ts";
import { resolveGenerator } from "../generators/resolve.ts";
import type { CollectConfig, PromptConfig, TasksConfig } from "../plan/config.ts";
import { type CollectSummary, collectTrajectories } from "./collect.ts";
import { readTasks, writeRecords } from "./records.ts";

/**
 * tasks × generator → trajectories. Each input task set is collected into its own append-only log
 * (episodes-<stage>.jsonl) in the stage directory, so an interrupted stage resumes per episode;
 * the final records.jsonl holds every episode (filtering is a separate stage).
 */
export const collectStage: StageHandler = {
  async run({ stage, dir, inputs, progress, root }) {
    const config = stage.config as unknown as CollectConfig;
    const records: ConversationRecord[] = [];
    const perFamily: Record<string, CollectSummary> = {};
    let usage: TokenUsage = { promptTokens: 0, completionTokens: 0 };
    for (const input of Object.entries(inputs)) {
      const [id, output] = input;
      if (!("env" in output.config)) continue; // a model stage feeding the generator, not a task set
      const env = await resolveEnvironment((output.config as unknown as TasksConfig).env);
      const metered = meterGenerator(
        await resolveGenerator(config.generator, { root, inputs }),
        config.generator,
        inputs,
      );
      const generator = metered.generator;
      const examples = exampleTrajectories(env.example, config.shots, env.family);
      const { episodes, summary } = await collectTrajectories({
        env,
        tasks: readTasks(output.dir),
        generator,
        episode: {
          examples,
          maxTurns: config.maxTurns,
          invalidActions: config.invalidActions,
          maxContextChars: config.maxContextChars,
          prompt: promptStyleOf(config),
          ...(config.repeatLimit === undefined ? {} : { repetitionLimit: config.repeatLimit }),
        },
        logFile: join(dir, `episodes-${id.replace(/[^\w.-]/g, "_")}.jsonl`),
        concurrency: config.concurrency,
        progress,
      });
      generator.close?.();
      usage = addUsage(usage, metered.usage());
      perFamily[env.family] = summary;
      records.push(...episodes.map((e) => e.record));
    }
    writeRecords(dir, records);
    return { records: records.length, perFamily, usage };
  },
};

/** The agent loop's prompt style from a stage's configuration (plans before 0.2 have no intro). */
export function promptStyleOf(config: Partial<PromptConfig>): PromptStyle {
  return { style: config.prompt ?? "react", ...(config.intro === false ? { intro: false } : {}) };
}

/** k-shot examples: environments ship one worked example, so k is 0 or 1. */
export function exampleTrajectories(
  example: ExampleTrajectory,
  shots: number,
  family: string,
): ExampleTrajectory[] {
  if (shots > 1)
    throw new Error(
      `shots = ${shots}, but the '${family}' environment has one worked example; use shots = 0 or 1`,
    );
  return shots === 1 ? [example] : [];
}
