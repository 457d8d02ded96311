import type { Rng } from "../../util/random.ts";
import type { EnvGroup, Environment, EnvTask, ExampleTrajectory, Move, ToolSpec } from "../types.ts";
import { asEpisode, recordExample, type Simulation, scriptedExpert } from "./episode.ts";
import { type OptionSpecs, resolveOptions } from "./options.ts";
import { generateTasks, type TaskContent, taskData } from "./tasks.ts";

/** The seed the 1-shot example task is drawn from (train split, first task). */
export const EXAMPLE_SEED = 20231012;

/** Everything a built-in family supplies; `defineFamily` turns it into an Environment. */
export interface FamilyDefinition<D, O> {
  family: string;
  group: EnvGroup;
  description: string;
  actionSpace: string;
  maxTurns: number;
  options: OptionSpecs;
  tools?: ToolSpec[];
  generate(rng: Rng, options: O): TaskContent<D>;
  simulate(data: D, task: EnvTask): Simulation;
  /** The expert's whole solution, planned from the task (see each family's expert for how it stays honest). */
  plan(data: D, task: EnvTask): Move[];
  /** What the expert says if asked to move after its plan is used up (the episode is over by then). */
  afterEnd: Move;
  /** Options for the example task, when the defaults would give a less instructive one. */
  exampleOptions?: Record<string, unknown>;
}

const exampleTasks = new WeakMap<Environment, () => EnvTask>();

/** The task a built-in family's 1-shot example solves (for replaying it, e.g. in tests). */
export function exampleTaskOf(environment: Environment): EnvTask | undefined {
  return exampleTasks.get(environment)?.();
}

export function defineFamily<D, O>(def: FamilyDefinition<D, O>): Environment {
  let example: ExampleTrajectory | undefined;
  const makeTasks: Environment["tasks"] = (query) =>
    generateTasks(def.family, query, resolveOptions<O>(def.family, def.options, query.options), def.generate);
  const exampleTask = () =>
    makeTasks({ split: "train", count: 1, seed: EXAMPLE_SEED, options: def.exampleOptions })[0];
  const environment: Environment = {
    family: def.family,
    group: def.group,
    description: def.description,
    actionSpace: def.actionSpace,
    maxTurns: def.maxTurns,
    options: def.options,
    tasks: makeTasks,
    async open(task) {
      return asEpisode(def.simulate(taskData<D>(def.family, task), task));
    },
    get example(): ExampleTrajectory {
      if (!example) {
        const task = exampleTask();
        const data = taskData<D>(def.family, task);
        const policy = scriptedExpert(def.plan(data, task), def.afterEnd);
        example = recordExample(def.family, task.instruction, def.simulate(data, task), policy, def.maxTurns);
      }
      return example;
    },
    expert(task) {
      return scriptedExpert(def.plan(taskData<D>(def.family, task), task), def.afterEnd);
    },
  };
  if (def.tools) environment.tools = def.tools;
  exampleTasks.set(environment, exampleTask);
  return environment;
}
