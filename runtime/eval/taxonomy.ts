import type { EpisodeResult } from "../agent/loop.ts";
import { parseReAct } from "../agent/parse.ts";
import { episodeTurns } from "../filters/types.ts";

/**
 * The error taxonomy of AgentTuning's error analysis, detected by rules on an episode. An episode
 * can show several; a successful episode shows none.
 */
export type ErrorType =
  | "invalid_format" // a reply without a parseable action
  | "invalid_action" // an action the environment refused
  | "function_call_error" // a refused action in a function-calling environment
  | "short_term_repetition" // the same reply several times in a row
  | "long_term_repetition" // the same action again and again, with others in between
  | "refusal" // the model declined the task
  | "task_limit_exceeded" // ran out of turns
  | "context_limit_exceeded"; // the conversation outgrew the context

export const errorTypes: ErrorType[] = [
  "invalid_format",
  "invalid_action",
  "function_call_error",
  "short_term_repetition",
  "long_term_repetition",
  "refusal",
  "task_limit_exceeded",
  "context_limit_exceeded",
];

const refusalPattern =
  /\b(i('m| am) (sorry|unable)|i can(no|')t (help|do|assist|complete)|as an ai\b|i (will|must) not\b|i won't\b|unable to (help|assist|comply))/i;

/** How many times one action may recur, non-consecutively, before it counts as a loop. */
const LONG_REPETITION_THRESHOLD = 4;

export function classifyEpisode(
  result: EpisodeResult,
  options: { functionCalling?: boolean } = {},
): ErrorType[] {
  if (result.success) return [];
  const errors = new Set<ErrorType>();
  const replies = episodeTurns(result.record)
    .filter((turn) => turn.from === "gpt")
    .map((turn) => turn.value);

  if (result.invalidFormat > 0) errors.add("invalid_format");
  if (result.invalidActions > 0)
    errors.add(options.functionCalling ? "function_call_error" : "invalid_action");
  if (result.finishReason === "repetition") errors.add("short_term_repetition");
  if (result.finishReason === "max_turns") errors.add("task_limit_exceeded");
  if (result.finishReason === "context_limit") errors.add("context_limit_exceeded");
  if (replies.some((reply) => refusalPattern.test(reply))) errors.add("refusal");

  const actionCounts = new Map<string, number>();
  for (const reply of replies) {
    const parsed = parseReAct(reply);
    if (!parsed.ok) continue;
    const action = parsed.reply.action.toLowerCase();
    actionCounts.set(action, (actionCounts.get(action) ?? 0) + 1);
  }
  if (
    [...actionCounts.values()].some((count) => count >= LONG_REPETITION_THRESHOLD) &&
    result.finishReason !== "repetition"
  ) {
    errors.add("long_term_repetition");
  }
  return errorTypes.filter((type) => errors.has(type));
}
