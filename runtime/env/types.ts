/**
 * The environment contract: what every agent environment, built-in or user-written, provides.
 *
 * An environment is a task family (household, shop, os, …). It makes tasks for a split from a
 * seed, opens an episode for a task, and steps it with text actions. Everything is deterministic
 * for a given task. The agent loop (prompting, Thought/Action parsing, turn limits, repetition)
 * lives in the runtime, not here: an environment only ever sees the action string.
 */

export type Split = "train" | "test";

/** Held-in families may be trained on; held-out families are only ever evaluated. */
export type EnvGroup = "held-in" | "held-out";

/** One task: JSON-serialisable, so it can be cached, written to JSONL and reopened later. */
export interface EnvTask {
  /** Stable and unique within the family, e.g. "household/train/17". */
  id: string;
  family: string;
  split: Split;
  /** The instruction shown to the agent, e.g. "put a clean mug in the coffee machine". */
  instruction: string;
  /** Family-specific content that fully determines the episode (world state, goal, checker). */
  data: unknown;
}

/** A small image carried by an observation (multi-modal environments): row-major, 8 bits a channel. */
export interface PixelImage {
  width: number;
  height: number;
  channels: 1 | 3;
  pixels: number[];
}

export interface ResetResult {
  /** The first observation (the task's starting state, in text). */
  observation: string;
  image?: PixelImage;
}

export interface StepInfo {
  /** False when the action could not be parsed or is not allowed; the observation then says why. */
  valid: boolean;
  /** Set when the task is finished and judged a success (family-specific threshold on reward). */
  success?: boolean;
  /** Anything else the family wants to record (matched attributes, F1 parts, exit codes …). */
  [key: string]: unknown;
}

export interface StepResult {
  observation: string;
  image?: PixelImage;
  /** In [0, 1]. Families with partial credit give fractions; most give 0 until the end. */
  reward: number;
  done: boolean;
  info: StepInfo;
}

/** A running episode. Episodes of one task are independent: open two, and they share nothing. */
export interface Episode {
  reset(): Promise<ResetResult>;
  step(action: string): Promise<StepResult>;
  /** The currently valid actions, when the family can enumerate them (used to map invalid actions). */
  validActions?(): string[];
  /** Frees processes, temp directories or database copies. Safe to call twice. */
  close(): Promise<void>;
}

/** One step of a worked example or of an expert's play: the ReAct thought, then the action. */
export interface Move {
  thought: string;
  action: string;
}

/** The 1-shot example shown in the prompt: a solved task, step by step. */
export interface ExampleTrajectory {
  instruction: string;
  /** The first observation, as reset() returned it. */
  observation: string;
  steps: Array<Move & { observation: string }>;
}

/** A policy that solves the family's tasks: the offline stand-in for the GPT-4 teacher. */
export interface ExpertPolicy {
  /** The next move given the latest observation (the first call gets the reset observation). */
  next(observation: string): Move;
}

/** A tool the agent can call, for function-calling families (JSON-schema parameters). */
export interface ToolSpec {
  name: string;
  description: string;
  parameters: Record<string, unknown>;
}

export interface TaskQuery {
  split: Split;
  count: number;
  seed: number;
  /** Family-specific options from the recipe (difficulty, sizes …). Unknown keys are an error. */
  options?: Record<string, unknown>;
}

export interface Environment {
  /** The family name used in recipes, e.g. "household". */
  family: string;
  group: EnvGroup;
  /** One paragraph for `atune env show`. */
  description: string;
  /** The action grammar shown to the agent, in words and examples. */
  actionSpace: string;
  /** For function-calling families: the tools, as JSON schemas. */
  tools?: ToolSpec[];
  /** A sensible cap on agent turns for this family. */
  maxTurns: number;
  /** The options a task query accepts, with their defaults (for checking recipes and for docs). */
  options?: Record<string, { description: string; default: unknown }>;
  /** Deterministic: the same query gives the same tasks. Train and test tasks never coincide. */
  tasks(query: TaskQuery): EnvTask[];
  open(task: EnvTask): Promise<Episode>;
  example: ExampleTrajectory;
  expert?(task: EnvTask): ExpertPolicy;
  /** Optional: lets `derive` / `self_instruct` stages write new tasks from this family's tasks. */
  derivation?: TaskDerivation;
}

// --- Task derivation and self-instruct (optional; docs/derive.md) ----------------------------------

/** A new task as a teacher wrote it: the instruction, and data holding its reference solution and checker. */
export interface TaskContent {
  instruction: string;
  data: unknown;
}

/** How a second, independent solve of a candidate went (the verifier generator acting as an agent). */
export interface SolveOutcome {
  success: boolean;
  reward: number;
  /** The agent loop's finish reason: "done", "max_turns", "repetition", "generator_error" … */
  finishReason: string;
  error?: string;
}

/** What `verify` may use besides the task itself. */
export interface VerifyContext {
  /** Runs the stage's verifier generator as an agent on the task in this environment. */
  solve(task: EnvTask): Promise<SolveOutcome>;
}

/** Keep the task (possibly completed, e.g. with its expected answer), or reject it with a reason. */
export type Verdict =
  | { ok: true; task: EnvTask }
  /** `reason` is a short code counted in the stage summary ("sql_error", "empty_answer" …); `detail` says what happened. */
  | { ok: false; reason: string; detail: string };

/** For model teachers (openai, model): the task format in words, and the JSON a model writes a task in. */
export interface TaskWriting {
  /** What a task is made of and the JSON object to reply with; `seed` is the task the new one builds on. */
  describe(seed: EnvTask): string;
  /** A task in that JSON form, shown to the model as an example; undefined when it makes a poor example. */
  toJson(task: EnvTask): Record<string, unknown> | undefined;
  /** The model's JSON object as a new task built on `seed`; throws an Error saying what is wrong with it. */
  fromJson(value: unknown, seed: EnvTask): TaskContent;
}

/**
 * The hooks behind Task Derivation and Self-Instruct. A candidate task is written — offline by
 * `propose` (the built-in `expert` teacher), or by a model through `writing` — then checked by
 * `verify`; only verified tasks are kept. Every hook but `verify` is optional.
 */
export interface TaskDerivation {
  /** The offline teacher: a new candidate built from seed tasks, deterministic in `seed`; undefined when these seeds give none. */
  propose?(seeds: EnvTask[], seed: number): TaskContent | undefined;
  writing?: TaskWriting;
  /** Checks a candidate (its id and split already set) before it is used. */
  verify(task: EnvTask, context: VerifyContext): Promise<Verdict>;
  /**
   * Whether this content is a task of the family's test split; such candidates are dropped. Without
   * it, candidates are compared with a sample of the test split drawn like the seed task set.
   */
  inTestSplit?(content: TaskContent): boolean;
}
