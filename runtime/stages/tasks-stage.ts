import { resolveEnvironment } from "../env/resolve.ts";
import type { StageHandler } from "../executor/executor.ts";
import type { TasksConfig } from "../plan/config.ts";
import { writeTasks } from "./records.ts";

/** Draws a task set from an environment and writes it to tasks.jsonl. */
export const tasksStage: StageHandler = {
  async run({ stage, dir }) {
    const config = stage.config as unknown as TasksConfig;
    const env = await resolveEnvironment(config.env);
    const tasks = env.tasks({
      split: config.split,
      count: config.count,
      seed: config.seed,
      options: config.options,
    });
    writeTasks(dir, tasks);
    return { family: env.family, group: env.group, split: config.split, tasks: tasks.length };
  },
};
