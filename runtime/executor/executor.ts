import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from "node:fs";
import { join } from "node:path";
import { canonicalJson, sha256 } from "../plan/key.ts";
import type { Plan, PlanStage, StageKind } from "../plan/types.ts";
import { writeJsonAtomic } from "./files.ts";
import { createProgress, type Progress } from "./progress.ts";
import { type RunTokens, runTokens, stageTokens, type TokenUsage } from "./usage.ts";

/**
 * Runs a plan's stages in order over a content-addressed cache:
 *
 *   .atune/cache/<key>/          a finished stage: its outputs and stage.json (summary)
 *   .atune/cache/<key>.partial/  a stage in progress; kept after a crash so the rerun resumes
 *   .atune/runs/<id>/manifest.json  what each run did, rewritten after every stage
 *
 * A finished stage is reused whenever its key matches, whoever ran it and whatever the recipe
 * was called. A stage moves from .partial to its final place by one rename, so a crash leaves
 * either a finished entry or a partial one, never a half-written finished one.
 */

export interface StageOutput {
  dir: string;
  /** The finished stage's resolved configuration (as in the plan). */
  config: Record<string, unknown>;
  summary: Record<string, unknown>;
}

export interface StageContext {
  stage: PlanStage;
  /** Where this stage writes. It may hold what an interrupted earlier run wrote: resume from it. */
  dir: string;
  /** The outputs of the stages this one reads, by stage id. */
  inputs: Record<string, StageOutput>;
  progress: Progress;
  /** The project's .atune directory (for shared caches such as teacher responses). */
  root: string;
}

export interface StageHandler {
  /** Does the stage's work in ctx.dir and returns its summary (counts, scores, reports). */
  run(ctx: StageContext): Promise<Record<string, unknown>>;
}

export type StageHandlers = Partial<Record<StageKind, StageHandler>>;

export type StageStatus = "cached" | "ran" | "failed" | "skipped";

export interface ManifestStage {
  id: string;
  kind: StageKind;
  key: string;
  status: StageStatus;
  seconds: number;
  summary?: Record<string, unknown>;
  error?: string;
  /** Generator tokens the stage used (usage.ts); absent for stages that call no generator. */
  tokens?: TokenUsage | "unreported";
  /** The resolved configuration, so a later `atune plan` can say which fields changed. */
  config: Record<string, unknown>;
}

export interface RunManifest {
  runId: string;
  planSha256: string;
  recipe: Plan["recipe"];
  params: Plan["params"];
  atune: string;
  node: string;
  startedAt: string;
  finishedAt?: string;
  status: "running" | "succeeded" | "failed";
  stages: ManifestStage[];
  /** Token totals over the stages, rewritten with the manifest. */
  tokens?: RunTokens;
}

/** A stage failed: names it, and says that what it had done is kept for the rerun. */
export class StageFailure extends Error {
  constructor(
    readonly stageId: string,
    readonly reason: Error,
  ) {
    super(`stage ${stageId} failed: ${reason.message}`);
  }
}

export interface ExecuteOptions {
  /** The project's .atune directory. */
  root: string;
  handlers: StageHandlers;
  /** Stage ids to rerun even when cached. */
  force?: string[];
  /** Run id; defaults to a timestamp. */
  runId?: string;
  progress?: (label: string) => Progress;
}

export const cacheDir = (root: string, key: string) => join(root, "cache", key);
const partialDir = (root: string, key: string) => join(root, "cache", `${key}.partial`);

export function isCached(root: string, key: string): boolean {
  return existsSync(join(cacheDir(root, key), "stage.json"));
}

export function readStageOutput(root: string, key: string): StageOutput {
  const dir = cacheDir(root, key);
  const stage = JSON.parse(readFileSync(join(dir, "stage.json"), "utf8"));
  return { dir, config: stage.config, summary: stage.summary };
}

export async function executePlan(plan: Plan, options: ExecuteOptions): Promise<RunManifest> {
  const { root, handlers } = options;
  const force = new Set(options.force ?? []);
  const unknownForced = [...force].filter((id) => !plan.stages.some((s) => s.id === id));
  if (unknownForced.length > 0) {
    throw new Error(
      `--force names no stage of this plan: ${unknownForced.join(", ")}; 'atune plan' lists the stage ids`,
    );
  }
  const missing = [...new Set(plan.stages.map((s) => s.kind))].filter((kind) => !handlers[kind]);
  if (missing.length > 0) {
    throw new Error(`this atune cannot run stages of kind ${missing.join(", ")} yet`);
  }

  const runId = options.runId ?? new Date().toISOString().replace(/[:.]/g, "-");
  const runDir = join(root, "runs", runId);
  mkdirSync(runDir, { recursive: true });
  mkdirSync(join(root, "cache"), { recursive: true });
  const manifest: RunManifest = {
    runId,
    planSha256: sha256(canonicalJson(plan)),
    recipe: plan.recipe,
    params: plan.params,
    atune: plan.atune,
    node: process.version,
    startedAt: new Date().toISOString(),
    status: "running",
    stages: [],
  };
  const save = () => {
    manifest.tokens = runTokens(manifest.stages);
    writeJsonAtomic(join(runDir, "manifest.json"), manifest);
  };
  save();

  const outputs: Record<string, StageOutput> = {};
  for (const stage of plan.stages) {
    const began = performance.now();
    const entry: ManifestStage = {
      id: stage.id,
      kind: stage.kind,
      key: stage.key,
      status: "cached",
      seconds: 0,
      config: stage.config,
    };
    manifest.stages.push(entry);

    if (isCached(root, stage.key) && !force.has(stage.id)) {
      outputs[stage.id] = readStageOutput(root, stage.key);
      entry.summary = outputs[stage.id].summary;
      entry.tokens = stageTokens(stage.config, entry.summary);
      save();
      continue;
    }
    if (force.has(stage.id)) {
      rmSync(cacheDir(root, stage.key), { recursive: true, force: true });
      rmSync(partialDir(root, stage.key), { recursive: true, force: true });
    }

    const dir = partialDir(root, stage.key);
    mkdirSync(dir, { recursive: true });
    const inputs = Object.fromEntries(stage.inputs.map((id) => [id, outputs[id]]));
    const progress = (options.progress ?? createProgress)(stage.id);
    try {
      const summary = await handlers[stage.kind]!.run({ stage, dir, inputs, progress, root });
      writeJsonAtomic(join(dir, "stage.json"), {
        id: stage.id,
        kind: stage.kind,
        key: stage.key,
        config: stage.config,
        summary,
      });
      rmSync(cacheDir(root, stage.key), { recursive: true, force: true });
      renameSync(dir, cacheDir(root, stage.key));
      outputs[stage.id] = { dir: cacheDir(root, stage.key), config: stage.config, summary };
      Object.assign(entry, { status: "ran", summary, seconds: (performance.now() - began) / 1000 });
      entry.tokens = stageTokens(stage.config, summary);
      save();
    } catch (cause) {
      const error = cause instanceof Error ? cause : new Error(String(cause));
      Object.assign(entry, {
        status: "failed",
        error: error.message,
        seconds: (performance.now() - began) / 1000,
      });
      for (const rest of plan.stages.slice(plan.stages.indexOf(stage) + 1)) {
        manifest.stages.push({
          id: rest.id,
          kind: rest.kind,
          key: rest.key,
          status: "skipped",
          seconds: 0,
          config: rest.config,
        });
      }
      manifest.status = "failed";
      manifest.finishedAt = new Date().toISOString();
      save();
      throw new StageFailure(stage.id, error);
    }
  }
  manifest.status = "succeeded";
  manifest.finishedAt = new Date().toISOString();
  save();
  return manifest;
}
