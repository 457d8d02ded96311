/**
 * The properties `atune test` checks on every compiled instance of a recipe, besides "it compiles"
 * and the recipe's own expects: the plan is deterministic, each mix realises its declared weights,
 * no evaluation task reaches a training set, and every stage's seed is fixed. Each returns the
 * problems it finds as diagnostics pointing at the recipe text that causes them.
 */

import { taskSignature } from "../../runtime/env/common/tasks.ts";
import { resolveEnvironment } from "../../runtime/env/resolve.ts";
import type { MixConfig, TasksConfig } from "../../runtime/plan/config.ts";
import type { Plan, PlanStage } from "../../runtime/plan/types.ts";
import type { Declaration, Expression, Setting, Span } from "../ast/nodes.ts";
import { type Diagnostic, diagnostic } from "../diagnostics/diagnostic.ts";
import { evaluate, nameList, type ParamValues } from "../plan/values.ts";
import type { Program } from "../resolve/program.ts";
import type { Realised } from "./plan-facts.ts";

export const propertyNames = ["compiles", "deterministic", "mix-shares", "hygiene", "seeds"] as const;
export type PropertyName = (typeof propertyNames)[number];

/** Compile twice: the same recipe and params must give the same bytes and the same keys. */
export function checkDeterminism(first: Plan, second: Plan, program: Program): Diagnostic[] {
  const a = JSON.stringify(first);
  const b = JSON.stringify(second);
  if (a === b) return [];
  const changed =
    first.stages.find((s, i) => JSON.stringify(s) !== JSON.stringify(second.stages[i])) ?? first.stages[0];
  const name = changed?.id.split(".").slice(1).join(".") ?? "";
  return [
    diagnostic("ATN4002", declarationSpan(program, name), {
      message: `compiling twice gave two different plans: stage '${changed?.id}' differs (key ${changed?.key.slice(0, 12)}… vs ${second.stages.find((s) => s.id === changed?.id)?.key.slice(0, 12) ?? "absent"}…)`,
      help: "a plan must depend only on the recipe, its params and its input files; report this as an atune bug with the recipe",
    }),
  ];
}

/**
 * Weights are sampling probabilities: each in [0, 1], summing to 1 (the runtime silently
 * normalises any other sum). Where the plan fixes the mix's size (FactReader.plannedMix), the exact-quota counts
 * (runtime/mix/mix.ts) must give each source its weight within the tolerance the recipe declares
 * in an expect on that share, else within one example of rounding. Realised shares are used when
 * the mix has run (--with-data).
 */
export function checkMixShares(
  plan: Plan,
  program: Program,
  realised: Realised,
  tolerances: Map<string, number>,
  plannedMix: (stage: PlanStage) => { total: number; counts: Map<string, number> } | null,
): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const stage of plan.stages) {
    if (stage.kind !== "mix") continue;
    const config = stage.config as unknown as MixConfig;
    const name = stage.id.slice("mix.".length);
    const decl = program.declarations.get(name)?.node;
    if (!decl) continue;
    const sourceName = (id: string) => id.split(".").slice(1).join(".");
    const weightSpan = (id: string) => mixEntry(decl, sourceName(id))?.value.span ?? decl.value.span;
    const weights = Object.entries(config.weights);
    const bad = weights.find(([, w]) => !(w >= 0 && w <= 1));
    if (bad) {
      out.push(
        diagnostic("ATN4003", weightSpan(bad[0]), {
          message: `the weight of '${sourceName(bad[0])}' in mix '${name}' is ${round(bad[1])}; a sampling probability lies between 0 and 1`,
          help: "write weights that stay in [0, 1] for every value of the params, e.g. { agent: eta, general: 1 - eta }",
        }),
      );
      continue;
    }
    const sum = weights.reduce((n, [, w]) => n + w, 0);
    if (Math.abs(sum - 1) > 1e-9) {
      out.push(
        diagnostic("ATN4003", decl.value.span, {
          message: `the weights of mix '${name}' sum to ${round(sum)}, not 1, so the runtime rescales them: ${weights.map(([id, w]) => `'${sourceName(id)}' gets ${pct(w / sum)} instead of ${pct(w)}`).join(", ")}`,
          help: "make the weights add up to 1 for every value of the params (e.g. { agent: eta, general: 1 - eta })",
        }),
      );
      continue;
    }
    const summary = realised.get(stage.id) as
      | { total: number; unit: string; sources: Array<{ name: string; share: number }> }
      | undefined;
    const planned = summary ? null : plannedMix(stage);
    const total = summary?.total ?? planned?.total;
    const shares = summary
      ? new Map(summary.sources.map((s) => [s.name, s.share]))
      : planned && new Map([...planned.counts].map(([id, count]) => [id, count / planned.total]));
    if (!shares || total === undefined) continue;
    for (const [id, weight] of weights) {
      const share = shares.get(id);
      if (share === undefined) continue;
      const declared = tolerances.get(`${name}:${sourceName(id)}`);
      // Exact quotas are off by less than one example; token mixes overshoot by up to one record.
      if (declared === undefined && config.unit !== "examples") continue;
      const tolerance = declared ?? 1 / total;
      if (Math.abs(share - weight) <= tolerance + 1e-12) continue;
      out.push(
        diagnostic("ATN4003", weightSpan(id), {
          message: `'${sourceName(id)}' ${summary ? "got" : "gets"} ${pct(share)} of mix '${name}' (${total} ${config.unit}), but its weight is ${pct(weight)}: more than ${pct(tolerance)} apart`,
          help:
            declared === undefined
              ? "the exact-quota mix should be within one example; report this as an atune bug"
              : `raise the mix's total (one example is ${pct(1 / total)} of it) or loosen the expect's tolerance`,
        }),
      );
    }
  }
  return out;
}

/**
 * No evaluation task may reach a training set: for every task set a train stage's data was
 * collected from, and every task set an evaluation runs, the two must not share a task. Task sets
 * of the same environment, split, seed and options share their first tasks; others are drawn
 * (cheap, deterministic) and compared task by task.
 */
export async function checkHygiene(plan: Plan, program: Program, draw: TaskDrawer): Promise<Diagnostic[]> {
  const out: Diagnostic[] = [];
  const byId = new Map(plan.stages.map((s) => [s.id, s]));
  const training = new Map<string, string>(); // task-set stage id → the train stage it reaches
  for (const train of plan.stages.filter((s) => s.kind === "train")) {
    for (const id of ancestors(train, byId)) {
      const stage = byId.get(id)!;
      if (stage.kind !== "collect" && stage.kind !== "derive") continue;
      for (const input of stage.inputs) if (byId.get(input)?.kind === "tasks") training.set(input, train.id);
    }
  }
  for (const evalStage of plan.stages.filter((s) => s.kind === "eval")) {
    const sets = (evalStage.config as { sets: Array<{ stage: string; group: string }> }).sets;
    for (const set of sets) {
      const evaluated = byId.get(set.stage)!;
      for (const [trainedId, trainId] of training) {
        const trained = byId.get(trainedId)!;
        const shared = await sharedTasks(evaluated, trained, draw);
        if (shared === null) continue;
        const evalName = evalStage.id.slice("eval.".length);
        const taskName = evaluated.id.split(".").at(-1)!;
        const trainedName = trained.id.slice("tasks.".length);
        out.push(
          diagnostic("ATN4004", evalSetSpan(program, evalName, taskName, set.group), {
            message: `eval '${evalName}' runs ${shared} that '${trainId}' is trained on (through task set '${trainedName}'): held-in scores would measure memorised tasks`,
            help: `evaluate on the test split (${set.group} = [${taskName}] { split = test }), or give the two task sets different splits`,
            related: [
              { message: `'${trainedName}' is declared here`, span: declarationSpan(program, trainedName) },
            ],
          }),
        );
      }
    }
  }
  return out;
}

/** Draws a task set's task signatures (memoised by stage key: the same config gives the same tasks). */
export class TaskDrawer {
  private readonly drawn = new Map<string, Promise<Set<string>>>();
  draw(stage: PlanStage): Promise<Set<string>> {
    let found = this.drawn.get(stage.key);
    if (!found) {
      const config = stage.config as unknown as TasksConfig;
      // A task set that cannot be drawn fails when it runs (and under --with-data); here it shares nothing.
      found = resolveEnvironment(config.env)
        .then(
          (env) =>
            new Set(
              env
                .tasks({
                  split: config.split,
                  count: config.count,
                  seed: config.seed,
                  options: config.options,
                })
                .map(taskSignature),
            ),
        )
        .catch(() => new Set<string>());
      this.drawn.set(stage.key, found);
    }
    return found;
  }
}

const MAX_DRAWN_TASKS = 20_000;

/** "the same 20 tasks" / "3 tasks" both sets contain, or null when they share none. */
async function sharedTasks(a: PlanStage, b: PlanStage, drawer: TaskDrawer): Promise<string | null> {
  const ca = a.config as unknown as TasksConfig;
  const cb = b.config as unknown as TasksConfig;
  if (JSON.stringify(ca.env) !== JSON.stringify(cb.env) || ca.split !== cb.split) return null;
  if (ca.seed === cb.seed && JSON.stringify(ca.options) === JSON.stringify(cb.options)) {
    return `the same ${Math.min(ca.count, cb.count)} tasks (same environment, split ${ca.split} and seed ${ca.seed})`;
  }
  // Drawing is cheap for task sets of ordinary size; beyond that, the same split is reason enough.
  if (Math.max(ca.count, cb.count) > MAX_DRAWN_TASKS) {
    return `tasks of the same environment and split (${ca.split}; too many to draw and compare, so they may coincide)`;
  }
  const [sa, sb] = await Promise.all([drawer.draw(a), drawer.draw(b)]);
  const common = [...sa].filter((s) => sb.has(s)).length;
  return common === 0 ? null : `${common} task${common === 1 ? "" : "s"} (split ${ca.split})`;
}

/** Stage kinds whose work is random and so must carry a seed. */
const seededKinds = new Set(["tasks", "mix", "load", "builtin_data", "train", "derive"]);

/**
 * Every stage's seed is fixed: each seeded stage carries a whole-number seed, and every `seed = …`
 * the recipe writes is a whole number once the params are known — not `env("SEED")` or a name the
 * planner cannot evaluate (it would silently fall back to the derived seed).
 */
export function checkSeeds(plan: Plan, program: Program, params: ParamValues): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const stage of plan.stages) {
    const needsSeed =
      seededKinds.has(stage.kind) || (stage.kind === "model" && stage.config.source === "builtin");
    if (!needsSeed || Number.isInteger(stage.config.seed)) continue;
    const name = stage.id.split(".").slice(1).join(".");
    out.push(
      diagnostic("ATN4005", declarationSpan(program, name), {
        message: `stage '${stage.id}' has no fixed seed (${JSON.stringify(stage.config.seed)})`,
        help: "write seed = N in its block or in the recipe",
      }),
    );
  }
  for (const setting of seedSettings(program)) {
    const value = evaluate(setting.value, params);
    if (typeof value === "number" && Number.isInteger(value) && value >= 0) continue;
    const source =
      setting.value.kind === "Call"
        ? "it is read from the environment when the recipe runs"
        : typeof value === "string"
          ? `'${value}' is not a param, so the planner ignores it and derives the seed from the name`
          : `it is ${JSON.stringify(value)}, not a whole number ≥ 0`;
    out.push(
      diagnostic("ATN4005", setting.value.span, {
        message: `this seed is not fixed by the recipe: ${source}`,
        help: "write a whole number (seed = 7) or a param of type int",
      }),
    );
  }
  return out;
}

/** Every `seed = …` written: the recipe's, each declaration's, and each evaluation set's options. */
function seedSettings(program: Program): Setting[] {
  const out = program.settings.filter((s) => s.key.value === "seed");
  for (const { node } of program.declarations.values()) {
    for (const entry of node.options?.entries ?? []) {
      if (entry.kind !== "Setting") continue;
      if (entry.key.value === "seed") out.push(entry);
      for (const option of entry.options?.entries ?? [])
        if (option.kind === "Setting" && option.key.value === "seed") out.push(option);
    }
  }
  return out;
}

function ancestors(stage: PlanStage, byId: Map<string, PlanStage>): Set<string> {
  const seen = new Set<string>();
  const stack = [...stage.inputs];
  while (stack.length > 0) {
    const id = stack.pop()!;
    if (seen.has(id)) continue;
    seen.add(id);
    stack.push(...(byId.get(id)?.inputs ?? []));
  }
  return seen;
}

function mixEntry(decl: Declaration, source: string) {
  return decl.value.kind === "Sample" && decl.value.weights.kind === "Record"
    ? decl.value.weights.entries.find((e) => e.key.value === source)
    : undefined;
}

export function declarationSpan(program: Program, name: string): Span {
  const node = program.declarations.get(name)?.node;
  return node?.name.span ?? program.recipe?.name.span ?? emptySpan(program);
}

/** The task's name in the eval's held_in / held_out list. */
function evalSetSpan(program: Program, evalName: string, task: string, group: string): Span {
  const decl = program.declarations.get(evalName)?.node;
  const setting = decl?.options?.entries.find(
    (e): e is Setting => e.kind === "Setting" && e.key.value === group,
  );
  const ref = nameList(setting?.value as Expression | undefined).find((n) => n.name === task);
  return ref?.span ?? decl?.name.span ?? emptySpan(program);
}

function emptySpan(program: Program): Span {
  return { file: program.file, start: 0, end: 0, line: 1, column: 1, endLine: 1, endColumn: 1 };
}

function round(x: number): string {
  return String(+x.toPrecision(6));
}

function pct(x: number): string {
  return `${+(x * 100).toPrecision(4)}%`;
}
