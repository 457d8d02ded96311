import type { ConversationRecord, Turn } from "../data/record.ts";
import type { Environment, EnvTask, ExampleTrajectory } from "../env/types.ts";
import type { AgentSession, Generator } from "../generators/types.ts";
import { nearestAction } from "./nearest.ts";
import { parseReAct } from "./parse.ts";
import {
  conversationLength,
  openingTurns,
  type PromptStyle,
  REACT,
  taskMessage,
  toChatMessages,
} from "./prompt.ts";

/** Why an episode ended. */
export type FinishReason =
  | "done" // the environment ended the episode (success or not: see reward)
  | "max_turns"
  | "repetition" // three identical consecutive replies
  | "context_limit"
  | "env_error" // the environment threw: recorded, never crashes the run
  | "generator_error"; // the teacher failed after its own retries

export interface EpisodeOptions {
  examples: ExampleTrajectory[];
  /** The prompt style (default: ReAct with the environment's introduction). */
  prompt?: PromptStyle;
  maxTurns: number;
  /** "map": an action outside validActions() becomes the nearest valid one; "error": sent as is. */
  invalidActions: "map" | "error";
  /** Stop when the conversation grows past this many characters. */
  maxContextChars?: number;
  /** Identical consecutive replies that end the episode (AgentTuning: 3). */
  repetitionLimit?: number;
}

export interface EpisodeResult {
  record: ConversationRecord;
  reward: number;
  success: boolean;
  finishReason: FinishReason;
  /** Agent turns taken. */
  turns: number;
  invalidFormat: number;
  invalidActions: number;
  mappedActions: number;
  error?: string;
}

export async function runEpisode(
  env: Environment,
  task: EnvTask,
  generator: Generator,
  options: EpisodeOptions,
): Promise<EpisodeResult> {
  const repetitionLimit = options.repetitionLimit ?? 3;
  const prompt = options.prompt ?? REACT;
  const turns: Turn[] = openingTurns(env, options.examples, prompt);
  const promptTurns = turns.length;
  const counts = { invalidFormat: 0, invalidActions: 0, mappedActions: 0 };
  let reward = 0;
  let success = false;
  let finishReason: FinishReason = "max_turns";
  let agentTurns = 0;
  let error: string | undefined;

  const episode = await env.open(task);
  let session: AgentSession | undefined;
  try {
    const start = await episode.reset();
    let observation = start.observation;
    turns.push({ from: "human", value: taskMessage(task.instruction, observation), loss: false });
    session = generator.startEpisode(env, task, { prompt });
    const recentReplies: string[] = [];

    while (agentTurns < options.maxTurns) {
      if (options.maxContextChars !== undefined && conversationLength(turns) > options.maxContextChars) {
        finishReason = "context_limit";
        break;
      }
      let reply: string;
      try {
        reply = await session.act(toChatMessages(turns), observation);
      } catch (cause) {
        finishReason = "generator_error";
        error = (cause as Error).message;
        break;
      }
      agentTurns++;
      turns.push({ from: "gpt", value: reply, loss: true });

      recentReplies.push(reply.trim());
      if (recentReplies.length > repetitionLimit) recentReplies.shift();
      if (recentReplies.length === repetitionLimit && recentReplies.every((r) => r === recentReplies[0])) {
        finishReason = "repetition";
        break;
      }

      const parsed = parseReAct(reply);
      if (!parsed.ok) {
        counts.invalidFormat++;
        const format =
          prompt.style === "act" ? "Action: <action>" : "Thought: <reasoning>\\nAction: <action>";
        observation = `Invalid format: ${parsed.problem}; reply as "${format}".`;
        turns.push({ from: "human", value: `Observation: ${observation}`, loss: false });
        continue;
      }
      let action = parsed.reply.action;
      // Valid actions as they were before this step, for mapping a refused action.
      const valid = options.invalidActions === "map" ? episode.validActions?.() : undefined;

      let result: Awaited<ReturnType<typeof episode.step>>;
      try {
        result = await episode.step(action);
        // AgentTuning maps a malformed action to the nearest valid one. Only actions the
        // environment refuses are mapped: a valid action missing from the list (free text such
        // as a typed value) is never rewritten.
        if (!result.info.valid && !result.done && valid && valid.length > 0) {
          const mapped = nearestAction(action, valid);
          if (mapped !== undefined && mapped !== action) {
            action = mapped;
            counts.mappedActions++;
            result = await episode.step(action);
          }
        }
      } catch (cause) {
        finishReason = "env_error";
        error = `${env.family} environment failed on action ${JSON.stringify(action)}: ${(cause as Error).message}`;
        break;
      }
      if (!result.info.valid) counts.invalidActions++;
      reward = result.reward;
      observation = result.observation;
      if (result.done) {
        success = result.info.success ?? reward >= 1;
        finishReason = "done";
        break;
      }
      turns.push({ from: "human", value: `Observation: ${observation}`, loss: false });
    }
  } finally {
    session?.end?.();
    await episode.close();
  }

  const record: ConversationRecord = {
    id: task.id,
    conversations: turns,
    meta: {
      family: task.family,
      split: task.split,
      taskId: task.id,
      reward,
      success,
      finishReason,
      turns: agentTurns,
      generator: generator.name,
      // Turns before this index are the instructions and k-shot examples shared by every episode.
      promptTurns,
    },
  };
  return { record, reward, success, finishReason, turns: agentTurns, ...counts, ...(error ? { error } : {}) };
}
