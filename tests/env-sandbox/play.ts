/** Test helpers: play one episode with the family's expert, and run many with bounded concurrency. */
import type { Environment, EnvTask } from "../../runtime/env/types.ts";

export interface PlayedEpisode {
  reward: number;
  steps: number;
  actions: string[];
  lastObservation: string;
}

export async function playExpert(env: Environment, task: EnvTask): Promise<PlayedEpisode> {
  const episode = await env.open(task);
  try {
    let observation = (await episode.reset()).observation;
    const expert = env.expert!(task);
    const actions: string[] = [];
    for (let turn = 0; turn < env.maxTurns; turn++) {
      const move = expert.next(observation);
      actions.push(move.action);
      const result = await episode.step(move.action);
      observation = result.observation;
      if (result.done)
        return { reward: result.reward, steps: turn + 1, actions, lastObservation: observation };
    }
    return { reward: 0, steps: env.maxTurns, actions, lastObservation: observation };
  } finally {
    await episode.close();
  }
}

/** Runs `work` over `items`, at most `limit` at a time, keeping the results in order. */
export async function mapLimit<T, R>(items: T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const runners = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index]);
    }
  });
  await Promise.all(runners);
  return results;
}
