import type { PromptStyle } from "../agent/prompt.ts";
import type { Environment, EnvTask } from "../env/types.ts";

export interface ChatMessage {
  role: "system" | "user" | "assistant";
  content: string;
}

/**
 * A teacher or a model under evaluation. One session per episode, so stateful policies (an
 * environment's expert) and stateless ones (an HTTP endpoint) share one shape.
 */
export interface Generator {
  /** Recorded in each trajectory's meta, e.g. "expert" or "openai:gpt-4". */
  name: string;
  startEpisode(env: Environment, task: EnvTask, options?: SessionOptions): AgentSession;
  /** Frees what the generator holds (a model on the GPU); called when its stage is done. */
  close?(): void;
}

export interface SessionOptions {
  /** The episode's prompt style; policies that write replies themselves (the expert) follow it. */
  prompt?: PromptStyle;
}

export interface AgentSession {
  /**
   * The next reply (text such as "Thought: …\nAction: …") given the whole conversation so far
   * and the latest observation on its own (policies that do not read prompts use only that).
   */
  act(messages: ChatMessage[], observation: string): Promise<string>;
  /** The episode is over: free what the session holds (a local model's cached conversation). */
  end?(): void;
}
