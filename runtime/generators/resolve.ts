import type { StageOutput } from "../executor/executor.ts";
import type { GeneratorConfig } from "../plan/config.ts";
import { expertGenerator } from "./expert.ts";
import type { Generator } from "./types.ts";

export interface GeneratorContext {
  /** The project's .atune directory (response caches live under it). */
  root: string;
  inputs: Record<string, StageOutput>;
}

/** Builds the generator a collect stage declared. */
export async function resolveGenerator(
  config: GeneratorConfig,
  _context: GeneratorContext,
): Promise<Generator> {
  switch (config.type) {
    case "expert":
      return expertGenerator;
    default:
      throw new Error(`the '${config.type}' generator cannot run in this build of atune yet; use 'expert'`);
  }
}
