/**
 * The execution plan: what `atune compile` writes and `atune run` executes. A versioned JSON
 * document holding a DAG of stages. Each stage's content key is a hash of everything that can
 * change its output — kind, resolved configuration, its inputs' keys, the hashes of files it
 * reads, and the atune version — and never of output paths, so the same work is never done twice.
 */

export const PLAN_VERSION = 1;

export type StageKind =
  | "model" // a base model: built-in preset or a Hugging Face directory
  | "tasks" // a task set drawn from an environment
  | "collect" // tasks × generator → trajectories
  | "load" // a dataset file in a declared format
  | "builtin_data" // a built-in dataset (e.g. the general instruction set)
  | "derive" // new tasks written by a generator and verified
  | "filter" // records → kept records + drop report
  | "mix" // weighted mixture of datasets
  | "train" // fine-tuning → checkpoint
  | "eval" // models × task sets → scores
  | "report"; // evaluation results → Markdown + HTML

export interface FileInput {
  /** As written in the recipe, resolved relative to the recipe file. */
  path: string;
  sha256: string;
}

export interface PlanStage {
  /** Unique and readable: "<kind>.<name>", e.g. "collect.agent", "mix.tuning@eta=0.2". */
  id: string;
  kind: StageKind;
  /** Ids of the stages whose outputs this stage reads. */
  inputs: string[];
  /** Fully resolved configuration, defaults filled in. */
  config: Record<string, unknown>;
  files: FileInput[];
  /** sha256 of the stage's content (see stageKey). */
  key: string;
}

export interface Plan {
  version: typeof PLAN_VERSION;
  atune: string;
  recipe: { name: string; file: string; sha256: string };
  /** Parameter values this plan was compiled with (defaults and --set overrides). */
  params: Record<string, unknown>;
  /** In dependency order: every stage comes after its inputs. */
  stages: PlanStage[];
}
