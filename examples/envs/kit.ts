/**
 * Small helpers for writing your own environment (see template.ts for a walk-through).
 *
 * - `generatedTasks` turns a candidate generator into a deterministic `tasks()` whose train and
 *   test tasks never coincide (each task's split is decided by a hash of its content).
 * - `memoryEpisode` builds an Episode for worlds that live in memory: you write `start` and `act`
 *   (and, when the actions can be listed, `validActions`); it handles "episode over" and close().
 */
import { contentHash, drawTasks, type Rng } from "../../runtime/env/sandbox/random.ts";
import type {
  EnvTask,
  Episode,
  PixelImage,
  ResetResult,
  StepResult,
  TaskQuery,
} from "../../runtime/env/types.ts";

export { Rng } from "../../runtime/env/sandbox/random.ts";

export interface Candidate<D> {
  instruction: string;
  data: D;
}

/** A deterministic tasks() for `family`: same query, same tasks; train and test disjoint; no duplicates. */
export function generatedTasks<D>(
  family: string,
  make: (rng: Rng) => Candidate<D>,
): (query: TaskQuery) => EnvTask[] {
  return (query) => {
    const unknown = Object.keys(query.options ?? {});
    if (unknown.length > 0) {
      throw new Error(`${family}: unknown option '${unknown[0]}'; this environment takes no options.`);
    }
    return drawTasks(query.split, query.count, query.seed, make).map((candidate) => ({
      id: `${family}/${query.split}/${contentHash(candidate).slice(0, 12)}`,
      family,
      split: query.split,
      instruction: candidate.instruction,
      data: candidate.data,
    }));
  };
}

/** What `act` returns: the observation, and whether the episode ended (with its reward). */
export type Outcome =
  | { observation: string; image?: PixelImage; done?: false; valid?: boolean }
  | { observation: string; image?: PixelImage; done: true; reward: number; success: boolean };

/**
 * An Episode over an in-memory state. `start` makes a fresh state and the first observation;
 * `act` applies one action (it may mutate the state) and says what happened.
 */
export function memoryEpisode<S>(
  start: () => { state: S } & ResetResult,
  act: (state: S, action: string) => Outcome,
  /** The actions that make sense now, when they can be listed: the agent loop maps a near miss onto one. */
  validActions?: (state: S) => string[],
): Episode {
  let state: S | undefined;
  let over = false;
  return {
    ...(validActions && { validActions: () => (state === undefined || over ? [] : validActions(state)) }),
    async reset() {
      const first = start();
      state = first.state;
      over = false;
      return { observation: first.observation, image: first.image };
    },
    async step(action: string): Promise<StepResult> {
      if (state === undefined) throw new Error("step() called before reset()");
      if (over) return { observation: "The episode is over.", reward: 0, done: true, info: { valid: false } };
      const outcome = act(state, action.trim());
      if (outcome.done) {
        over = true;
        return {
          observation: outcome.observation,
          image: outcome.image,
          reward: outcome.reward,
          done: true,
          info: { valid: true, success: outcome.success },
        };
      }
      return {
        observation: outcome.observation,
        image: outcome.image,
        reward: 0,
        done: false,
        info: { valid: outcome.valid ?? true },
      };
    },
    async close() {
      state = undefined;
    },
  };
}

/** Splits "verb: argument" (or a bare "verb"); the verb is lower-cased. */
export function parseAction(action: string): { verb: string; argument: string } {
  const match = /^([A-Za-z_ ]+?)\s*(?::\s*([\s\S]*))?$/.exec(action.trim());
  if (!match) return { verb: "", argument: action.trim() };
  return { verb: match[1].trim().toLowerCase(), argument: (match[2] ?? "").trim() };
}

/** An Outcome for an action the environment does not understand, listing what it does understand. */
export function invalid(action: string, accepted: string): Outcome {
  return { observation: `Invalid action ${JSON.stringify(action.slice(0, 80))}. ${accepted}`, valid: false };
}
