/**
 * Derived tasks must never coincide with a test-split task. A family that knows its own partition
 * answers through `derivation.inTestSplit` (the built-in families hash a task's content into train
 * or test, so the test split is every task whose content hashes there). Otherwise the candidate is
 * compared with the test split drawn the way the seed task set was drawn: same seed and options,
 * at least 100 tasks, matching on the whole content or on the instruction alone.
 */
import { contentHash } from "../env/sandbox/random.ts";
import type { Environment, EnvTask, TaskContent } from "../env/types.ts";
import type { TasksConfig } from "../plan/config.ts";

/** Identity of a task's content (instruction and data), for duplicate and contamination checks. */
export const contentKey = (content: TaskContent) =>
  contentHash({ instruction: content.instruction, data: content.data });

const normalise = (text: string) => text.trim().replace(/\s+/g, " ").toLowerCase();

const SAMPLED_TEST_TASKS = 100;

export interface TestSplitCheck {
  /** How the check is made, for the stage summary. */
  method: "partition" | "sampled";
  inTestSplit(content: TaskContent): boolean;
}

export function testSplitCheck(env: Environment, seedQuery: TasksConfig): TestSplitCheck {
  const own = env.derivation?.inTestSplit;
  if (own) return { method: "partition", inTestSplit: (content) => own(content) };
  const testTasks = drawTestTasks(env, seedQuery);
  const contents = new Set(testTasks.map(contentKey));
  const instructions = new Set(testTasks.map((task) => normalise(task.instruction)));
  return {
    method: "sampled",
    inTestSplit: (content) =>
      contents.has(contentKey(content)) || instructions.has(normalise(content.instruction)),
  };
}

function drawTestTasks(env: Environment, query: TasksConfig): EnvTask[] {
  const ask = (count: number) =>
    env.tasks({ split: "test", count, seed: query.seed, options: query.options });
  try {
    return ask(Math.max(SAMPLED_TEST_TASKS, query.count));
  } catch {
    // A small family may not have that many test tasks: the seed set's own size is the fallback.
    return ask(query.count);
  }
}
