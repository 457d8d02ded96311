import type { Gpu } from "../train/device/index.ts";
import { generateIds } from "../train/generate/generate.ts";
import { loadGpuModel } from "../train/gpu/checkpoint.ts";
import { GpuKvPrefix } from "../train/gpu/decode.ts";
import type { GpuLlama } from "../train/gpu/model.ts";
import { ChatTemplate } from "../train/tokenizer/chat-template.ts";
import type { HfTokenizer } from "../train/tokenizer/hf.ts";
import { encodeChatPrompt } from "../train/tokenizer/prompt.ts";
import type { ChatMessage, Generator } from "./types.ts";

export interface ModelGeneratorOptions {
  /** A complete Hugging Face model directory (a model or train stage's model/). */
  modelDir: string;
  /** Shown in trajectories and reports, e.g. "model:tuned". */
  name: string;
  temperature: number;
  maxTokens: number;
  seed: number;
  /** Most replies generated together in one batch (episodes run concurrently to fill it). */
  maxBatch: number;
  openGpu: () => Promise<Gpu>;
}

interface Request {
  messages: ChatMessage[];
  /** The conversation's cached keys and values (one per episode). */
  conversation: Conversation;
  /** The act prompt's reply is one line ("Action: …"): generation stops at its end. */
  oneLine: boolean;
  resolve: (text: string) => void;
  reject: (error: Error) => void;
}

/** Conversations whose keys and values stay on the GPU between turns (2 MiB each for tiny-chat). */
const MAX_CACHED_CONVERSATIONS = 64;

/** What a generator keeps of one episode between its turns. */
interface Conversation {
  prefix?: GpuKvPrefix;
}

/**
 * A local checkpoint as a generator (the model under evaluation, or the next round's teacher).
 * Replies requested by concurrent episodes are queued and generated together as one batch on
 * the GPU. A conversation longer than the model's context keeps its opening turns and as many of
 * the latest turns as fit.
 */
export function modelGenerator(options: ModelGeneratorOptions): Generator {
  let loaded: Promise<{ model: GpuLlama; tokenizer: HfTokenizer; template: ChatTemplate }> | undefined;
  const queue: Request[] = [];
  let running = false;
  let batches = 0;
  // Conversations holding keys and values on the GPU, least recently used first.
  const cached: Conversation[] = [];
  const forget = (conversation: Conversation) => {
    conversation.prefix?.release();
    conversation.prefix = undefined;
    const at = cached.indexOf(conversation);
    if (at >= 0) cached.splice(at, 1);
  };
  const prefixOf = (conversation: Conversation, model: GpuLlama): GpuKvPrefix => {
    const at = cached.indexOf(conversation);
    if (at >= 0) cached.splice(at, 1);
    // Episodes that never say they ended (or many at once) give way to newer ones.
    while (cached.length >= MAX_CACHED_CONVERSATIONS) forget(cached[0]);
    conversation.prefix ??= new GpuKvPrefix(model);
    cached.push(conversation);
    return conversation.prefix;
  };

  const load = () => {
    loaded ??= options.openGpu().then((gpu) => {
      const { model, tokenizer } = loadGpuModel(gpu, options.modelDir);
      if (!tokenizer?.chatTemplate) {
        model.release();
        throw new Error(
          `${options.modelDir} needs tokenizer.json and a chat_template in tokenizer_config.json to chat`,
        );
      }
      return {
        model,
        tokenizer,
        template: new ChatTemplate(tokenizer.chatTemplate, `${options.modelDir}/tokenizer_config.json`),
      };
    });
    return loaded;
  };

  const drain = async () => {
    if (running) return;
    running = true;
    try {
      while (queue.length > 0) {
        const batch = takeBatch(queue, options.maxBatch);
        try {
          const { model, tokenizer, template } = await load();
          // A reply may take at most a quarter of the context, so the conversation keeps the rest.
          const context = model.config.maxPositionEmbeddings;
          const maxNewTokens = Math.min(options.maxTokens, Math.floor(context / 4));
          const budget = context - maxNewTokens;
          const prompts = batch.map((r) =>
            fitPrompt(r.messages, (m) => encodeChatPrompt(tokenizer, template, m), budget),
          );
          const prefixes = batch.map((r) => prefixOf(r.conversation, model));
          const generations = await generateIds(model, prompts, {
            maxNewTokens,
            temperature: options.temperature,
            seed: options.seed + batches++ * options.maxBatch,
            stopTokenIds: tokenizer.eosId === undefined ? [] : [tokenizer.eosId],
            stopStrings: batch[0].oneLine ? ["\n"] : [],
            decode: (ids) => tokenizer.decode(ids, { skipSpecial: true }),
            prefixes,
          });
          for (const [i, request] of batch.entries()) request.resolve(generations[i].text ?? "");
        } catch (error) {
          for (const request of batch) request.reject(error as Error);
        }
      }
    } finally {
      running = false;
    }
  };

  return {
    name: options.name,
    startEpisode: (_env, _task, session) => {
      const conversation: Conversation = {};
      return {
        act: (messages) =>
          new Promise<string>((resolve, reject) => {
            queue.push({
              messages,
              conversation,
              oneLine: session?.prompt?.style === "act",
              resolve,
              reject,
            });
            // Let the other episodes' requests of this tick join the batch.
            setImmediate(drain);
          }),
        end: () => forget(conversation),
      };
    },
    close() {
      for (const conversation of [...cached]) forget(conversation);
      loaded?.then(({ model }) => model.release()).catch(() => undefined);
      loaded = undefined;
    },
  };
}

/** The oldest request and up to maxBatch − 1 later ones that stop the same way, removed from the queue. */
function takeBatch(queue: Request[], maxBatch: number): Request[] {
  const oneLine = queue[0].oneLine;
  const batch: Request[] = [];
  for (let i = 0; i < queue.length && batch.length < maxBatch; ) {
    if (queue[i].oneLine === oneLine) batch.push(...queue.splice(i, 1));
    else i++;
  }
  return batch;
}

/**
 * Token ids of the conversation that fit `budget`: the opening two turns (instructions and their
 * acknowledgement) and the latest turns; failing that, the last `budget` tokens.
 */
export function fitPrompt(
  messages: ChatMessage[],
  encode: (messages: ChatMessage[]) => number[],
  budget: number,
): number[] {
  let kept = messages;
  let ids = encode(kept);
  let drop = 2;
  while (ids.length > budget && drop < messages.length - 1) {
    kept = [...messages.slice(0, 2), ...messages.slice(++drop)];
    ids = encode(kept);
  }
  return ids.length > budget ? ids.slice(ids.length - budget) : ids;
}
