import type { Episode, ExampleTrajectory, ExpertPolicy, Move, ResetResult, StepResult } from "../types.ts";

/**
 * The synchronous core of an episode. Every family implements one; `asEpisode` wraps it in the
 * asynchronous contract. reset() must (re)build the whole state so an episode can be replayed.
 */
export interface Simulation {
  reset(): ResetResult;
  step(action: string): StepResult;
  validActions?(): string[];
}

/** Wraps a simulation: steps before reset() reset first; steps after the end are refused, not thrown. */
export function asEpisode(simulation: Simulation): Episode {
  let started = false;
  let finished = false;
  let lastReward = 0;
  const episode: Episode = {
    async reset() {
      started = true;
      finished = false;
      lastReward = 0;
      return simulation.reset();
    },
    async step(action: string) {
      if (!started) await episode.reset();
      if (finished) {
        return {
          observation:
            "The episode is over; no further actions are accepted. Start a new episode to play again.",
          reward: lastReward,
          done: true,
          info: { valid: false },
        };
      }
      const result = simulation.step(typeof action === "string" ? action : String(action));
      lastReward = result.reward;
      finished = result.done;
      return result;
    },
    async close() {},
  };
  if (simulation.validActions) {
    const list = simulation.validActions.bind(simulation);
    episode.validActions = () => (finished ? [] : list());
  }
  return episode;
}

/** A step result for an action that could not be carried out. */
export function invalidStep(observation: string, reward = 0): StepResult {
  return { observation, reward, done: false, info: { valid: false } };
}

/** An expert that plays a precomputed list of moves (planned by playing a private copy of the episode). */
export function scriptedExpert(moves: Move[], afterEnd: Move): ExpertPolicy {
  let index = 0;
  return {
    next() {
      return index < moves.length ? moves[index++] : afterEnd;
    },
  };
}

/** Plays a policy on a simulation up to maxTurns; the full transcript and the final reward. */
export function playSimulation(
  simulation: Simulation,
  policy: ExpertPolicy,
  maxTurns: number,
): { trajectory: ExampleTrajectory; reward: number; success: boolean } {
  const first = simulation.reset();
  const trajectory: ExampleTrajectory = { instruction: "", observation: first.observation, steps: [] };
  let observation = first.observation;
  let reward = 0;
  let success = false;
  for (let turn = 0; turn < maxTurns; turn++) {
    const move = policy.next(observation);
    const result = simulation.step(move.action);
    trajectory.steps.push({ thought: move.thought, action: move.action, observation: result.observation });
    observation = result.observation;
    reward = result.reward;
    if (result.done) {
      success = result.info.success === true;
      break;
    }
  }
  return { trajectory, reward, success };
}

/**
 * Builds the 1-shot example: the expert's solution of one fixed task. A family whose expert fails
 * its own example is broken, so this throws rather than show the agent a wrong demonstration.
 */
export function recordExample(
  family: string,
  instruction: string,
  simulation: Simulation,
  policy: ExpertPolicy,
  maxTurns: number,
): ExampleTrajectory {
  const played = playSimulation(simulation, policy, maxTurns);
  if (!played.success) {
    throw new Error(
      `${family}: the expert failed the example task (reward ${played.reward}); this is a bug.`,
    );
  }
  return { ...played.trajectory, instruction };
}
