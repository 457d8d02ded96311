import { hashString, Rng } from "../../util/random.ts";
import type { EnvTask, Split, TaskQuery } from "../types.ts";
import { EnvQueryError } from "./errors.ts";

/** What a family's generator makes for one candidate task. */
export interface TaskContent<D> {
  instruction: string;
  data: D;
}

/** The identity of a task's content: two tasks with the same signature are the same task. */
export function taskSignature(task: { instruction: string; data: unknown }): string {
  return `${task.instruction}\n${JSON.stringify(task.data)}`;
}

/**
 * Which split a piece of content belongs to. One hash bit of the content signature partitions the
 * content space, so a train task and a test task can never coincide, whatever seeds were used.
 */
export function splitOf(family: string, signature: string): Split {
  return (hashString(`${family}\u0000${signature}`) & 1) === 0 ? "train" : "test";
}

/** Candidates tried per requested task before concluding the content space is exhausted. */
const ATTEMPTS_PER_TASK = 60;

/**
 * Generates `query.count` distinct tasks of `query.split`. Candidate i draws from its own PRNG
 * seeded by (family, seed, candidate number), so the result is deterministic and a query for more
 * tasks extends a query for fewer. Candidates of the other split, and repeats, are skipped.
 */
export function generateTasks<D, O>(
  family: string,
  query: TaskQuery,
  options: O,
  make: (rng: Rng, options: O) => TaskContent<D>,
): EnvTask[] {
  if (query.split !== "train" && query.split !== "test") {
    throw new EnvQueryError(
      `${family}: split must be "train" or "test" (got ${JSON.stringify(query.split)}).`,
    );
  }
  if (!Number.isInteger(query.count) || query.count < 0) {
    throw new EnvQueryError(`${family}: count must be a whole number ≥ 0 (got ${query.count}).`);
  }
  if (!Number.isInteger(query.seed)) {
    throw new EnvQueryError(`${family}: seed must be a whole number (got ${query.seed}).`);
  }
  const tasks: EnvTask[] = [];
  const seen = new Set<string>();
  const maxCandidates = ATTEMPTS_PER_TASK * query.count + 100;
  for (let candidate = 0; tasks.length < query.count; candidate++) {
    if (candidate >= maxCandidates) {
      throw new EnvQueryError(
        `${family}: only ${tasks.length} distinct ${query.split} tasks could be made with these options ` +
          `(asked for ${query.count}). Ask for fewer tasks or choose options that allow more variety.`,
      );
    }
    const content = make(new Rng(`${family}|${query.seed}|${candidate}`), options);
    const signature = taskSignature(content);
    if (seen.has(signature) || splitOf(family, signature) !== query.split) continue;
    seen.add(signature);
    tasks.push({
      id: `${family}/${query.split}/${query.seed}/${tasks.length}`,
      family,
      split: query.split,
      instruction: content.instruction,
      data: content.data,
    });
  }
  return tasks;
}

/** A task's data, checked to belong to this family (tasks come back from JSONL files). */
export function taskData<D>(family: string, task: EnvTask): D {
  if (task.family !== family) {
    throw new EnvQueryError(
      `${family}: task '${task.id}' belongs to family '${task.family}'; open it with that environment.`,
    );
  }
  if (task.data === null || typeof task.data !== "object") {
    throw new EnvQueryError(`${family}: task '${task.id}' has no data object; regenerate it with tasks().`);
  }
  return task.data as D;
}
