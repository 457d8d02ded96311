import { formatReply } from "../agent/prompt.ts";
import type { Environment } from "../env/types.ts";
import type { Generator } from "./types.ts";

/** The environment's own expert policy as a teacher: the offline stand-in for GPT-4. */
export const expertGenerator: Generator = {
  name: "expert",
  startEpisode(env: Environment, task, options) {
    if (!env.expert) {
      throw new Error(
        `the '${env.family}' environment has no expert policy; use an 'openai' or 'model' generator for it`,
      );
    }
    const policy = env.expert(task);
    return { act: async (_messages, observation) => formatReply(policy.next(observation), options?.prompt) };
  },
};
