import { join } from "node:path";
import type { StageOutput } from "../executor/executor.ts";
import type { GeneratorConfig } from "../plan/config.ts";
import { expertGenerator } from "./expert.ts";
import { openaiGenerator } from "./openai.ts";
import type { Generator } from "./types.ts";

export interface GeneratorContext {
  /** The project's .atune directory (response caches live under it). */
  root: string;
  inputs: Record<string, StageOutput>;
}

/** Builds the generator a stage declared. */
export async function resolveGenerator(
  config: GeneratorConfig,
  context: GeneratorContext,
): Promise<Generator> {
  switch (config.type) {
    case "expert":
      return expertGenerator;
    case "openai":
      return openaiGenerator(
        {
          baseURL: config.baseURL,
          model: config.model,
          apiKeyEnv: config.apiKeyEnv,
          temperature: config.temperature,
          maxTokens: config.maxTokens,
          concurrency: config.concurrency,
          timeoutMs: config.timeoutMs,
          retries: config.retries,
        },
        { cacheDir: join(context.root, "cache", "responses") },
      );
    case "model":
      throw new Error(
        `generation from a local checkpoint (stage ${config.stage}) is not available in this build: the training core's generation is not wired into the runtime yet`,
      );
  }
}
