/**
 * The derivation loop: candidates are written, screened (duplicates, test-split contamination)
 * and verified until `count` tasks are kept or the attempts run out. Every attempt's outcome is
 * appended to an append-only JSONL log in attempt order, so after a crash or kill -9 a rerun
 * continues from the next attempt and keeps exactly the tasks an uninterrupted run would.
 */
import { JsonlLog } from "../data/jsonl.ts";
import type { Environment, EnvTask, TaskContent, VerifyContext } from "../env/types.ts";
import type { Progress } from "../executor/progress.ts";
import { contentKey } from "./contamination.ts";
import type { DeriveMode, TaskWriter } from "./writers.ts";

/** One line of the attempt log. */
export type AttemptOutcome =
  /** `key` identifies the candidate's content as written, before verification completed it. */
  | { attempt: number; kept: true; key: string; task: EnvTask }
  | { attempt: number; kept: false; reason: string; detail: string; candidate?: TaskContent };

export interface DeriveSummary {
  asked: number;
  kept: number;
  /** Asked minus kept: more than 0 when the attempts ran out first. */
  shortfall: number;
  attempts: number;
  maxAttempts: number;
  /** Attempts found already done in the log (a resumed run). */
  resumed: number;
  /** Rejected candidates by reason. */
  rejected: Record<string, number>;
}

export interface DeriveArgs {
  env: Environment;
  mode: DeriveMode;
  seeds: EnvTask[];
  count: number;
  maxAttempts: number;
  writer: TaskWriter;
  verify: NonNullable<Environment["derivation"]>["verify"];
  solve: VerifyContext["solve"];
  inTestSplit: (content: TaskContent) => boolean;
  logFile: string;
  concurrency: number;
  progress?: Progress;
}

/** Attempts allowed per task asked for (plus a few): bounds the teacher's work when most candidates fail. */
export const attemptsFor = (count: number) => count * 5 + 10;

export async function deriveTasks(
  args: DeriveArgs,
): Promise<{ tasks: EnvTask[]; rejected: AttemptOutcome[]; summary: DeriveSummary }> {
  const log = new JsonlLog<AttemptOutcome>(args.logFile);
  const outcomes = log.recover();
  const resumed = outcomes.length;
  const known = new Set(args.seeds.map(contentKey));
  const keptCount = () => outcomes.filter((o) => o.kept).length;
  for (const outcome of outcomes) if (outcome.kept) known.add(outcome.key);
  args.progress?.start(args.count, "tasks");
  args.progress?.advance(Math.min(args.count, keptCount()));

  while (keptCount() < args.count && outcomes.length < args.maxAttempts) {
    const first = outcomes.length;
    const size = Math.min(args.concurrency, args.maxAttempts - first);
    const batch = await Promise.all(Array.from({ length: size }, (_, i) => attempt(args, first + i, known)));
    // Appended in attempt order, with the duplicate check redone here: the log is the same whatever
    // the batch boundaries were, so a resumed run agrees with an uninterrupted one.
    for (let outcome of batch) {
      if (outcome.kept && known.has(outcome.key)) {
        const candidate = { instruction: outcome.task.instruction, data: outcome.task.data };
        outcome = {
          attempt: outcome.attempt,
          kept: false,
          reason: "duplicate",
          detail: "same as an earlier task",
          candidate,
        };
      }
      if (outcome.kept) {
        known.add(outcome.key);
        if (keptCount() < args.count) args.progress?.advance(1);
      }
      log.append(outcome);
      outcomes.push(outcome);
    }
  }

  // Only the attempts up to the count-th kept task count: the rest of its batch is not used.
  let used = 0;
  let kept = 0;
  while (used < outcomes.length && kept < args.count) if (outcomes[used++].kept) kept++;
  const counted = outcomes.slice(0, used);
  const tasks = counted.flatMap((o) => (o.kept ? [o.task] : []));
  const rejected = counted.filter((o) => !o.kept);
  const reasons: Record<string, number> = {};
  for (const o of rejected) if (!o.kept) reasons[o.reason] = (reasons[o.reason] ?? 0) + 1;
  const summary: DeriveSummary = {
    asked: args.count,
    kept: tasks.length,
    shortfall: args.count - tasks.length,
    attempts: counted.length,
    maxAttempts: args.maxAttempts,
    resumed,
    rejected: reasons,
  };
  args.progress?.finish(
    summary.shortfall > 0
      ? `only ${summary.kept} of ${summary.asked} tasks verified after ${summary.attempts} attempts`
      : `${summary.kept} tasks verified in ${summary.attempts} attempts`,
  );
  return { tasks, rejected, summary };
}

async function attempt(args: DeriveArgs, number: number, known: Set<string>): Promise<AttemptOutcome> {
  const reject = (reason: string, detail: string, candidate?: TaskContent): AttemptOutcome => ({
    attempt: number,
    kept: false,
    reason,
    detail,
    ...(candidate ? { candidate } : {}),
  });
  const proposal = await args.writer.propose(number);
  if (!proposal.ok) return reject(proposal.reason, proposal.detail);
  const content = proposal.content;
  const key = contentKey(content);
  if (known.has(key)) return reject("duplicate", "same as a seed task or an earlier task", content);
  if (args.inTestSplit(content))
    return reject("contaminated", `coincides with the ${args.env.family} family's test split`, content);
  const task: EnvTask = {
    id: `${args.env.family}/${args.mode}/${key.slice(0, 12)}`,
    family: args.env.family,
    split: "train",
    instruction: content.instruction,
    data: content.data,
  };
  let verdict: Awaited<ReturnType<DeriveArgs["verify"]>>;
  try {
    verdict = await args.verify(task, { solve: args.solve });
  } catch (error) {
    throw new Error(
      `the ${args.env.family} environment's derivation.verify failed on candidate ${task.id}: ${(error as Error).message}`,
    );
  }
  if (!verdict.ok) return reject(verdict.reason, verdict.detail, content);
  // Verification may complete the task (an expected answer), never rename or move it.
  const verified = { ...verdict.task, id: task.id, family: task.family, split: "train" as const };
  return { attempt: number, kept: true, key, task: verified };
}
