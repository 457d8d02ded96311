/**
 * TEMPLATE — your own agent environment for atune.
 *
 * Copy this file, rename the family, and fill in the five parts marked 1–5. An environment is a
 * task family: it makes tasks for a split from a seed, opens an episode for a task, and steps it
 * with text actions. The agent loop (prompting, Thought/Action parsing, turn limits) lives in the
 * runtime; your environment only ever sees the action string.
 *
 * Try it:      atune env play ./examples/envs/template.ts#guessEnv
 * Watch it:    atune env play ./examples/envs/template.ts#guessEnv --expert
 * In a recipe: name the module and the export (see docs/user-environments.md).
 *
 * The example here is "guess the number": the agent guesses, the environment says higher or lower.
 */
import type { Environment, EnvTask, ExampleTrajectory, ExpertPolicy } from "../../runtime/env/types.ts";
import { generatedTasks, invalid, memoryEpisode, parseAction } from "./kit.ts";

// 1. Task data: JSON-serialisable, and it must fully determine an episode (no hidden randomness).
interface GuessData {
  low: number;
  high: number;
  secret: number;
}

// 2. Tasks: a pure function of the Rng. generatedTasks makes tasks() deterministic, puts each task
//    in exactly one split (by a hash of its content) and drops duplicates.
const tasks = generatedTasks<GuessData>("guess", (rng) => {
  const high = rng.pick([10, 20, 50, 100, 200, 500, 1000]);
  const secret = rng.int(1, high);
  return {
    instruction: `I am thinking of a whole number between 1 and ${high}. Find it.`,
    data: { low: 1, high, secret },
  };
});

// 3. Episodes: a fresh state per episode, and one function that applies an action to it.
function open(task: EnvTask) {
  const data = task.data as GuessData;
  return memoryEpisode(
    () => ({ state: { guesses: 0 }, observation: `Guess a number from ${data.low} to ${data.high}.` }),
    (state, action) => {
      const { verb, argument } = parseAction(action);
      const guess = Number(argument);
      if (verb !== "guess" || !Number.isInteger(guess)) {
        return invalid(action, 'Use "guess: <whole number>", e.g. "guess: 7".');
      }
      state.guesses++;
      if (guess === data.secret) {
        return { observation: `Yes, it is ${guess}.`, done: true, reward: 1, success: true };
      }
      return { observation: guess < data.secret ? `${guess} is too low.` : `${guess} is too high.` };
    },
  );
}

// 4. The expert: the offline teacher. It must act from observations like an agent would — here a
//    binary search driven by "too low" / "too high" — never by reading the secret from the task.
function expert(task: EnvTask): ExpertPolicy {
  const data = task.data as GuessData;
  let low = data.low;
  let high = data.high;
  let last = 0;
  return {
    next(observation) {
      if (/too low/.test(observation)) low = last + 1;
      if (/too high/.test(observation)) high = last - 1;
      last = Math.floor((low + high) / 2);
      return {
        thought: `The number is between ${low} and ${high}; guess the middle.`,
        action: `guess: ${last}`,
      };
    },
  };
}

// 5. The 1-shot example shown in the prompt: one solved task, each step with its real observation.
const example: ExampleTrajectory = {
  instruction: "I am thinking of a whole number between 1 and 10. Find it.",
  observation: "Guess a number from 1 to 10.",
  steps: [
    {
      thought: "The number is between 1 and 10; guess the middle.",
      action: "guess: 5",
      observation: "5 is too low.",
    },
    {
      thought: "The number is between 6 and 10; guess the middle.",
      action: "guess: 8",
      observation: "8 is too high.",
    },
    {
      thought: "The number is between 6 and 7; guess the middle.",
      action: "guess: 6",
      observation: "Yes, it is 6.",
    },
  ],
};

/** The example's task, so a test can replay the example step by step. */
export const guessExampleTask: EnvTask = {
  id: "guess/example",
  family: "guess",
  split: "train",
  instruction: example.instruction,
  data: { low: 1, high: 10, secret: 6 } satisfies GuessData,
};

export const guessEnv: Environment = {
  family: "guess",
  group: "held-in",
  description:
    "Guess the number (the template for user environments): the agent guesses, the environment says higher or lower.",
  actionSpace:
    'guess: <whole number>   e.g. "guess: 7"; the reply says "too low", "too high" or that it is right',
  maxTurns: 12,
  tasks,
  open: async (task) => open(task),
  example,
  expert,
};
