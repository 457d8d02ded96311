/**
 * The schema of declarations: for each kind, the forms its value may take and, for each form, the
 * keys its block accepts. The grammar only knows `KIND NAME = VALUE { key = value … }`; this table
 * is what makes `max_turn = 20` an error with "did you mean 'max_turns'".
 */
import type { DeclarationKind, Expression } from "../ast/nodes.ts";
import {
  builtinDatasets,
  builtinModels,
  dataFormats,
  environmentFamilies,
  finishReasons,
  generatorKinds,
  splits,
} from "./builtins.ts";
import { optimizers, promptStyles, schedules, secrets, trainingMethods } from "./functions.ts";
import {
  any,
  bool,
  call,
  duration,
  enumOf,
  int,
  listOf,
  name,
  names,
  num,
  oneOf,
  quantity,
  ratio,
  recordOf,
  str,
  type ValueType,
} from "./types.ts";

export interface KeySpec {
  type: ValueType;
  doc: string;
  required?: boolean;
  /** Keys of the `{ … }` block that may follow the value (`held_in = [shop] { split = test }`). */
  options?: Record<string, KeySpec>;
}

export type FilterStatement = "keep" | "dedupe" | "decontaminate";

export interface FormSpec {
  /** How the form is written, for messages and docs. */
  syntax: string;
  doc: string;
  matches(value: Expression): boolean;
  keys: Record<string, KeySpec>;
  /** Filter statements the block may hold (data sets only). */
  statements?: readonly FilterStatement[];
  /** At least one of these keys must be set. */
  requireOneOf?: readonly string[];
  /** These keys may not be set together. */
  exclusive?: readonly string[];
  /** Where a built-in name is checked: the list of names, and what they are called. */
  builtin?: { names: readonly string[]; what: string };
}

export interface KindSpec {
  doc: string;
  forms: FormSpec[];
}

const isKind = (kind: Expression["kind"]) => (value: Expression) => value.kind === kind;
const isRefTo = (ref: string) => (value: Expression) => value.kind === "Ref" && value.name === ref;

const seed: KeySpec = { type: int(0), doc: "random seed (defaults to the recipe's seed)" };
const count: KeySpec = { type: int(1), doc: "how many items to take" };
const split: KeySpec = {
  type: enumOf(...splits),
  doc: "train or test (train and test tasks never coincide)",
};
const maxTurns: KeySpec = { type: int(1), doc: "turn limit per episode" };
const prompt: KeySpec = { type: call(promptStyles), doc: "prompt style: react(shots = 1) or act(shots = 0)" };

const taskKeys: Record<string, KeySpec> = {
  split,
  count,
  seed,
  max_turns: maxTurns,
  options: { type: recordOf(any), doc: "family-specific options, e.g. { difficulty: 2 }" },
  allow_held_out: {
    type: bool,
    doc: "allow collecting training data from a held-out family (ATN3008 otherwise)",
  },
};

const dataFilters = ["keep", "dedupe", "decontaminate"] as const;

const collectionKeys: Record<string, KeySpec> = {
  prompt,
  max_turns: maxTurns,
  max_tokens: { type: int(1), doc: "token limit per episode" },
  repeat_limit: {
    type: int(2),
    doc: "end an episode after this many identical consecutive outputs (paper: 3)",
  },
  attempts: { type: int(1), doc: "episodes per task" },
  seed,
};

const generatedTaskKeys: Record<string, KeySpec> = {
  ...collectionKeys,
  count: { ...count, required: true },
  verifier: { type: name, doc: "the generator that must reach the same answer for a new task to be kept" },
};

const samplingKeys: Record<string, KeySpec> = {
  temperature: { type: num(0, 2), doc: "sampling temperature" },
  top_p: { type: ratio, doc: "nucleus sampling mass" },
  max_tokens: { type: int(1), doc: "longest reply, in tokens" },
  seed,
};

const suiteOptions: Record<string, KeySpec> = {
  split,
  count,
  seed,
  max_turns: maxTurns,
};
const suite = (doc: string): KeySpec => ({ type: names, doc, options: suiteOptions });

export const declarationSchema: Record<DeclarationKind, KindSpec> = {
  model: {
    doc: "a language model: built in, or a Hugging Face style directory",
    forms: [
      {
        syntax: 'builtin "NAME"',
        doc: "a built-in model: a size trained from scratch, or a small model pretrained on the built-in general set",
        matches: isKind("Builtin"),
        keys: {
          seed,
          context: { type: int(16, 8192), doc: "context length in tokens (sizes trained from scratch only)" },
          tokenizer: {
            type: str,
            doc: "folder with tokenizer.json and tokenizer_config.json, e.g. from 'atune tokenizer train' (sizes trained from scratch only; default: bytes)",
          },
        },
        builtin: { names: builtinModels, what: "built-in model" },
      },
      {
        syntax: 'hf "DIRECTORY"',
        doc: "a directory with config.json, *.safetensors, tokenizer.json and a chat template",
        matches: isKind("Hf"),
        keys: {
          dtype: { type: enumOf("f32", "f16", "bf16"), doc: "weight precision in memory" },
          tokenizer: { type: str, doc: "tokenizer.json path, if not in the directory" },
          chat_template: { type: str, doc: "chat template file, if not in tokenizer_config.json" },
        },
      },
    ],
  },
  task: {
    doc: "a set of tasks from an environment family",
    forms: [
      {
        syntax: 'builtin "FAMILY"',
        doc: "a built-in environment family",
        matches: isKind("Builtin"),
        keys: taskKeys,
        builtin: { names: environmentFamilies, what: "environment family" },
      },
      {
        syntax: 'module "PATH.ts"#EXPORT',
        doc: "an environment written in TypeScript (an export implementing Environment)",
        matches: isKind("Module"),
        keys: taskKeys,
      },
    ],
  },
  generator: {
    doc: "a policy that acts in environments and writes trajectories",
    forms: [
      {
        syntax: "expert",
        doc: "the built-in expert policies (the offline stand-in for the GPT-4 teacher)",
        matches: isRefTo("expert"),
        keys: { noise: { type: ratio, doc: "share of actions replaced by random valid ones" }, seed },
      },
      {
        syntax: "openai",
        doc: "any OpenAI-compatible chat endpoint",
        matches: isRefTo("openai"),
        keys: {
          base_url: { type: str, doc: "endpoint, e.g. https://api.openai.com/v1" },
          model: { type: str, required: true, doc: 'model name, e.g. "gpt-4"' },
          api_key: {
            type: oneOf(call(secrets), str),
            doc: 'the key; use env("NAME") so it is never written down',
          },
          temperature: samplingKeys.temperature,
          top_p: samplingKeys.top_p,
          max_tokens: samplingKeys.max_tokens,
          concurrency: { type: int(1, 256), doc: "requests in flight at once" },
          timeout: { type: duration, doc: "per-request timeout" },
          retries: { type: int(0, 20), doc: "retries after a failure" },
          prompt_price: {
            type: num(0),
            doc: "US dollars per million prompt tokens (the run manifest's cost)",
          },
          completion_price: { type: num(0), doc: "US dollars per million completion tokens" },
          seed,
        },
      },
      {
        syntax: "model NAME",
        doc: "a local model (a model or a trained one) generating with its KV cache",
        matches: isKind("LocalModel"),
        keys: samplingKeys,
      },
    ],
  },
  dataset: {
    doc: "a set of conversations: collected, loaded, built in, generated, or filtered from another",
    forms: [
      {
        syntax: "collect TASKS with GENERATOR",
        doc: "run the generator on the tasks and keep its trajectories",
        matches: (v) => v.kind === "Collect" && v.mode === "collect",
        keys: collectionKeys,
        statements: dataFilters,
      },
      {
        syntax: "derive TASKS with GENERATOR",
        doc: "Task Derivation: new tasks derived from the existing ones' data, solved and checked",
        matches: (v) => v.kind === "Collect" && v.mode === "derive",
        keys: generatedTaskKeys,
        statements: dataFilters,
      },
      {
        syntax: "self_instruct TASKS with GENERATOR",
        doc: "Self-Instruct: the generator writes a task, a solution and a checker; the verifier must agree",
        matches: (v) => v.kind === "Collect" && v.mode === "self_instruct",
        keys: generatedTaskKeys,
        statements: dataFilters,
      },
      {
        syntax: 'load "PATH" as FORMAT',
        doc: "read a JSONL file in a declared format",
        matches: isKind("Load"),
        keys: { count, seed, shuffle: { type: bool, doc: "shuffle before taking `count`" } },
        statements: dataFilters,
      },
      {
        syntax: 'builtin "NAME"',
        doc: "a built-in data set",
        matches: isKind("Builtin"),
        keys: { split, count, seed },
        statements: dataFilters,
        builtin: { names: builtinDatasets, what: "built-in data set" },
      },
      {
        syntax: "[DATASET, …]",
        doc: "the union of data sets (each example once per source)",
        matches: isKind("List"),
        keys: {},
        statements: dataFilters,
      },
      {
        syntax: "DATASET",
        doc: "another data set, filtered",
        matches: isKind("Ref"),
        keys: {},
        statements: dataFilters,
      },
    ],
  },
  mix: {
    doc: "a training mixture; each example is drawn from a source with the given probability",
    forms: [
      {
        syntax: "sample { SOURCE: PROBABILITY, … }",
        doc: "weights are sampling probabilities and must sum to 1",
        matches: isKind("Sample"),
        keys: {
          total: {
            type: oneOf(quantity("examples", "tokens"), int(1)),
            doc: "size of the mixture: 3000 examples or 2M tokens",
          },
          stop: {
            type: enumOf("total", "first_exhausted", "all_exhausted"),
            doc: "when to stop drawing: at the total, or when the first / every source runs out",
          },
          seed,
        },
      },
    ],
  },
  train: {
    doc: "a fine-tuning run",
    forms: [
      {
        syntax: "finetune MODEL on DATA",
        doc: "fine-tune a model on a data set or mix",
        matches: isKind("Finetune"),
        keys: {
          method: { type: call(trainingMethods), doc: "full, or lora(r = 8, alpha = 16, …)" },
          optimizer: {
            type: call(optimizers),
            doc: "adamw(lr = 5e-5, betas = [0.9, 0.95], weight_decay = 0.1)",
          },
          schedule: { type: call(schedules), doc: "cosine(warmup = 2%), linear(…) or constant(…)" },
          epochs: { type: int(1), doc: "passes over the data" },
          steps: { type: int(1), doc: "optimizer steps (instead of epochs)" },
          batch: { type: int(1), doc: "sequences per step" },
          grad_accum: { type: int(1), doc: "micro-batches accumulated per step" },
          seq_len: { type: int(8), doc: "longest sequence, in tokens" },
          pack: {
            type: bool,
            doc: "lay short examples end to end into full seq_len rows (pretraining, long contexts)",
          },
          grad_clip: { type: num(0), doc: "clip the global gradient norm to this" },
          loss: {
            type: enumOf("assistant_only", "loss_flags", "all"),
            doc: "which tokens are trained on: assistant turns, turns flagged loss: true, or everything",
          },
          seed,
        },
        requireOneOf: ["epochs", "steps"],
        exclusive: ["epochs", "steps"],
      },
    ],
  },
  eval: {
    doc: "an evaluation of models on task sets",
    forms: [
      {
        syntax: "evaluate MODELS",
        doc: "evaluate each model on the held-in, held-out and general sets",
        matches: isKind("Evaluate"),
        keys: {
          held_in: suite("task sets from the families trained on"),
          held_out: suite("task sets never trained on"),
          general: suite("general-ability sets"),
          metrics: {
            type: listOf(enumOf("success_rate", "reward", "turns", "normalized_score", "error_types")),
            doc: "what to report",
          },
          max_turns: maxTurns,
          prompt,
          max_tokens: {
            type: int(1),
            doc: "longest reply of a model under evaluation, in tokens (default 512)",
          },
          normalize: {
            type: enumOf("mean_one", "none"),
            doc: "mean_one: scale each task so the compared models average 1 (the paper's)",
          },
          seed,
        },
        requireOneOf: ["held_in", "held_out", "general"],
      },
    ],
  },
  report: {
    doc: "a report of evaluations",
    forms: [
      {
        syntax: "[EVALS]",
        doc: "tables of the named evaluations",
        matches: (v) => v.kind === "List" || v.kind === "Ref",
        keys: {
          output: { type: str, doc: "file to write" },
          format: { type: enumOf("markdown", "json", "html"), doc: "file format" },
          title: { type: str, doc: "heading" },
        },
      },
    ],
  },
};

/** Settings at the top of a recipe. */
export const recipeSettings: Record<string, KeySpec> = {
  seed: { type: int(0), doc: "the default seed of every stage" },
  description: { type: str, doc: "one line about the recipe" },
  cache: { type: str, doc: "cache directory (default .atune/cache)" },
};

/** Fields a `keep` condition may test. */
export const filterFields: Record<string, { type: ValueType; doc: string }> = {
  reward: { type: num(0, 1), doc: "final reward in [0, 1]" },
  success: { type: bool, doc: "the family judged the episode a success" },
  finish: { type: enumOf(...finishReasons), doc: "why the episode ended" },
  turns: { type: int(0), doc: "agent turns" },
  tokens: { type: int(0), doc: "tokens in the conversation" },
  valid_format: { type: bool, doc: "every action parsed" },
};

export const dedupeFields: readonly string[] = ["instruction", "conversation"];

export const paramTypes: readonly string[] = ["int", "number", "ratio", "bool", "string", "duration", "size"];

export { dataFormats, generatorKinds };
