import { join } from "node:path";
import { runEpisode } from "../agent/loop.ts";
import type { ConversationRecord } from "../data/record.ts";
import { type TestSplitCheck, testSplitCheck } from "../derive/contamination.ts";
import { type AttemptOutcome, attemptsFor, type DeriveSummary, deriveTasks } from "../derive/derive.ts";
import { type DeriveMode, modelWriter, offlineWriter, type TaskWriter } from "../derive/writers.ts";
import { resolveEnvironment } from "../env/resolve.ts";
import { mixSeed } from "../env/sandbox/random.ts";
import type { Environment, EnvTask, TaskDerivation } from "../env/types.ts";
import type { StageHandler, StageOutput } from "../executor/executor.ts";
import { writeFileAtomic } from "../executor/files.ts";
import { addUsage, type MeteredGenerator, meterGenerator } from "../generators/meter.ts";
import { resolveGenerator } from "../generators/resolve.ts";
import type { CollectConfig, GeneratorConfig, TasksConfig } from "../plan/config.ts";
import { canonicalJson } from "../plan/key.ts";
import { type CollectSummary, collectTrajectories } from "./collect.ts";
import { exampleTrajectories, promptStyleOf } from "./collect-stage.ts";
import { readTasks, writeRecords, writeTasks } from "./records.ts";

/** The derive stage's configuration (docs/plan.md, `derive`): the collect fields and these. */
export interface DeriveConfig extends CollectConfig {
  mode: DeriveMode;
  /** Verified tasks wanted per seed task set. */
  count: number;
  /** The generator whose own solve must agree (self-instruct); the teacher itself by default. */
  verifier: GeneratorConfig;
  seed: number;
}

export const REJECTED_FILE = "rejected.jsonl";

/**
 * seed tasks × teacher → verified new tasks → trajectories. For each input task set the teacher
 * writes candidates (derive-<input>.jsonl logs every attempt), the family verifies them, and the
 * teacher is then run on the verified tasks exactly as a collect stage would (episodes-<input>.jsonl).
 * Outputs: tasks.jsonl (verified tasks), rejected.jsonl (candidates and why), records.jsonl.
 */
export const deriveStage: StageHandler = {
  async run({ stage, dir, inputs, progress, root }) {
    const config = stage.config as unknown as DeriveConfig;
    const taskSets = Object.entries(inputs).filter(([, output]) => "env" in output.config);
    const teacher = await metered(config.generator, root, inputs);
    const sameVerifier = canonicalJson(config.verifier) === canonicalJson(config.generator);
    const verifier = sameVerifier ? teacher : await metered(config.verifier, root, inputs);
    const tasks: EnvTask[] = [];
    const rejected: Array<AttemptOutcome & { input: string }> = [];
    const records: ConversationRecord[] = [];
    const taskSetSummaries: Record<
      string,
      { family: string; derivation: DeriveSummary; decontamination: string; collection: CollectSummary }
    > = {};
    const warnings: string[] = [];
    try {
      for (const [index, [id, output]] of taskSets.entries()) {
        const seedQuery = output.config as unknown as TasksConfig;
        const env = await resolveEnvironment(seedQuery.env);
        const derivation = derivationOf(env, config, id);
        const seeds = seedTasks(output, id);
        const episode = {
          examples: exampleTrajectories(env.example, config.shots, env.family),
          maxTurns: config.maxTurns,
          invalidActions: config.invalidActions,
          maxContextChars: config.maxContextChars,
          prompt: promptStyleOf(config),
          ...(config.repeatLimit === undefined ? {} : { repetitionLimit: config.repeatLimit }),
        };
        const seed = mixSeed(config.seed, index);
        const check: TestSplitCheck = testSplitCheck(env, seedQuery);
        const file = id.replace(/[^\w.-]/g, "_");
        const derived = await deriveTasks({
          env,
          mode: config.mode,
          seeds,
          count: config.count,
          maxAttempts: attemptsFor(config.count),
          writer: writerFor(env, derivation, config, teacher, seeds, seed),
          verify: derivation.verify,
          solve: async (task) => {
            const result = await runEpisode(env, task, verifier.generator, episode);
            return {
              success: result.success,
              reward: result.reward,
              finishReason: result.finishReason,
              error: result.error,
            };
          },
          inTestSplit: check.inTestSplit,
          logFile: join(dir, `derive-${file}.jsonl`),
          concurrency: Math.max(1, config.concurrency),
          progress,
        });
        if (derived.summary.shortfall > 0) warnings.push(shortfallWarning(env.family, derived.summary));
        const collected = await collectTrajectories({
          env,
          tasks: derived.tasks,
          generator: teacher.generator,
          episode,
          logFile: join(dir, `episodes-${file}.jsonl`),
          concurrency: config.concurrency,
          progress,
        });
        tasks.push(...derived.tasks);
        rejected.push(...derived.rejected.map((outcome) => ({ input: id, ...outcome })));
        records.push(...collected.episodes.map((e) => e.record));
        taskSetSummaries[id] = {
          family: env.family,
          derivation: derived.summary,
          decontamination: check.method,
          collection: collected.summary,
        };
      }
    } finally {
      teacher.generator.close?.();
      if (!sameVerifier) verifier.generator.close?.();
    }
    writeTasks(dir, tasks);
    writeFileAtomic(join(dir, REJECTED_FILE), rejected.map((r) => `${JSON.stringify(r)}\n`).join(""));
    writeRecords(dir, records);
    const usage = sameVerifier ? teacher.usage() : addUsage(teacher.usage(), verifier.usage());
    return {
      mode: config.mode,
      tasks: tasks.length,
      records: records.length,
      rejected: rejected.length,
      /** Per seed task set (by stage id): what was derived, how it was decontaminated, what was collected. */
      taskSets: taskSetSummaries,
      usage,
      ...(warnings.length > 0 ? { warnings } : {}),
    };
  },
};

async function metered(
  config: GeneratorConfig,
  root: string,
  inputs: Record<string, StageOutput>,
): Promise<MeteredGenerator> {
  return meterGenerator(await resolveGenerator(config, { root, inputs }), config, inputs);
}

const docs = "see docs/derive.md";

/** The family's hooks, checked against what this stage needs of them. */
function derivationOf(env: Environment, config: DeriveConfig, input: string): TaskDerivation {
  const verb = config.mode === "derive" ? "derive" : "self_instruct";
  const derivation = env.derivation;
  if (!derivation || typeof derivation.verify !== "function") {
    throw new Error(
      `${verb} reads task set ${input} of the '${env.family}' family, which has no task derivation hooks. ` +
        `Derive from a family that has them (db, os, shop), or give the environment a 'derivation' with a verify hook (${docs}).`,
    );
  }
  if (config.generator.type === "expert" && !derivation.propose) {
    throw new Error(
      `the expert teacher cannot write '${env.family}' tasks: the family has no derivation.propose. ` +
        `Use an openai or model teacher, or add propose to the environment (${docs}).`,
    );
  }
  if (config.generator.type !== "expert" && !derivation.writing) {
    throw new Error(
      `a ${config.generator.type} teacher cannot write '${env.family}' tasks: the family has no derivation.writing ` +
        `(how to describe and parse its tasks). Use the expert teacher, or add writing to the environment (${docs}).`,
    );
  }
  return derivation;
}

function seedTasks(output: StageOutput, input: string): EnvTask[] {
  const seeds = readTasks(output.dir);
  if (seeds.length === 0)
    throw new Error(`task set ${input} is empty: derivation needs seed tasks (count ≥ 1)`);
  if (seeds.some((task) => task.split !== "train")) {
    throw new Error(
      `task set ${input} holds test-split tasks; new training tasks must not be derived from test tasks. ` +
        "Derive from a task set with split = train.",
    );
  }
  return seeds;
}

function writerFor(
  env: Environment,
  derivation: TaskDerivation,
  config: DeriveConfig,
  teacher: MeteredGenerator,
  seeds: EnvTask[],
  seed: number,
): TaskWriter {
  return config.generator.type === "expert"
    ? offlineWriter(env, derivation.propose!, seeds, seed)
    : modelWriter(env, derivation.writing!, teacher.generator, config.mode, seeds, seed);
}

function shortfallWarning(family: string, summary: DeriveSummary): string {
  const reasons = Object.entries(summary.rejected)
    .sort(([, a], [, b]) => b - a)
    .map(([reason, n]) => `${n} ${reason}`)
    .join(", ");
  return (
    `${family}: only ${summary.kept} of ${summary.asked} tasks were verified within ${summary.attempts} attempts ` +
    `(rejected: ${reasons || "none"}); see ${REJECTED_FILE}, then ask for fewer or use a stronger teacher`
  );
}
