import { join } from "node:path";
import type { StageOutput } from "../executor/executor.ts";
import type { GeneratorConfig } from "../plan/config.ts";
import { runGpu } from "../stages/gpu.ts";
import { modelDirOf } from "../stages/model-stage.ts";
import { expertGenerator } from "./expert.ts";
import { modelGenerator } from "./model.ts";
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
    case "model": {
      const output = context.inputs[config.stage];
      if (!output)
        throw new Error(
          `the model generator reads stage ${config.stage}, which is not an input of this stage`,
        );
      return modelGenerator({
        modelDir: modelDirOf(output),
        name: `model:${config.stage}`,
        temperature: config.temperature,
        maxTokens: config.maxTokens,
        seed: 0,
        // One batch holds every episode of the quickstart's evaluation (39). Not profiled: on lavapipe
        // it was measured no faster than 16 in one comparison of separate runs.
        maxBatch: 48,
        openGpu: runGpu,
      });
    }
  }
}
