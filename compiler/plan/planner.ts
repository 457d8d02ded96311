/**
 * The planner: a resolved program → an execution plan. Every declaration becomes one or more
 * stages with fully resolved configuration (defaults filled in; docs/plan.md lists them), in
 * dependency order, through PlanBuilder (which computes the content keys). A sweep plans every
 * branch; a stage whose configuration does not depend on a swept param keeps one id and one key
 * and is shared by all branches, the others get a suffix such as `@eta=0.2`.
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { GENERAL_DATA_VERSION } from "../../runtime/data/general/generate.ts";
import { PlanBuilder } from "../../runtime/plan/build.ts";
import type {
  BuiltinDataConfig,
  CollectConfig,
  FilterConfig,
  FilterStageConfig,
  GeneratorConfig,
  LoadConfig,
  MixConfig,
  ModelStageConfig,
  PromptConfig,
  ScopedFilterConfig,
  TasksConfig,
  TrainStageConfig,
} from "../../runtime/plan/config.ts";
import { sha256 } from "../../runtime/plan/key.ts";
import type { FileInput, Plan } from "../../runtime/plan/types.ts";
import type { EvalConfig } from "../../runtime/stages/eval-stage.ts";
import type { ReportConfig } from "../../runtime/stages/report-stage.ts";
import { isPretrained, pretrainedModelDir } from "../../runtime/train/model/pretrained.ts";
import type { BlockEntry, Declaration, Expression, Span } from "../ast/nodes.ts";
import { type Diagnostic, diagnostic } from "../diagnostics/diagnostic.ts";
import { hashFile } from "../lock/hash.ts";
import type { Program } from "../resolve/program.ts";
import { declarationReferences, evaluate, nameList, type ParamValues, Settings, tidy } from "./values.ts";

/** Defaults the planner fills in (docs/plan.md documents each). */
export const defaults = {
  taskSplit: "train",
  taskCount: 100,
  dataCount: 1000,
  maxTurns: 30,
  shots: 1,
  expertConcurrency: 1,
  // Episodes an evaluation runs at once: a local model generates their replies as one batch.
  evalConcurrency: 8,
  openai: {
    baseURL: "https://api.openai.com/v1",
    temperature: 0,
    maxTokens: 1024,
    concurrency: 4,
    timeoutMs: 60_000,
    retries: 3,
  },
  localModel: { temperature: 0, maxTokens: 512 },
  ngram: 10,
  mixUnit: "examples",
  train: {
    batch: 8,
    gradAccum: 1,
    seqLen: 4096,
    gradClip: 1.0,
    lossMask: "assistant_only" as const,
    lr: 5e-5,
    betas: [0.9, 0.95] as [number, number],
    eps: 1e-8,
    weightDecay: 0.1,
    momentum: 0.9,
    schedule: "cosine",
    warmup: 0.02,
    loraAlpha: 16,
    loraR: 8,
    loraDropout: 0.05,
    loraTargets: ["q_proj", "v_proj"],
  },
  reportFormat: "markdown",
} as const;

/** Data format aliases the runtime accepts, mapped to its own names. */
const formatAliases: Record<string, string> = { openai_chat: "openai", llama_factory: "llamafactory" };

export interface PlanResult {
  plan: Plan;
  diagnostics: Diagnostic[];
}

/** A stable 31-bit seed for a stage: the recipe's seed combined with the declaration's name. */
export function stageSeed(recipeSeed: number, name: string): number {
  return Number.parseInt(sha256(`${recipeSeed}:${name}`).slice(0, 8), 16) >>> 1;
}

interface Branch {
  params: ParamValues;
  /** Swept params and their value in this branch, e.g. [["eta", 0.2]]. */
  swept: Array<[string, unknown]>;
}

export function planProgram(
  program: Program,
  params: ParamValues,
  sweeps: Map<string, unknown[]>,
  atuneVersion: string,
): PlanResult {
  const diagnostics: Diagnostic[] = [];
  const builder = new PlanBuilder(atuneVersion);
  const recipeSettings = new Settings(
    { kind: "Block", entries: program.settings, danglingComments: [], span: program.recipe?.span as Span },
    params,
  );
  const recipeSeed = recipeSettings.number("seed") ?? 0;
  // Paths are relative to the file they are written in (an imported library file has its own folder).
  const dirOf = (span: Span) => dirname(resolve(span.file));
  /** A path setting resolved against its file, with the span to report it at; undefined when absent. */
  const pathSetting = (s: Settings, key: string): [string, Span] | undefined => {
    const value = s.string(key);
    const expr = s.expr(key);
    return value === undefined || !expr ? undefined : [resolve(dirOf(expr.span), value), expr.span];
  };
  const dependsOn = paramDependencies(program);

  const branches: Branch[] = [{ params, swept: [] }];
  for (const [name, values] of sweeps) {
    const next: Branch[] = [];
    for (const b of branches) {
      for (const v of values)
        next.push({ params: new Map(b.params).set(name, v), swept: [...b.swept, [name, v]] });
    }
    branches.splice(0, branches.length, ...next);
  }

  const fileCache = new Map<string, FileInput | null>();
  const fileInput = (path: string, span: Span): FileInput | null => {
    if (!fileCache.has(path)) {
      // Chunked: a model's multi-gigabyte safetensors shard does not fit one read (2 GiB limit).
      const hash = hashFile(path);
      if (hash !== null) {
        fileCache.set(path, { path, sha256: hash });
      } else {
        fileCache.set(path, null);
        diagnostics.push(
          diagnostic("ATN3006", span, {
            message: `${path} does not exist yet`,
            help: "the plan can be reviewed, but 'atune run' needs the file; paths are relative to the file that names them",
          }),
        );
      }
    }
    return fileCache.get(path) ?? null;
  };
  /** A missing file still enters the key, so the plan changes once the file appears. */
  const filesOf = (paths: Array<[string, Span]>): FileInput[] =>
    paths.map(([p, span]) => fileInput(p, span) ?? { path: p, sha256: "missing" });

  const reports = new Map<string, { decl: Declaration; evals: ReportConfig["evals"] }>();
  for (const branch of branches) {
    const p = branch.params;
    const suffixOf = (name: string): string => {
      const used = branch.swept.filter(([param]) => dependsOn.get(name)?.has(param));
      return used.length === 0 ? "" : `@${used.map(([k, v]) => `${k}=${v}`).join(",")}`;
    };
    /** The stage id that holds a declaration's output (its last stage). */
    const outputs = new Map<string, string>();
    const seedOf = (d: Declaration, s: Settings) => s.number("seed") ?? stageSeed(recipeSeed, d.name.value);
    const add = (
      id: string,
      kind: Parameters<PlanBuilder["add"]>[1],
      config: object,
      inputs: string[] = [],
      files: FileInput[] = [],
    ) => {
      if (!builder.has(id)) builder.add(id, kind, config as Record<string, unknown>, inputs, files);
      return id;
    };
    const declOf = (name: string) => program.declarations.get(name)?.node;
    const output = (name: string): string => {
      const found = outputs.get(name);
      if (found) return found;
      const d = declOf(name);
      if (!d) throw new Error(`the planner reached '${name}', which resolution did not find`);
      const id = planDeclaration(d);
      outputs.set(name, id);
      return id;
    };

    const generatorConfig = (name: string): { config: GeneratorConfig; inputs: string[] } => {
      const g = declOf(name);
      if (!g) throw new Error(`unknown generator ${name}`);
      const s = new Settings(g.options, p);
      if (g.value.kind === "LocalModel") {
        const model = nameList(g.value.model)[0]?.name ?? "";
        const stage = output(model);
        return {
          config: {
            type: "model",
            stage,
            temperature: s.number("temperature") ?? defaults.localModel.temperature,
            maxTokens: s.number("max_tokens") ?? defaults.localModel.maxTokens,
          },
          inputs: [stage],
        };
      }
      if (g.value.kind === "Ref" && g.value.name === "openai") {
        const key = s.expr("api_key");
        const apiKeyEnv =
          key?.kind === "Call" && key.args[0]?.value.kind === "String" ? key.args[0].value.value : undefined;
        const timeout = s.number("timeout");
        return {
          config: {
            type: "openai",
            baseURL: s.string("base_url") ?? defaults.openai.baseURL,
            model: s.string("model") ?? "",
            ...(apiKeyEnv ? { apiKeyEnv } : {}),
            temperature: s.number("temperature") ?? defaults.openai.temperature,
            maxTokens: s.number("max_tokens") ?? defaults.openai.maxTokens,
            concurrency: s.number("concurrency") ?? defaults.openai.concurrency,
            timeoutMs: timeout === undefined ? defaults.openai.timeoutMs : Math.round(timeout * 1000),
            retries: s.number("retries") ?? defaults.openai.retries,
            ...pricesOf(s),
          },
          inputs: [],
        };
      }
      return { config: { type: "expert" }, inputs: [] };
    };

    const tasksConfig = (
      d: Declaration,
      overrides: Settings | null,
    ): { config: TasksConfig; files: FileInput[] } => {
      const s = new Settings(d.options, p);
      const pick = (key: string) => overrides?.number(key);
      const split = (overrides?.string("split") ?? s.string("split") ?? defaults.taskSplit) as
        | "train"
        | "test";
      let env: TasksConfig["env"];
      let files: FileInput[] = [];
      if (d.value.kind === "Module") {
        const path = resolve(dirOf(d.value.path.span), d.value.path.value);
        env = { module: { path, export: d.value.exportName?.value ?? "default" } };
        files = filesOf([[path, d.value.path.span]]);
      } else {
        env = { builtin: d.value.kind === "Builtin" ? d.value.name.value : "" };
      }
      const options = s.expr("options");
      return {
        config: {
          env,
          split,
          count: pick("count") ?? s.number("count") ?? defaults.taskCount,
          seed: pick("seed") ?? seedOf(d, s),
          options: options ? (evaluate(options, p) as Record<string, unknown>) : {},
        },
        files,
      };
    };

    const filterConfigs = (d: Declaration): { filters: ScopedFilterConfig[]; inputs: string[] } => {
      const filters: ScopedFilterConfig[] = [];
      const inputs: string[] = [];
      for (const entry of d.options?.entries ?? []) {
        const planned = filterOf(entry);
        filters.push(...planned.filters);
        inputs.push(...planned.inputs);
      }
      return { filters, inputs };
    };
    const filterOf = (entry: BlockEntry): { filters: ScopedFilterConfig[]; inputs: string[] } => {
      if (entry.kind === "Dedupe") return { filters: [{ type: "dedupe" }], inputs: [] };
      if (entry.kind === "Decontaminate") {
        // Against an evaluation means against its task sets; a task set names itself.
        const sets = nameList(entry.against).flatMap(({ name }) => evalTaskSets(name));
        const n = entry.ngram ? (evaluate(entry.ngram, p) as number) : defaults.ngram;
        return { filters: [{ type: "decontaminate", against: sets, n, tolerance: 0 }], inputs: sets };
      }
      if (entry.kind !== "Keep") return { filters: [], inputs: [] };
      const scope = nameList(entry.scope).map(({ name }) => output(name));
      const scoped = (f: FilterConfig): ScopedFilterConfig => (scope.length > 0 ? { ...f, for: scope } : f);
      const filters = keepFilters(entry.condition, p, (path) => resolve(dirOf(entry.span), path)).map(scoped);
      // The scoped task sets are inputs: the filter stage reads their task ids.
      return { filters, inputs: scope };
    };

    /** The task-set stages an evaluation reads (or the task set itself). */
    const evalTaskSets = (name: string): string[] => {
      const d = declOf(name);
      if (!d) return [];
      if (d.declKind === "task") return [output(name)];
      if (d.declKind !== "eval") return [];
      return evalGroups(d).flatMap((g) => g.sets.map((s) => s.stage));
    };

    const evalGroups = (d: Declaration) => {
      const s = new Settings(d.options, p);
      const groups: Array<{ group: string; sets: Array<{ stage: string; group: string }> }> = [];
      for (const group of ["held_in", "held_out"]) {
        const setting = s.setting(group);
        if (!setting) continue;
        const options = setting.options ? new Settings(setting.options, p) : null;
        const sets = nameList(setting.value).map(({ name }) => {
          const task = declOf(name);
          if (!task || !options) return { stage: output(name), group };
          const { config, files } = tasksConfig(task, options);
          const id = `tasks.${d.name.value}.${name}${suffixOf(name)}`;
          return { stage: add(id, "tasks", config, [], files), group };
        });
        groups.push({ group, sets });
      }
      return groups;
    };

    const planDeclaration = (d: Declaration): string => {
      const name = d.name.value;
      const suffix = suffixOf(name);
      const s = new Settings(d.options, p);
      const v = d.value;
      switch (d.declKind) {
        case "model": {
          if (v.kind === "Hf") {
            const dir = resolve(dirOf(v.path.span), v.path.value);
            const tokenizerFile = pathSetting(s, "tokenizer");
            const templateFile = pathSetting(s, "chat_template");
            const extra = [tokenizerFile, templateFile].filter((f) => f !== undefined);
            const files = existsSync(dir)
              ? filesOf([...modelFiles(dir).map((f): [string, Span] => [f, v.path.span]), ...extra])
              : filesOf([[dir, v.path.span]]);
            const config: ModelStageConfig = {
              source: "hf",
              path: dir,
              ...(tokenizerFile ? { tokenizer: tokenizerFile[0] } : {}),
              ...(templateFile ? { chatTemplate: templateFile[0] } : {}),
            };
            return add(`model.${name}${suffix}`, "model", config, [], files);
          }
          const preset = v.kind === "Builtin" ? v.name.value : "";
          const context = s.number("context");
          const tokenizer = pathSetting(s, "tokenizer");
          if (v.kind === "Builtin" && isPretrained(preset)) {
            // A shipped checkpoint: its files are the stage's, so the key follows the weights.
            for (const [key, value] of [
              ["context", context],
              ["tokenizer", tokenizer],
            ] as const) {
              if (value === undefined) continue;
              throw new UnsupportedSetting(
                s.expr(key)!.span,
                `${key} on the pretrained model '${preset}'`,
                `leave ${key} out: a pretrained model keeps the ${key} it was trained with`,
              );
            }
            const dir = pretrainedModelDir(preset);
            const files = existsSync(dir)
              ? filesOf(modelFiles(dir).map((f): [string, Span] => [f, v.name.span]))
              : filesOf([[dir, v.name.span]]);
            const config: ModelStageConfig = { source: "builtin", preset, seed: seedOf(d, s) };
            return add(`model.${name}${suffix}`, "model", config, [], files);
          }
          if (tokenizer && existsSync(tokenizer[0]) && !statSync(tokenizer[0]).isDirectory()) {
            diagnostics.push(
              diagnostic("ATN3006", tokenizer[1], {
                message: `${tokenizer[0]} is a file; a built-in size's tokenizer is a folder`,
                help: "name the folder that holds tokenizer.json and tokenizer_config.json (what 'atune tokenizer train -o FOLDER' writes)",
              }),
            );
          }
          // The tokenizer's files are the stage's, so retraining the tokenizer gives a new key.
          const config: ModelStageConfig = {
            source: "builtin",
            preset,
            seed: seedOf(d, s),
            ...(context === undefined ? {} : { context }),
            ...(tokenizer ? { tokenizer: tokenizer[0] } : {}),
          };
          const files = tokenizer
            ? filesOf(TOKENIZER_FILES.map((f): [string, Span] => [join(tokenizer[0], f), tokenizer[1]]))
            : [];
          return add(`model.${name}${suffix}`, "model", config, [], files);
        }
        case "task": {
          const { config, files } = tasksConfig(d, null);
          return add(`tasks.${name}${suffix}`, "tasks", config, [], files);
        }
        case "dataset":
          return planDataset(d, s, suffix);
        case "mix": {
          const weights: Record<string, number> = {};
          const inputs: string[] = [];
          if (v.kind === "Sample" && v.weights.kind === "Record") {
            for (const entry of v.weights.entries) {
              const id = output(entry.key.value);
              weights[id] = tidy(evaluate(entry.value, p) as number);
              inputs.push(id);
            }
          }
          const total = s.expr("total");
          const totalValue = total ? (evaluate(total, p) as number) : undefined;
          const unit = total?.kind === "Number" && total.noun === "tokens" ? "tokens" : defaults.mixUnit;
          const config: MixConfig = {
            weights,
            stop: (s.string("stop") ??
              (totalValue === undefined ? "first_exhausted" : "total")) as MixConfig["stop"],
            ...(totalValue === undefined ? {} : { total: totalValue }),
            unit,
            seed: seedOf(d, s),
          };
          return add(`mix.${name}${suffix}`, "mix", config, inputs);
        }
        case "train": {
          if (v.kind !== "Finetune") return "";
          const base = output(nameList(v.base)[0]?.name ?? "");
          const data = output(nameList(v.data)[0]?.name ?? "");
          return add(`train.${name}${suffix}`, "train", trainConfig(s, base, data, seedOf(d, s), p), [
            base,
            data,
          ]);
        }
        case "eval": {
          if (v.kind !== "Evaluate") return "";
          const inputs: string[] = [];
          const models = nameList(v.models).map(({ name: model }) => {
            const stage = output(model);
            inputs.push(stage);
            return {
              name: model,
              generator: {
                type: "model" as const,
                stage,
                temperature: defaults.localModel.temperature,
                maxTokens: s.number("max_tokens") ?? defaults.localModel.maxTokens,
              },
            };
          });
          const sets = evalGroups(d).flatMap((g) => g.sets);
          inputs.push(...sets.map((x) => x.stage));
          const general = nameList(s.expr("general")).map(({ name: data }) => ({ stage: output(data) }));
          inputs.push(...general.map((g) => g.stage));
          const config: EvalConfig & Record<string, unknown> = {
            models,
            sets,
            general,
            ...promptConfig(s, p),
            ...(s.number("max_turns") === undefined ? {} : { maxTurns: s.number("max_turns") }),
            invalidActions: "map",
            concurrency: defaults.evalConcurrency,
            metrics: (
              evaluate(s.expr("metrics") ?? { kind: "List", elements: [], span: d.span }, p) as string[]
            ).length
              ? (evaluate(s.expr("metrics")!, p) as string[])
              : ["success_rate", "reward", "normalized_score"],
            normalize: s.string("normalize") ?? "mean_one",
          };
          return add(`eval.${name}${suffix}`, "eval", config, unique(inputs));
        }
        case "report": {
          // Planned once after every branch: one report over all branches' evaluations.
          const entry = reports.get(name) ?? { decl: d, evals: [] };
          for (const { name: e } of nameList(v)) {
            const params = Object.fromEntries(
              branch.swept.filter(([k]) => dependsOn.get(e)?.has(k)),
            ) as Record<string, number | string>;
            entry.evals.push({ stage: output(e), ...(Object.keys(params).length ? { params } : {}) });
          }
          reports.set(name, entry);
          return "";
        }
        default:
          return "";
      }
    };

    const planDataset = (d: Declaration, s: Settings, suffix: string): string => {
      const name = d.name.value;
      const v = d.value;
      let source: string;
      if (v.kind === "Collect") {
        const generatorName = nameList(v.generator)[0]?.name ?? "";
        const gen = generatorConfig(generatorName);
        const tasks = nameList(v.tasks).map(({ name: t }) => output(t));
        const taskTurns = nameList(v.tasks)
          .map(({ name: t }) => new Settings(declOf(t)?.options ?? null, p).number("max_turns"))
          .filter((x): x is number => x !== undefined);
        const common = {
          generator: gen.config,
          ...promptConfig(s, p),
          maxTurns: s.number("max_turns") ?? (taskTurns.length ? Math.max(...taskTurns) : defaults.maxTurns),
          ...(s.number("max_tokens") === undefined ? {} : { maxTokens: s.number("max_tokens") }),
          ...(s.number("repeat_limit") === undefined ? {} : { repeatLimit: s.number("repeat_limit") }),
          attempts: s.number("attempts") ?? 1,
          invalidActions: "map" as const,
          concurrency: gen.config.type === "openai" ? gen.config.concurrency : defaults.expertConcurrency,
        };
        if (v.mode === "collect") {
          const config: CollectConfig & Record<string, unknown> = common;
          source = add(`collect.${name}${suffix}`, "collect", config, unique([...tasks, ...gen.inputs]));
        } else {
          const verifierName = nameList(s.expr("verifier"))[0]?.name;
          const verifier = verifierName ? generatorConfig(verifierName) : gen;
          source = add(
            `derive.${name}${suffix}`,
            "derive",
            {
              ...common,
              mode: v.mode,
              count: s.number("count") ?? defaults.taskCount,
              verifier: verifier.config,
              seed: seedOf(d, s),
            },
            unique([...tasks, ...gen.inputs, ...verifier.inputs]),
          );
        }
      } else if (v.kind === "Load") {
        const path = resolve(dirOf(v.path.span), v.path.value);
        const format = formatAliases[v.format.value] ?? v.format.value;
        const config: LoadConfig & Record<string, unknown> = {
          path,
          format,
          skipBadLines: false,
          ...(s.number("count") === undefined ? {} : { count: s.number("count") }),
          shuffle: s.bool("shuffle") ?? false,
          seed: seedOf(d, s),
        };
        source = add(`load.${name}${suffix}`, "load", config, [], filesOf([[path, v.path.span]]));
      } else if (v.kind === "Builtin") {
        const config: BuiltinDataConfig = {
          name: "general",
          split: (s.string("split") ?? "train") as "train" | "test",
          count: s.number("count") ?? defaults.dataCount,
          seed: seedOf(d, s),
          version: GENERAL_DATA_VERSION,
        };
        source = add(`builtin_data.${name}${suffix}`, "builtin_data", config);
      } else {
        // A union `[a, b]` or another dataset, filtered: one filter stage reading them all.
        const inputs = nameList(v).map(({ name: x }) => output(x));
        const { filters, inputs: extra } = filterConfigs(d);
        const config: FilterStageConfig = { filters };
        return add(`filter.${name}${suffix}`, "filter", config, unique([...inputs, ...extra]));
      }
      const { filters, inputs } = filterConfigs(d);
      if (filters.length === 0) return source;
      const config: FilterStageConfig = { filters };
      return add(`filter.${name}${suffix}`, "filter", config, unique([source, ...inputs]));
    };

    for (const [name, entry] of program.declarations) {
      if (entry.node.declKind === "generator") continue;
      output(name);
    }
  }

  for (const [name, { decl, evals }] of reports) {
    const s = new Settings(decl.options, params);
    const swept = [...new Set(evals.flatMap((e) => Object.keys(e.params ?? {})))];
    const config: ReportConfig = {
      title: s.string("title") ?? name,
      evals,
      ...(swept.length === 1 ? { sweep: swept[0] } : {}),
    };
    add0(builder, `report.${name}`, "report", config, unique(evals.map((e) => e.stage)));
  }

  const planParams: Record<string, unknown> = {};
  for (const [name, value] of [...params].sort(([a], [b]) => (a < b ? -1 : 1))) {
    planParams[name] = sweeps.has(name) ? sweeps.get(name) : value;
  }
  const recipeName = program.recipe?.name.value ?? "";
  const source = readFileSync(program.file);
  const plan = builder.build({ name: recipeName, file: program.file, sha256: sha256(source) }, planParams);
  return { plan, diagnostics };
}

function add0(builder: PlanBuilder, id: string, kind: "report", config: object, inputs: string[]): void {
  builder.add(id, kind, config as Record<string, unknown>, inputs);
}

function unique(ids: string[]): string[] {
  return [...new Set(ids)];
}

/** What a tokenizer folder for a built-in size holds ('atune tokenizer train' writes both). */
const TOKENIZER_FILES = ["tokenizer.json", "tokenizer_config.json"];

/**
 * The files of a model directory that decide what it computes: its config, weights, tokenizer and
 * chat template (tokenizer_config.json). Their hashes are the stage's files, so a changed tokenizer
 * or template gives the stage (and every stage after it) a new key.
 */
function modelFiles(dir: string): string[] {
  if (!statSync(dir).isDirectory()) return [dir];
  const fingerprint = ["config.json", "tokenizer.json", "tokenizer_config.json", "generation_config.json"];
  return readdirSync(dir)
    .filter(
      (f) => fingerprint.includes(f) || f.endsWith(".safetensors") || f === "model.safetensors.index.json",
    )
    .sort()
    .map((f) => join(dir, f));
}

/** Which params each declaration's configuration depends on, directly or through its inputs. */
export function paramDependencies(program: Program): Map<string, Set<string>> {
  const result = new Map<string, Set<string>>();
  const visiting = new Set<string>();
  const visit = (name: string): Set<string> => {
    const known = result.get(name);
    if (known) return known;
    const entry = program.declarations.get(name);
    const found = new Set<string>();
    if (!entry || visiting.has(name)) return found;
    visiting.add(name);
    for (const ref of declarationReferences(entry.node)) {
      if (program.params.has(ref)) found.add(ref);
      else if (program.declarations.has(ref)) for (const p of visit(ref)) found.add(p);
    }
    visiting.delete(name);
    result.set(name, found);
    return found;
  };
  for (const name of program.declarations.keys()) visit(name);
  return result;
}

/** A `keep` condition as runtime filters: one per conjunct. */
function keepFilters(e: Expression, p: ParamValues, at: (path: string) => string): FilterConfig[] {
  if (e.kind === "Binary" && e.op === "and")
    return [...keepFilters(e.left, p, at), ...keepFilters(e.right, p, at)];
  if (e.kind === "Ref") {
    if (e.name === "valid_format") return [{ type: "format" }];
    if (e.name === "success") return [{ type: "reward", op: ">=", value: 1 }];
  }
  if (e.kind === "Module") {
    return [
      { type: "predicate", module: { path: at(e.path.value), export: e.exportName?.value ?? "default" } },
    ];
  }
  if (e.kind === "Binary" && e.left.kind === "Ref") {
    const field = e.left.name;
    const right = evaluate(e.right, p);
    if (field === "reward" && typeof right === "number" && e.op !== "in" && isComparison(e.op)) {
      return [{ type: "reward", op: e.op, value: tidy(right) }];
    }
    if (field === "finish" && e.op === "==") return [{ type: "finish_reason", allowed: [String(right)] }];
    if (field === "finish" && e.op === "in" && Array.isArray(right)) {
      return [{ type: "finish_reason", allowed: right.map(String) }];
    }
    if ((field === "turns" || field === "tokens") && typeof right === "number") {
      const bound =
        e.op === "<="
          ? { max: right }
          : e.op === "<"
            ? { max: right - 1 }
            : e.op === ">="
              ? { min: right }
              : e.op === ">"
                ? { min: right + 1 }
                : { min: right, max: right };
      return [{ type: field, ...bound }];
    }
    if ((field === "turns" || field === "tokens") && e.op === "in" && e.right.kind === "Range") {
      return [
        { type: field, min: evaluate(e.right.from, p) as number, max: evaluate(e.right.to, p) as number },
      ];
    }
  }
  throw new UnplannableFilter(e.span);
}

export class UnplannableFilter extends Error {
  constructor(readonly span: Span) {
    super("this keep condition has no runtime filter");
  }
}

function isComparison(op: string): op is "==" | "!=" | "<" | "<=" | ">" | ">=" {
  return ["==", "!=", "<", "<=", ">", ">="].includes(op);
}

/** An endpoint's prices per million tokens, when the recipe gives either (the other is then 0). */
function pricesOf(s: Settings): { prices?: { prompt: number; completion: number } } {
  const prompt = s.number("prompt_price");
  const completion = s.number("completion_price");
  if (prompt === undefined && completion === undefined) return {};
  return { prices: { prompt: prompt ?? 0, completion: completion ?? 0 } };
}

/** `prompt = react(shots = 1, intro = true)`: the style, the worked examples, the introduction. */
function promptConfig(s: Settings, p: ParamValues): PromptConfig {
  const prompt = s.call("prompt");
  const arg = (key: string) => {
    const expr = prompt?.args.get(key);
    return expr ? evaluate(expr, p) : undefined;
  };
  const intro = arg("intro") as boolean | undefined;
  return {
    prompt: (prompt?.fn ?? "react") as "react" | "act",
    shots: (arg("shots") as number | undefined) ?? defaults.shots,
    ...(intro === false ? { intro } : {}),
  };
}

/** Training settings this build's trainer cannot do yet; each is an error naming the setting. */
export class UnsupportedSetting extends Error {
  constructor(
    readonly span: Span,
    readonly what: string,
    readonly instead: string,
  ) {
    super(`${what} is not supported by this build's trainer`);
  }
}

function trainConfig(
  s: Settings,
  base: string,
  data: string,
  seed: number,
  p: ParamValues,
): TrainStageConfig {
  const t = defaults.train;
  const num = (args: Map<string, Expression> | undefined, key: string, fallback: number): number => {
    const e = args?.get(key);
    const v = e ? evaluate(e, p) : undefined;
    return typeof v === "number" ? tidy(v) : fallback;
  };
  const methodCall = s.call("method");
  const method: TrainStageConfig["method"] =
    methodCall?.fn === "lora"
      ? {
          type: "lora",
          r: num(methodCall.args, "r", t.loraR),
          alpha: num(methodCall.args, "alpha", t.loraAlpha),
          dropout: num(methodCall.args, "dropout", t.loraDropout),
          targets: methodCall.args.get("targets")
            ? (evaluate(methodCall.args.get("targets")!, p) as string[])
            : [...t.loraTargets],
        }
      : { type: "full" };
  const opt = s.call("optimizer");
  if (opt && opt.fn !== "adamw")
    throw new UnsupportedSetting(opt.node.span, `optimizer ${opt.fn}`, "adamw(lr, betas, weight_decay, eps)");
  const sched = s.call("schedule");
  if (sched && sched.fn !== "cosine")
    throw new UnsupportedSetting(sched.node.span, `schedule ${sched.fn}`, "cosine(warmup = 2%)");
  if (sched?.args.has("min_lr"))
    throw new UnsupportedSetting(
      sched.args.get("min_lr")!.span,
      "min_lr",
      "cosine decay to zero (leave min_lr out)",
    );
  const warmupExpr = sched?.args.get("warmup");
  if (warmupExpr && warmupExpr.kind === "Number" && warmupExpr.unit !== "%" && warmupExpr.value >= 1) {
    throw new UnsupportedSetting(
      warmupExpr.span,
      "a warm-up in steps",
      "a share of the steps, e.g. warmup = 2%",
    );
  }
  const loss = s.string("loss") ?? t.lossMask;
  const epochs = s.number("epochs");
  return {
    base,
    data,
    method,
    optimizer: {
      lr: num(opt?.args, "lr", t.lr),
      betas: opt?.args.get("betas")
        ? (evaluate(opt.args.get("betas")!, p) as [number, number])
        : [...t.betas],
      eps: num(opt?.args, "eps", t.eps),
      weightDecay: num(opt?.args, "weight_decay", t.weightDecay),
    },
    warmup: num(sched?.args, "warmup", t.warmup),
    ...(epochs === undefined ? { steps: s.number("steps") ?? 1 } : { epochs }),
    batch: s.number("batch") ?? t.batch,
    gradAccum: s.number("grad_accum") ?? t.gradAccum,
    seqLen: s.number("seq_len") ?? t.seqLen,
    ...(s.bool("pack") ? { pack: true } : {}),
    gradClip: s.number("grad_clip") ?? t.gradClip,
    lossMask: loss as TrainStageConfig["lossMask"],
    seed,
    checkpointEvery: 0,
  };
}
