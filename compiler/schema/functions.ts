/** The functions a setting may call: prompt styles, training methods, optimizers, schedules, env(). */
import { bool, type FunctionSpec, int, listOf, name, num, oneOf, ratio, str } from "./types.ts";

const intro = {
  type: bool,
  doc: "open with the environment's description and action space (default true); false suits models whose context cannot hold it",
};
export const promptStyles: Record<string, FunctionSpec> = {
  react: {
    doc: "ReAct prompting: a thought before every action, with `shots` worked examples",
    params: { shots: { type: int(0, 8), doc: "worked examples in the prompt (the paper uses 1)" }, intro },
  },
  act: {
    doc: "actions only, no thoughts",
    params: { shots: { type: int(0, 8), doc: "worked examples in the prompt" }, intro },
  },
};

export const trainingMethods: Record<string, FunctionSpec> = {
  full: { doc: "update every weight", params: {} },
  lora: {
    doc: "low-rank adapters on the named projections",
    params: {
      r: { type: int(1, 1024), doc: "adapter rank" },
      alpha: { type: num(0), doc: "scaling numerator (the update is scaled by alpha / r)" },
      dropout: { type: ratio, doc: "dropout on the adapter input" },
      targets: { type: listOf(name), doc: "projection names, e.g. [q_proj, v_proj]" },
    },
  },
};

export const optimizers: Record<string, FunctionSpec> = {
  adamw: {
    doc: "AdamW with decoupled weight decay",
    params: {
      lr: { type: num(0), doc: "peak learning rate" },
      betas: { type: listOf(num(0, 1), 2), doc: "[beta1, beta2]" },
      weight_decay: { type: num(0), doc: "decoupled weight decay" },
      eps: { type: num(0), doc: "denominator epsilon" },
    },
  },
  sgd: {
    doc: "stochastic gradient descent with momentum",
    params: {
      lr: { type: num(0), doc: "learning rate" },
      momentum: { type: num(0, 1), doc: "momentum" },
    },
  },
};

const warmup = { type: oneOf(ratio, int(0)), doc: "warm-up: a share of all steps (2%) or a number of steps" };
export const schedules: Record<string, FunctionSpec> = {
  cosine: {
    doc: "linear warm-up, then cosine decay",
    params: { warmup, min_lr: { type: num(0), doc: "floor" } },
  },
  linear: { doc: "linear warm-up, then linear decay to zero", params: { warmup } },
  constant: { doc: "linear warm-up, then constant", params: { warmup } },
};

/** `env("NAME")`: the value of an environment variable, read when the recipe runs (never stored). */
export const secrets: Record<string, FunctionSpec> = {
  env: {
    doc: "read an environment variable when the recipe runs",
    params: { name: { type: str, required: true, doc: "the variable's name" } },
    positional: ["name"],
  },
};
