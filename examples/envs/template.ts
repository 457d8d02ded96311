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
import { splitOf } from "../../runtime/env/sandbox/random.ts";
import type {
  Environment,
  EnvTask,
  ExampleTrajectory,
  ExpertPolicy,
  TaskContent,
  TaskDerivation,
} from "../../runtime/env/types.ts";
import { generatedTasks, invalid, memoryEpisode, parseAction, Rng } from "./kit.ts";

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

// 6. (Optional) New tasks from seed tasks, for `derive` / `self_instruct` stages (docs/derive.md).
//    `verify` is the required hook: it keeps a candidate only when it is sound and a second,
//    independent solve (the stage's verifier, run as an agent here) finds the number.
const MAX_HIGH = 1000; // a binary search needs at most 10 guesses: within maxTurns

function guessContent(high: number, secret: number): TaskContent {
  return {
    instruction: `I am thinking of a whole number between 1 and ${high}. Find it.`,
    data: { low: 1, high, secret } satisfies GuessData,
  };
}

const derivation: TaskDerivation = {
  // The offline teacher: a seed's range, halved or doubled, with a new secret.
  propose(seeds, seed) {
    const rng = new Rng(seed);
    const base = rng.pick(seeds).data as GuessData;
    const high = rng.chance(0.5) ? Math.max(2, Math.floor(base.high / 2)) : base.high * 2;
    return guessContent(high, rng.int(1, high));
  },
  // A model teacher writes {"high": …, "secret": …}.
  writing: {
    describe: () =>
      'A guess task hides a whole number (secret) between 1 and high. Reply with one JSON object: {"high": <2..1000>, "secret": <1..high>}',
    toJson: (task) => ({ high: (task.data as GuessData).high, secret: (task.data as GuessData).secret }),
    fromJson(value) {
      const { high, secret } = value as { high?: unknown; secret?: unknown };
      if (!Number.isInteger(high) || !Number.isInteger(secret))
        throw new Error('"high" and "secret" must be whole numbers');
      return guessContent(high as number, secret as number);
    },
  },
  async verify(task, { solve }) {
    const data = task.data as GuessData;
    if (data.high < 2 || data.high > MAX_HIGH)
      return { ok: false, reason: "out_of_range", detail: `high must be 2..${MAX_HIGH}, not ${data.high}` };
    if (data.secret < data.low || data.secret > data.high)
      return {
        ok: false,
        reason: "no_solution",
        detail: `the secret ${data.secret} is outside 1..${data.high}`,
      };
    const second = await solve(task);
    return second.success
      ? { ok: true, task }
      : {
          ok: false,
          reason: "verifier_disagreed",
          detail: `the verifier's solve ended with ${second.finishReason}`,
        };
  },
  // generatedTasks splits by a hash of the content: the same rule says which derived tasks are test tasks.
  inTestSplit: (content) => splitOf(content) === "test",
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
  derivation,
};
