/**
 * The Chat Completions wire format: a request body checked into what the server can generate, and
 * the OpenAI-shaped responses, stream chunks and errors it sends back. No I/O here.
 */
import type { ChatMessage } from "../train/tokenizer/chat-template.ts";

/** An error sent to the client in OpenAI's shape: `{"error": {message, type, param, code}}`. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly param: string | null = null,
    readonly code: string | null = null,
    readonly type = status >= 500 ? "server_error" : "invalid_request_error",
  ) {
    super(message);
    this.name = "ApiError";
  }

  body(): { error: { message: string; type: string; param: string | null; code: string | null } } {
    return { error: { message: this.message, type: this.type, param: this.param, code: this.code } };
  }
}

/** What a checked request asks for. `maxTokens` undefined: the server's default. */
export interface ChatRequest {
  model: string;
  messages: ChatMessage[];
  /** 0 is greedy decoding. */
  temperature: number;
  topP: number;
  maxTokens: number | undefined;
  stop: string[];
  seed: number | undefined;
  stream: boolean;
  includeUsage: boolean;
  /** Passed to the chat template as `tools`, as transformers' apply_chat_template does. */
  tools: unknown[] | undefined;
}

const roles: Record<string, ChatMessage["role"]> = {
  system: "system",
  developer: "system",
  user: "user",
  assistant: "assistant",
};

// Parameters accepted but without effect here (bookkeeping for the client or the platform).
const ignoredParameters = new Set(["user", "metadata", "store", "service_tier", "parallel_tool_calls"]);

const MAX_STOP_SEQUENCES = 4;

/** Checks a parsed JSON body; throws ApiError (400) naming the parameter and how to fix it. */
export function parseChatRequest(body: unknown): ChatRequest {
  if (body === null || typeof body !== "object" || Array.isArray(body)) {
    throw new ApiError(400, "The request body must be a JSON object with 'model' and 'messages'.");
  }
  const fields = body as Record<string, unknown>;
  const given = (name: string) => fields[name] !== undefined && fields[name] !== null;
  for (const name of Object.keys(fields)) {
    if (!knownParameters.has(name) && !ignoredParameters.has(name)) {
      throw new ApiError(
        400,
        `Unrecognized request argument supplied: ${name}. This server supports: ${[...knownParameters].join(", ")}.`,
        name,
        "unknown_parameter",
      );
    }
  }

  if (typeof fields.model !== "string" || fields.model === "") {
    throw new ApiError(400, "'model' is required: a model name from GET /v1/models.", "model");
  }
  const messages = parseMessages(fields.messages);

  const temperature = given("temperature") ? numberIn(fields.temperature, "temperature", 0, 2) : 1;
  const topP = given("top_p") ? numberIn(fields.top_p, "top_p", 0, 1) : 1;
  const maxTokens = parseMaxTokens(fields);
  const stop = parseStop(fields.stop);
  let seed: number | undefined;
  if (given("seed")) {
    if (!Number.isSafeInteger(fields.seed)) {
      throw new ApiError(400, `'seed' must be an integer, got ${JSON.stringify(fields.seed)}.`, "seed");
    }
    seed = fields.seed as number;
  }
  if (given("n") && fields.n !== 1) {
    throw new ApiError(
      400,
      `'n' must be 1 on this server (got ${JSON.stringify(fields.n)}); send n separate requests, each with its own seed, for several choices.`,
      "n",
    );
  }
  const stream = given("stream") ? booleanParam(fields.stream, "stream") : false;
  let includeUsage = false;
  if (given("stream_options")) {
    const options = fields.stream_options as Record<string, unknown>;
    if (typeof options !== "object" || Array.isArray(options)) {
      throw new ApiError(
        400,
        "'stream_options' must be an object like {\"include_usage\": true}.",
        "stream_options",
      );
    }
    includeUsage =
      options.include_usage === undefined
        ? false
        : booleanParam(options.include_usage, "stream_options.include_usage");
  }
  checkUnsupportedValues(fields);
  let tools: unknown[] | undefined;
  if (given("tools")) {
    if (!Array.isArray(fields.tools))
      throw new ApiError(400, "'tools' must be a list of tool definitions.", "tools");
    tools = fields.tools;
  }
  return {
    model: fields.model,
    messages,
    temperature,
    topP,
    maxTokens,
    stop,
    seed,
    stream,
    includeUsage,
    tools,
  };
}

const knownParameters = new Set([
  "model",
  "messages",
  "temperature",
  "top_p",
  "max_tokens",
  "max_completion_tokens",
  "stop",
  "seed",
  "n",
  "stream",
  "stream_options",
  "tools",
  "tool_choice",
  "logprobs",
  "top_logprobs",
  "presence_penalty",
  "frequency_penalty",
  "logit_bias",
  "response_format",
]);

function parseMessages(value: unknown): ChatMessage[] {
  if (value === undefined || value === null) {
    throw new ApiError(400, "'messages' is required: a list of {role, content} messages.", "messages");
  }
  if (!Array.isArray(value) || value.length === 0) {
    throw new ApiError(400, "'messages' must be a non-empty list of {role, content} messages.", "messages");
  }
  return value.map((message, index) => {
    const where = `messages[${index}]`;
    if (message === null || typeof message !== "object") {
      throw new ApiError(400, `'${where}' must be an object with 'role' and 'content'.`, where);
    }
    const role = roles[(message as Record<string, unknown>).role as string];
    if (!role) {
      throw new ApiError(
        400,
        `'${where}.role' is ${JSON.stringify((message as Record<string, unknown>).role)}; this server accepts system, developer, user and assistant messages (tool results: put them in a user message).`,
        `${where}.role`,
      );
    }
    return { role, content: contentText((message as Record<string, unknown>).content, `${where}.content`) };
  });
}

/** A string, or a list of parts of which only text parts are supported. */
function contentText(content: unknown, where: string): string {
  if (typeof content === "string") return content;
  if (Array.isArray(content)) {
    return content
      .map((part, index) => {
        if (part && typeof part === "object" && part.type === "text" && typeof part.text === "string") {
          return part.text;
        }
        throw new ApiError(
          400,
          `'${where}[${index}]' is not a text part ({"type": "text", "text": …}); this server's models read text only.`,
          `${where}[${index}]`,
        );
      })
      .join("");
  }
  throw new ApiError(400, `'${where}' must be a string (or a list of text parts).`, where);
}

function numberIn(value: unknown, name: string, min: number, max: number): number {
  if (typeof value !== "number" || !Number.isFinite(value) || value < min || value > max) {
    throw new ApiError(
      400,
      `'${name}' must be a number from ${min} to ${max}, got ${JSON.stringify(value)}.`,
      name,
    );
  }
  return value;
}

function booleanParam(value: unknown, name: string): boolean {
  if (typeof value !== "boolean") {
    throw new ApiError(400, `'${name}' must be true or false, got ${JSON.stringify(value)}.`, name);
  }
  return value;
}

function parseMaxTokens(fields: Record<string, unknown>): number | undefined {
  const read = (name: string): number | undefined => {
    const value = fields[name];
    if (value === undefined || value === null) return undefined;
    if (!Number.isSafeInteger(value) || (value as number) < 1) {
      throw new ApiError(
        400,
        `'${name}' must be a whole number of at least 1, got ${JSON.stringify(value)}.`,
        name,
      );
    }
    return value as number;
  };
  const maxTokens = read("max_tokens");
  const maxCompletionTokens = read("max_completion_tokens");
  if (maxTokens !== undefined && maxCompletionTokens !== undefined && maxTokens !== maxCompletionTokens) {
    throw new ApiError(
      400,
      `'max_tokens' (${maxTokens}) and 'max_completion_tokens' (${maxCompletionTokens}) disagree; send only one.`,
      "max_completion_tokens",
    );
  }
  return maxCompletionTokens ?? maxTokens;
}

function parseStop(value: unknown): string[] {
  if (value === undefined || value === null) return [];
  const list = typeof value === "string" ? [value] : value;
  if (
    !Array.isArray(list) ||
    list.length > MAX_STOP_SEQUENCES ||
    list.some((item) => typeof item !== "string" || item === "")
  ) {
    throw new ApiError(
      400,
      `'stop' must be a non-empty string or a list of up to ${MAX_STOP_SEQUENCES} non-empty strings, got ${JSON.stringify(value)}.`,
      "stop",
    );
  }
  return list as string[];
}

/** Parameters this server knows but cannot honour beyond their neutral value. */
function checkUnsupportedValues(fields: Record<string, unknown>): void {
  const refuse = (name: string, what: string) => {
    throw new ApiError(400, `'${name}' ${what} is not supported by this server; leave it out.`, name);
  };
  if (fields.logprobs === true) refuse("logprobs", "true");
  if (fields.top_logprobs !== undefined && fields.top_logprobs !== null && fields.top_logprobs !== 0) {
    refuse("top_logprobs", JSON.stringify(fields.top_logprobs));
  }
  for (const name of ["presence_penalty", "frequency_penalty"]) {
    if (fields[name] !== undefined && fields[name] !== null && fields[name] !== 0) {
      refuse(name, JSON.stringify(fields[name]));
    }
  }
  const bias = fields.logit_bias;
  if (bias !== undefined && bias !== null && (typeof bias !== "object" || Object.keys(bias).length > 0)) {
    refuse("logit_bias", "(non-empty)");
  }
  const format = fields.response_format as { type?: unknown } | undefined | null;
  if (format !== undefined && format !== null && format?.type !== "text") {
    refuse("response_format", JSON.stringify(format?.type ?? format));
  }
  const choice = fields.tool_choice;
  if (choice !== undefined && choice !== null && choice !== "auto" && choice !== "none") {
    // Replies come back as text: nothing here can force a tool call.
    refuse("tool_choice", JSON.stringify(choice));
  }
}

// --- responses ---------------------------------------------------------------------------------

export type FinishReason = "stop" | "length";

export interface Completion {
  text: string;
  finishReason: FinishReason;
  promptTokens: number;
  completionTokens: number;
}

export interface ResponseIds {
  id: string;
  created: number;
  model: string;
}

export function usageOf(completion: Completion) {
  return {
    prompt_tokens: completion.promptTokens,
    completion_tokens: completion.completionTokens,
    total_tokens: completion.promptTokens + completion.completionTokens,
  };
}

export function completionBody(ids: ResponseIds, completion: Completion) {
  return {
    id: ids.id,
    object: "chat.completion",
    created: ids.created,
    model: ids.model,
    choices: [
      {
        index: 0,
        message: { role: "assistant", content: completion.text, refusal: null },
        logprobs: null,
        finish_reason: completion.finishReason,
      },
    ],
    usage: usageOf(completion),
  };
}

/** The stream's chunks for one finished completion: role, content, finish reason, then usage if asked. */
export function completionChunks(ids: ResponseIds, completion: Completion, includeUsage: boolean): object[] {
  const chunk = (delta: object, finishReason: FinishReason | null) => ({
    id: ids.id,
    object: "chat.completion.chunk",
    created: ids.created,
    model: ids.model,
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }],
    ...(includeUsage ? { usage: null } : {}),
  });
  const chunks: object[] = [chunk({ role: "assistant", content: "" }, null)];
  if (completion.text !== "") chunks.push(chunk({ content: completion.text }, null));
  chunks.push(chunk({}, completion.finishReason));
  if (includeUsage) {
    chunks.push({
      id: ids.id,
      object: "chat.completion.chunk",
      created: ids.created,
      model: ids.model,
      choices: [],
      usage: usageOf(completion),
    });
  }
  return chunks;
}
