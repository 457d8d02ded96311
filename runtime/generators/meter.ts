/**
 * Token counts (and cost) of a stage's generators, for the run manifest: what an `openai` endpoint reported
 * in its responses' `usage` (replies read back from the response cache cost nothing and count 0),
 * what a local `model`'s own tokenizer counts, and 0 for the `expert`.
 */
import type { StageOutput } from "../executor/executor.ts";
import { costOf, type TokenUsage } from "../executor/usage.ts";
import type { GeneratorConfig } from "../plan/config.ts";
import { modelDirOf } from "../stages/model-stage.ts";
import { ChatTemplate } from "../train/tokenizer/chat-template.ts";
import { loadHfTokenizer } from "../train/tokenizer/hf.ts";
import { encodeChatPrompt } from "../train/tokenizer/prompt.ts";
import type { OpenAIGenerator } from "./openai.ts";
import type { Generator } from "./types.ts";

export interface MeteredGenerator {
  generator: Generator;
  usage(): TokenUsage;
}

/** Wraps a generator built from `config` so its tokens can be read when the stage ends. */
export function meterGenerator(
  generator: Generator,
  config: GeneratorConfig,
  inputs: Record<string, StageOutput>,
): MeteredGenerator {
  if (config.type === "openai") {
    const stats = () => (generator as OpenAIGenerator).stats();
    const prices = config.prices;
    return {
      generator,
      usage: () => {
        const { promptTokens, completionTokens } = stats();
        if (!prices) return { promptTokens, completionTokens };
        const costUsd = (promptTokens * prices.prompt + completionTokens * prices.completion) / 1e6;
        return { promptTokens, completionTokens, costUsd };
      },
    };
  }
  if (config.type === "model") return countedByTokenizer(generator, modelDirOf(inputs[config.stage]));
  return { generator, usage: () => ({ promptTokens: 0, completionTokens: 0, costUsd: 0 }) };
}

/** Counts a local model's prompts (rendered with its chat template) and replies with its tokenizer. */
function countedByTokenizer(inner: Generator, modelDir: string): MeteredGenerator {
  const counted: TokenUsage = { promptTokens: 0, completionTokens: 0 };
  let tools: { tokenizer: ReturnType<typeof loadHfTokenizer>; template: ChatTemplate } | undefined;
  const load = () => {
    if (!tools) {
      const tokenizer = loadHfTokenizer(modelDir);
      const source = tokenizer.chatTemplate ?? "";
      tools = { tokenizer, template: new ChatTemplate(source, `${modelDir}/tokenizer_config.json`) };
    }
    return tools;
  };
  const generator: Generator = {
    name: inner.name,
    startEpisode(...args: Parameters<Generator["startEpisode"]>) {
      const session = inner.startEpisode(...args);
      return {
        async act(messages, observation) {
          const reply = await session.act(messages, observation);
          const { tokenizer, template } = load();
          counted.promptTokens += encodeChatPrompt(tokenizer, template, messages).length;
          counted.completionTokens += tokenizer.encode(reply).length;
          return reply;
        },
      };
    },
    close: () => inner.close?.(),
  };
  // A local model is paid for in time, not money.
  return { generator, usage: () => ({ ...counted, costUsd: 0 }) };
}

export function addUsage(a: TokenUsage, b: TokenUsage): TokenUsage {
  const costs = [costOf(a), costOf(b)];
  const sum: TokenUsage = {
    promptTokens: a.promptTokens + b.promptTokens,
    completionTokens: a.completionTokens + b.completionTokens,
  };
  return costs.every((c) => c !== undefined) ? { ...sum, costUsd: costs[0]! + costs[1]! } : sum;
}
