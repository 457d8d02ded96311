/**
 * The resolved configuration of each stage kind, as the planner writes it into the plan and the
 * runtime's stage handlers read it. docs/plan.md documents every field.
 */
import type { Comparison } from "../filters/reward.ts";

/** A TypeScript module export named by a recipe: `module "./envs/expense.ts"#expenseEnv`. */
export interface ModuleRef {
  /** Absolute path, resolved by the compiler (its content hash is in the stage's files). */
  path: string;
  export: string;
}

export interface TasksConfig {
  /** A built-in family, or a user module exporting an Environment. */
  env: { builtin: string } | { module: ModuleRef };
  split: "train" | "test";
  count: number;
  seed: number;
  options: Record<string, unknown>;
}

export type GeneratorConfig =
  | { type: "expert" }
  | {
      type: "openai";
      baseURL: string;
      model: string;
      /** The name of the environment variable holding the key — never the key itself. */
      apiKeyEnv?: string;
      temperature: number;
      maxTokens: number;
      concurrency: number;
      timeoutMs: number;
      retries: number;
      /** US dollars per million tokens, when the recipe gives them: the manifest's cost. */
      prices?: { prompt: number; completion: number };
    }
  /** A local checkpoint produced by a model or train stage: the stage id is among the inputs. */
  | { type: "model"; stage: string; temperature: number; maxTokens: number };

/** How agents are prompted: the planner's reading of `prompt = react(shots = 1, intro = true)`. */
export interface PromptConfig {
  /** react: a thought before every action (the paper's, and the default); act: actions only. */
  prompt?: "react" | "act";
  shots: number;
  /** false: no opening description of the environment (absent means true). */
  intro?: boolean;
}

export interface CollectConfig extends PromptConfig {
  generator: GeneratorConfig;
  maxTurns: number;
  /** Identical consecutive replies that end an episode (default 3, the paper's). */
  repeatLimit?: number;
  invalidActions: "map" | "error";
  maxContextChars?: number;
  concurrency: number;
}

export type FilterConfig =
  | { type: "reward"; op: Comparison; value: number }
  | { type: "finish_reason"; allowed: string[] }
  | { type: "format" }
  | { type: "turns"; min?: number; max?: number }
  | { type: "tokens"; min?: number; max?: number }
  | { type: "dedupe" }
  /** The evaluation task sets to check against are the stage's inputs listed here. */
  | { type: "decontaminate"; against: string[]; n: number; tolerance: number }
  | { type: "predicate"; module: ModuleRef };

/** A filter may apply only to the records of some task sets (`keep reward >= 2/3 for [web]`). */
export type ScopedFilterConfig = FilterConfig & { for?: string[] };

export interface FilterStageConfig {
  filters: ScopedFilterConfig[];
}

export interface MixConfig {
  /** Input stage id → sampling weight (normalised to sum to 1). */
  weights: Record<string, number>;
  stop: "total" | "first_exhausted" | "all_exhausted";
  total?: number;
  unit: "examples" | "tokens";
  seed: number;
}

export interface LoadConfig {
  /** Absolute path (its content hash is in the stage's files). */
  path: string;
  /** A format name (agentinstruct, sharegpt, openai, llamafactory, alpaca, gsm8k, mmlu); inferred when absent. */
  format?: string;
  skipBadLines: boolean;
  /** Take this many records (after a seeded shuffle when `shuffle`); all when absent. */
  count?: number;
  shuffle?: boolean;
  seed?: number;
}

export interface BuiltinDataConfig {
  /** "general": the instruction set for training; "general_choice": the multiple-choice set. */
  name: "general" | "general_choice";
  split: "train" | "test";
  count: number;
  seed: number;
  /** The built-in set's generator version (GENERAL_DATA_VERSION): a new version is new data, so a new cache key. */
  version: number;
}

/** A base model: a built-in preset initialised from a seed, or a Hugging Face style directory. */
export type ModelStageConfig =
  /**
   * `context` overrides the preset's context length (maxPositionEmbeddings); `tokenizer` is the
   * absolute path of a folder whose tokenizer replaces the byte tokenizer (its files are hashed).
   */
  | { source: "builtin"; preset: string; seed: number; context?: number; tokenizer?: string }
  /**
   * Absolute paths; the hashes of config.json, the weights and the tokenizer files are the stage's
   * files. `tokenizer` (a tokenizer.json) and `chatTemplate` (a Jinja file) replace the directory's own.
   */
  | { source: "hf"; path: string; tokenizer?: string; chatTemplate?: string };

export interface TrainStageConfig {
  /** Input stage ids: the base model (a model or train stage) and the training data (a dataset or mix). */
  base: string;
  data: string;
  method: { type: "full" } | { type: "lora"; r: number; alpha: number; dropout: number; targets: string[] };
  optimizer: { lr: number; betas: [number, number]; eps: number; weightDecay: number };
  /** Fraction of the steps spent warming up (AgentTuning: 0.02), then cosine decay. */
  warmup: number;
  epochs?: number;
  steps?: number;
  batch: number;
  gradAccum: number;
  seqLen: number;
  /** Lay examples end to end into full rows (absent: one example per row). */
  pack?: boolean;
  gradClip: number;
  lossMask: "assistant_only" | "loss_flags" | "all";
  seed: number;
  /** Write a resumable checkpoint every N steps (0: only at the end). */
  checkpointEvery: number;
}
