import type { ConversationRecord, Turn } from "../data/record.ts";
import type { Environment, ExampleTrajectory } from "../env/types.ts";
import type { ChatMessage } from "../generators/types.ts";
import { formatReAct } from "./parse.ts";

/** How the agent is prompted: `react` (thought, then action: the paper's) or `act` (action only). */
export interface PromptStyle {
  style: "react" | "act";
  /** Open with the environment's description, action space and reply format (default true). */
  intro?: boolean;
}

export const REACT: PromptStyle = { style: "react" };

/**
 * The AgentInstruct prompt layout: an opening human turn that explains the environment and the
 * reply format, a short gpt acknowledgement, then the k-shot examples as real turns — all with
 * `loss: false`, so the model is never trained to reproduce the examples — then the task itself.
 * Without the introduction (small models whose context cannot hold it) the examples and the task
 * are all there is: the reply format is then learned from the training data.
 */
export function openingTurns(env: Environment, examples: ExampleTrajectory[], prompt = REACT): Turn[] {
  const format =
    prompt.style === "react"
      ? [
          "At every step, first think about what you know and what to do next, then act. Reply in exactly this format:",
          "Thought: <your reasoning>",
          "Action: <one action>",
        ]
      : ["At every step, reply with one action in exactly this format:", "Action: <one action>"];
  const intro = [
    `You are an agent acting in the '${env.family}' environment. ${env.description}`,
    "",
    "Actions you can take:",
    env.actionSpace,
    "",
    ...format,
  ].join("\n");
  const acknowledgement =
    prompt.style === "react"
      ? "OK. I will think before every action and reply in that format."
      : "OK. I will reply with one action in that format.";
  const turns: Turn[] =
    prompt.intro === false
      ? []
      : [
          { from: "human", value: intro, loss: false },
          { from: "gpt", value: acknowledgement, loss: false },
        ];
  for (const example of examples) {
    turns.push({
      from: "human",
      value: taskMessage(example.instruction, example.observation, "Here is an example."),
      loss: false,
    });
    for (const [index, step] of example.steps.entries()) {
      turns.push({ from: "gpt", value: formatReply(step, prompt), loss: false });
      const last = index === example.steps.length - 1;
      if (!last) turns.push({ from: "human", value: `Observation: ${step.observation}`, loss: false });
    }
  }
  return turns;
}

/** A move as the style writes it: "Thought: …\nAction: …" or just "Action: …". */
export function formatReply(move: { thought: string; action: string }, prompt = REACT): string {
  return formatReAct(prompt.style === "act" ? { thought: "", action: move.action } : move);
}

export function taskMessage(instruction: string, observation: string, lead = "Now, a new task."): string {
  return `${lead}\nTask: ${instruction}\nObservation: ${observation}`;
}

export function toChatMessages(turns: Turn[]): ChatMessage[] {
  return turns.map((turn) => ({
    role: turn.from === "gpt" ? "assistant" : turn.from === "human" ? "user" : "system",
    content: turn.value,
  }));
}

/** Character count of a conversation: the context-limit check uses it (tokenizers differ by model). */
export function conversationLength(record: ConversationRecord | Turn[]): number {
  const turns = Array.isArray(record) ? record : record.conversations;
  return turns.reduce((sum, turn) => sum + turn.value.length, 0);
}
