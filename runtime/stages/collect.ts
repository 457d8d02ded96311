import { type EpisodeOptions, type EpisodeResult, runEpisode } from "../agent/loop.ts";
import { JsonlLog } from "../data/jsonl.ts";
import type { Environment, EnvTask } from "../env/types.ts";
import type { Progress } from "../executor/progress.ts";
import type { Generator } from "../generators/types.ts";

export interface CollectSummary {
  episodes: number;
  /** Episodes found already done in the log (a resumed run). */
  resumed: number;
  success: number;
  finishReasons: Record<string, number>;
  meanReward: number;
}

/** One line of a collection log: the episode's record and its outcome. */
export type CollectedEpisode = Omit<EpisodeResult, "record"> & { record: EpisodeResult["record"] };

/**
 * Runs every task once and appends each finished episode to an append-only JSONL log. Tasks
 * already in the log are skipped, so after a crash or kill -9 a rerun continues where it stopped
 * and nothing is collected twice. The log is in task order whatever the concurrency.
 */
export async function collectTrajectories(args: {
  env: Environment;
  tasks: EnvTask[];
  generator: Generator;
  episode: EpisodeOptions;
  logFile: string;
  concurrency?: number;
  progress?: Progress;
}): Promise<{ episodes: CollectedEpisode[]; summary: CollectSummary }> {
  const log = new JsonlLog<CollectedEpisode>(args.logFile);
  const done = new Map(log.recover().map((episode) => [episode.record.id, episode]));
  const remaining = args.tasks.filter((task) => !done.has(task.id));
  args.progress?.start(args.tasks.length, "episodes");
  args.progress?.advance(done.size);

  // Episodes run concurrently but are appended in task order, so the log is deterministic.
  const finished = new Map<number, CollectedEpisode>();
  let nextToWrite = 0;
  let nextToStart = 0;
  const flush = () => {
    while (finished.has(nextToWrite)) {
      const episode = finished.get(nextToWrite)!;
      finished.delete(nextToWrite);
      log.append(episode);
      done.set(episode.record.id, episode);
      nextToWrite++;
      args.progress?.advance(1);
    }
  };
  const worker = async () => {
    while (nextToStart < remaining.length) {
      const index = nextToStart++;
      finished.set(index, await runEpisode(args.env, remaining[index], args.generator, args.episode));
      flush();
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, args.concurrency ?? 1) }, worker));

  const episodes = args.tasks.map((task) => done.get(task.id)!);
  const finishReasons: Record<string, number> = {};
  for (const episode of episodes)
    finishReasons[episode.finishReason] = (finishReasons[episode.finishReason] ?? 0) + 1;
  const summary: CollectSummary = {
    episodes: episodes.length,
    resumed: args.tasks.length - remaining.length,
    success: episodes.filter((e) => e.success).length,
    finishReasons,
    meanReward: episodes.reduce((sum, e) => sum + e.reward, 0) / Math.max(1, episodes.length),
  };
  args.progress?.finish(`${summary.success}/${summary.episodes} successful`);
  return { episodes, summary };
}
