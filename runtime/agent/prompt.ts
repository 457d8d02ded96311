import type { ConversationRecord, Turn } from "../data/record.ts";
import type { Environment, ExampleTrajectory } from "../env/types.ts";
import type { ChatMessage } from "../generators/types.ts";
import { formatReAct } from "./parse.ts";

/**
 * The AgentInstruct prompt layout: an opening human turn that explains the environment and the
 * reply format, a short gpt acknowledgement, then the k-shot examples as real turns — all with
 * `loss: false`, so the model is never trained to reproduce the examples — then the task itself.
 */
export function openingTurns(env: Environment, examples: ExampleTrajectory[]): Turn[] {
  const intro = [
    `You are an agent acting in the '${env.family}' environment. ${env.description}`,
    "",
    "Actions you can take:",
    env.actionSpace,
    "",
    "At every step, first think about what you know and what to do next, then act. Reply in exactly this format:",
    "Thought: <your reasoning>",
    "Action: <one action>",
  ].join("\n");
  const turns: Turn[] = [
    { from: "human", value: intro, loss: false },
    { from: "gpt", value: "OK. I will think before every action and reply in that format.", loss: false },
  ];
  for (const example of examples) {
    turns.push({
      from: "human",
      value: taskMessage(example.instruction, example.observation, "Here is an example."),
      loss: false,
    });
    for (const [index, step] of example.steps.entries()) {
      turns.push({ from: "gpt", value: formatReAct(step), loss: false });
      const last = index === example.steps.length - 1;
      if (!last) turns.push({ from: "human", value: `Observation: ${step.observation}`, loss: false });
    }
  }
  return turns;
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
