/**
 * The `openai` generator: any OpenAI-compatible Chat Completions endpoint (OpenAI, vLLM, SGLang,
 * llama.cpp's server, Ollama …) as a teacher or as a model under evaluation.
 *
 * It is built to survive flaky servers: the client's own retries are off and every attempt goes
 * through one loop here, which retries rate limits, server errors, timeouts, dropped connections
 * and garbled 200s with full-jitter backoff, counts each retry by cause, and ends with an error
 * that says what failed and what to change. Replies are cached by content (response-cache.ts).
 *
 * The API key is read from the named environment variable once, when the generator is made. It is
 * sent only in the Authorization header: never into the cache, stats, names or error messages
 * (messages are scrubbed of it even when a server echoes it back).
 */
import OpenAI, { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from "openai";
import type { Environment, EnvTask } from "../env/types.ts";
import { Limiter } from "./limiter.ts";
import { type CachedReply, ResponseCache, type ResponseCacheStats, responseKey } from "./response-cache.ts";
import { type BackoffOptions, backoffDelay, type RetryCause, retryAfterMs, retryCauses } from "./retry.ts";
import type { AgentSession, ChatMessage, Generator } from "./types.ts";

export interface OpenAIGeneratorOptions {
  /** The endpoint's base URL including the version path, e.g. "http://127.0.0.1:8000/v1". */
  baseURL: string;
  model: string;
  /** The NAME of the environment variable that holds the API key (e.g. "OPENAI_API_KEY"). Omit for servers that need none. */
  apiKeyEnv?: string;
  temperature?: number;
  topP?: number;
  maxTokens?: number;
  stop?: string[];
  seed?: number;
  /** Requests in flight at once, across all episodes using this generator. Default 4. */
  concurrency?: number;
  /** Per attempt, until the whole reply has arrived. Default 120 000. */
  timeoutMs?: number;
  /** Retries after the first attempt, for retryable failures only. Default 5. */
  retries?: number;
  /** The first backoff ceiling; it doubles per retry. Default 1000. */
  backoffBaseMs?: number;
  /** The largest computed backoff. Default 30 000 (a server's Retry-After may ask for longer, up to 120 s). */
  backoffMaxMs?: number;
}

/** What the runtime supplies: where to cache, and (tests) the clock, randomness and warnings. */
export interface OpenAIGeneratorRuntime {
  /** Directory for the response cache (the runtime passes `.atune/cache/responses/`); no cache when omitted. */
  cacheDir?: string;
  sleep?: (ms: number) => Promise<void>;
  /** Uniform in [0, 1): drives the backoff jitter. */
  random?: () => number;
  /** Epoch milliseconds: to read Retry-After given as an HTTP date. */
  now?: () => number;
  warn?: (message: string) => void;
}

/** Failures that end an act() call: every retry cause (once retries run out) and those never retried. */
export type FailureCause =
  | RetryCause
  | "auth" // 401
  | "forbidden" // 403
  | "not_found" // 404
  | "bad_request" // 400, 422 and other 4xx
  | "length" // the reply hit maxTokens
  | "unexpected";

export interface OpenAIGeneratorStats {
  /** HTTP requests sent, retries included. */
  requests: number;
  /** Replies taken from the server (not the cache). */
  replies: number;
  /** Replies taken from the cache (no request sent). */
  cacheHits: number;
  retries: Record<RetryCause, number>;
  /** act() calls that ended in an error (each ends its episode with `generator_error`). */
  failures: number;
  failuresByCause: Partial<Record<FailureCause, number>>;
  /** From the responses' `usage`, when the server reports it. */
  promptTokens: number;
  completionTokens: number;
  cache?: ResponseCacheStats;
}

export interface OpenAIGenerator extends Generator {
  stats(): OpenAIGeneratorStats;
}

/** An act() failure: its message says what went wrong, at which endpoint, and how to fix it. */
export class GeneratorRequestError extends Error {
  constructor(
    message: string,
    readonly failure: FailureCause,
  ) {
    super(message);
    this.name = "GeneratorRequestError";
  }
}

/** A mistake in the generator's configuration or environment, found before any episode starts. */
export class GeneratorConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "GeneratorConfigError";
  }
}

type Failure = { ok: false; cause: FailureCause; retryable: boolean; message: string; waitMs?: number };
type Attempt = { ok: true; reply: CachedReply } | Failure;

type RequestBody = OpenAI.Chat.ChatCompletionCreateParamsNonStreaming;

const defaults = {
  concurrency: 4,
  timeoutMs: 120_000,
  retries: 5,
  backoffBaseMs: 1000,
  backoffMaxMs: 30_000,
};

export function openaiGenerator(
  options: OpenAIGeneratorOptions,
  runtime: OpenAIGeneratorRuntime = {},
): OpenAIGenerator {
  checkOptions(options);
  const where = `openai generator (model "${options.model}" at ${options.baseURL})`;
  const apiKey = readApiKey(options.apiKeyEnv, where);
  const redact = (text: string) => (apiKey ? text.split(apiKey).join("[redacted API key]") : text);

  const timeoutMs = options.timeoutMs ?? defaults.timeoutMs;
  const retries = options.retries ?? defaults.retries;
  const backoff: BackoffOptions = {
    baseMs: options.backoffBaseMs ?? defaults.backoffBaseMs,
    maxMs: options.backoffMaxMs ?? defaults.backoffMaxMs,
  };
  const sleep = runtime.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const random = runtime.random ?? Math.random;
  const now = runtime.now ?? Date.now;
  const limiter = new Limiter(options.concurrency ?? defaults.concurrency);
  const cache = runtime.cacheDir ? new ResponseCache(runtime.cacheDir, runtime.warn) : undefined;
  const client = new OpenAI({
    // Servers that need no key still get a non-empty bearer token: the client insists on one.
    apiKey: apiKey ?? "no-key",
    baseURL: options.baseURL,
    // Not from OPENAI_ORG_ID / OPENAI_PROJECT_ID: those belong to OpenAI, not to whatever baseURL names.
    organization: null,
    project: null,
    // OPENAI_LOG=debug would print server bodies, which may echo the key back.
    logLevel: "warn",
    maxRetries: 0,
    // Our own timer (below) governs; the client's is a backstop that must not fire first.
    timeout: timeoutMs + 5_000,
  });

  const counters = {
    requests: 0,
    replies: 0,
    cacheHits: 0,
    retries: Object.fromEntries(retryCauses.map((cause) => [cause, 0])) as Record<RetryCause, number>,
    failures: 0,
    failuresByCause: {} as Partial<Record<FailureCause, number>>,
    promptTokens: 0,
    completionTokens: 0,
  };
  // How often each exact request has been asked for each task this run: the n-th asking is sample n.
  const askedBefore = new Map<string, number>();

  const sampling = {
    temperature: options.temperature,
    top_p: options.topP,
    max_tokens: options.maxTokens,
    stop: options.stop,
    seed: options.seed,
  };

  async function attempt(body: RequestBody): Promise<Attempt> {
    counters.requests++;
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, timeoutMs);
    try {
      const response = await client.chat.completions
        .create(body, { signal: controller.signal, maxRetries: 0 })
        .asResponse();
      // Read the body under the same timer: a server can stall after sending its headers.
      const text = await response.text();
      return interpretBody(text);
    } catch (error) {
      return classifyError(error, timedOut);
    } finally {
      clearTimeout(timer);
    }
  }

  function interpretBody(text: string): Attempt {
    let data: any;
    try {
      data = JSON.parse(text);
    } catch {
      return retryable(
        "malformed_response",
        `the server answered 200 with a body that is not JSON (${preview(text)})`,
      );
    }
    if (data === null || typeof data !== "object") {
      return retryable(
        "malformed_response",
        `the server answered 200 with ${preview(text)}, not a JSON object`,
      );
    }
    const usage = data.usage;
    if (usage && typeof usage === "object") {
      if (Number.isFinite(usage.prompt_tokens)) counters.promptTokens += usage.prompt_tokens;
      if (Number.isFinite(usage.completion_tokens)) counters.completionTokens += usage.completion_tokens;
    }
    if (data.error !== undefined && data.choices === undefined) {
      return retryable(
        "malformed_response",
        `the server answered 200 with an error: ${preview(JSON.stringify(data.error))}`,
      );
    }
    const choice = Array.isArray(data.choices) ? data.choices[0] : undefined;
    if (!choice || typeof choice !== "object" || !choice.message || typeof choice.message !== "object") {
      return retryable(
        "malformed_response",
        `the server answered 200 without choices[0].message (${preview(text)})`,
      );
    }
    const finishReason = typeof choice.finish_reason === "string" ? choice.finish_reason : "unknown";
    if (finishReason === "length") {
      return {
        ok: false,
        cause: "length",
        retryable: false,
        message:
          `the reply was cut off at the token limit (maxTokens ${options.maxTokens ?? "unset: the server's default"}) ` +
          "before it finished; raise maxTokens, or ask for shorter replies in the prompt",
      };
    }
    const content = messageText(choice.message.content);
    const toolCalls = Array.isArray(choice.message.tool_calls) ? choice.message.tool_calls : [];
    const call = toolCalls.find((item: any) => item?.function && typeof item.function.name === "string");
    const replyText = call ? renderToolCall(content, call.function) : content;
    if (replyText.trim() === "") {
      return retryable("empty_reply", `the model returned an empty reply (finish_reason "${finishReason}")`);
    }
    const reply: CachedReply = { text: replyText, finishReason };
    if (Number.isFinite(usage?.prompt_tokens)) reply.promptTokens = usage.prompt_tokens;
    if (Number.isFinite(usage?.completion_tokens)) reply.completionTokens = usage.completion_tokens;
    return { ok: true, reply };
  }

  function classifyError(error: unknown, timedOut: boolean): Attempt {
    if (timedOut || error instanceof APIConnectionTimeoutError) {
      return retryable("timeout", `no complete reply within timeoutMs ${timeoutMs}`);
    }
    if (error instanceof APIUserAbortError) {
      return { ok: false, cause: "unexpected", retryable: false, message: "the request was aborted" };
    }
    if (error instanceof APIConnectionError) {
      return retryable("connection", `could not reach the server: ${connectionDetail(error)}`);
    }
    if (error instanceof APIError && error.status !== undefined) {
      return classifyStatus(error);
    }
    // A body that breaks off after the headers surfaces as a plain fetch error from response.text().
    if (error instanceof TypeError)
      return retryable("connection", `the connection broke: ${connectionDetail(error)}`);
    return {
      ok: false,
      cause: "unexpected",
      retryable: false,
      message: `unexpected error: ${(error as Error)?.message ?? String(error)}`,
    };
  }

  function classifyStatus(error: APIError): Attempt {
    const status = error.status as number;
    const detail = `${status} ${serverMessage(error)}`;
    const waitMs = retryAfterMs(error.headers, now());
    if (status === 429) return retryable("rate_limit", `rate limited (${detail})`, waitMs);
    if (status === 408) return retryable("timeout", `the server timed out (${detail})`, waitMs);
    if (status === 409 || status >= 500) return retryable("server_error", `server error (${detail})`, waitMs);
    const keyName = options.apiKeyEnv ? `$${options.apiKeyEnv}` : "";
    if (status === 401) {
      const message = options.apiKeyEnv
        ? `the server rejected the API key in ${keyName} (${detail}); check that ${options.apiKeyEnv} holds a valid key for this server`
        : `the server requires an API key (${detail}); put the key in an environment variable and name it with apiKeyEnv`;
      return { ok: false, cause: "auth", retryable: false, message };
    }
    if (status === 403) {
      const whose = keyName ? `the key in ${keyName}` : "this client";
      return {
        ok: false,
        cause: "forbidden",
        retryable: false,
        message: `${whose} is not allowed to use model "${options.model}" (${detail}); check the key's permissions or choose another model`,
      };
    }
    if (status === 404) {
      return {
        ok: false,
        cause: "not_found",
        retryable: false,
        message:
          `not found (${detail}); check that baseURL ends with the API version path (usually "/v1") ` +
          `and that the server serves a model named "${options.model}"`,
      };
    }
    return {
      ok: false,
      cause: "bad_request",
      retryable: false,
      message: `the server refused the request (${detail}); check the generator's sampling options against what this server supports`,
    };
  }

  async function complete(body: RequestBody): Promise<CachedReply> {
    const retriedBy: Partial<Record<RetryCause, number>> = {};
    for (let retry = 0; ; retry++) {
      const outcome = await limiter.run(() => attempt(body));
      if (outcome.ok) {
        counters.replies++;
        return outcome.reply;
      }
      if (!outcome.retryable || retry >= retries) {
        counters.failures++;
        counters.failuresByCause[outcome.cause] = (counters.failuresByCause[outcome.cause] ?? 0) + 1;
        const tried =
          retries === 0
            ? "failed with retries set to 0"
            : `gave up after ${retries} ${retries === 1 ? "retry" : "retries"} (${describeCounts(retriedBy)})`;
        const message = outcome.retryable
          ? `${tried}; last: ${outcome.message}. ${hintFor(outcome.cause as RetryCause)}`
          : outcome.message;
        throw new GeneratorRequestError(redact(`${where}: ${message}`), outcome.cause);
      }
      const cause = outcome.cause as RetryCause;
      counters.retries[cause]++;
      retriedBy[cause] = (retriedBy[cause] ?? 0) + 1;
      // Sleep outside the limiter, so a backing-off session does not hold a slot others could use.
      await sleep(outcome.waitMs ?? backoffDelay(retry, backoff, random));
    }
  }

  return {
    name: `openai:${options.model}`,
    startEpisode(env: Environment, task: EnvTask): AgentSession {
      const tools = env.tools?.map((tool) => ({
        type: "function" as const,
        function: { name: tool.name, description: tool.description, parameters: tool.parameters },
      }));
      return {
        async act(messages: ChatMessage[]): Promise<string> {
          const body: RequestBody = withoutUndefined({
            model: options.model,
            messages,
            ...(tools && tools.length > 0 ? { tools } : {}),
            ...sampling,
          }) as RequestBody;
          if (!cache) return (await complete(body)).text;

          const parts = {
            baseURL: options.baseURL,
            model: options.model,
            messages,
            tools,
            sampling,
            taskId: task.id,
          };
          // The first sample's key names the request; later identical requests count up from it.
          const firstKey = responseKey({ ...parts, sampleIndex: 0 });
          const sampleIndex = askedBefore.get(firstKey) ?? 0;
          askedBefore.set(firstKey, sampleIndex + 1);
          const key = sampleIndex === 0 ? firstKey : responseKey({ ...parts, sampleIndex });
          const cached = cache.get(key);
          if (cached) {
            counters.cacheHits++;
            return cached.text;
          }
          const reply = await complete(body);
          cache.put(key, reply);
          return reply.text;
        },
      };
    },
    stats(): OpenAIGeneratorStats {
      return {
        ...counters,
        retries: { ...counters.retries },
        failuresByCause: { ...counters.failuresByCause },
        ...(cache ? { cache: { ...cache.stats } } : {}),
      };
    },
  };
}

function retryable(cause: RetryCause, message: string, waitMs?: number): Failure {
  return { ok: false, cause, retryable: true, message, ...(waitMs !== undefined ? { waitMs } : {}) };
}

function hintFor(cause: RetryCause): string {
  switch (cause) {
    case "rate_limit":
      return "Lower the generator's concurrency or raise retries.";
    case "server_error":
      return "Check the server's logs; raise retries if it recovers on its own.";
    case "timeout":
      return "Raise timeoutMs, lower maxTokens, or lower concurrency if the server is overloaded.";
    case "connection":
      return "Check that the server is running and that baseURL (host, port, scheme) is right.";
    case "malformed_response":
      return "The server does not speak the Chat Completions protocol correctly; check baseURL points at its OpenAI-compatible API.";
    case "empty_reply":
      return "The model keeps answering with nothing; check the model name and its chat template.";
  }
}

/**
 * A tool call rendered as the action text function-calling environments parse:
 * `Action: {"name": …, "arguments": {…}}`, after the model's accompanying text as the thought.
 * Arguments that are not valid JSON are passed on as a string, for the environment to reject.
 */
export function renderToolCall(content: string, call: { name: string; arguments?: unknown }): string {
  let args: unknown = call.arguments ?? {};
  if (typeof args === "string") {
    try {
      args = args.trim() === "" ? {} : JSON.parse(args);
    } catch {
      // keep the raw string: a malformed call is the model's mistake, recorded as such
    }
  }
  const action = JSON.stringify({ name: call.name, arguments: args });
  const thought = content.trim().replace(/^thought\s*:\s*/i, "");
  return thought ? `Thought: ${thought}\nAction: ${action}` : `Action: ${action}`;
}

function readApiKey(variable: string | undefined, where: string): string | undefined {
  if (variable === undefined) return undefined;
  // The value is echoed only when it plainly is a variable name: a pasted key must not reach a log.
  const pastedKeyHint =
    "if that is the key itself, put it in an environment variable and give the variable's name instead";
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(variable)) {
    throw new GeneratorConfigError(
      `${where}: apiKeyEnv must be the NAME of an environment variable (like "OPENAI_API_KEY"); ${pastedKeyHint}`,
    );
  }
  const key = process.env[variable];
  if (key === undefined || key.trim() === "") {
    const state = key === undefined ? "not set" : "empty";
    if (!/^[A-Z_][A-Z0-9_]{0,63}$/.test(variable)) {
      throw new GeneratorConfigError(
        `${where}: apiKeyEnv names an environment variable that is ${state}, and the name does not look like one ` +
          `(variable names are usually UPPER_CASE); ${pastedKeyHint}`,
      );
    }
    throw new GeneratorConfigError(
      `${where}: the environment variable ${variable} (named by apiKeyEnv) is ${state}; ` +
        `set it before running, e.g. \`export ${variable}=<your key>\`, or drop apiKeyEnv if the server needs no key`,
    );
  }
  return key.trim();
}

function checkOptions(options: OpenAIGeneratorOptions): void {
  const where = `openai generator${options.model ? ` (model "${options.model}")` : ""}`;
  const fail = (message: string): never => {
    throw new GeneratorConfigError(`${where}: ${message}`);
  };
  if (typeof options.model !== "string" || options.model.trim() === "")
    fail('set model, e.g. model: "gpt-4o"');
  let url: URL | undefined;
  try {
    url = new URL(options.baseURL);
  } catch {
    fail(`baseURL ${JSON.stringify(options.baseURL)} is not a URL; use e.g. "http://127.0.0.1:8000/v1"`);
  }
  if (url && (url.username !== "" || url.password !== "")) {
    // Node's fetch refuses such URLs, and echoing this one would print the credential.
    fail(
      "baseURL must not contain a user name or password (fetch refuses such URLs); " +
        "put the key in an environment variable and name it with apiKeyEnv",
    );
  }
  if (url && url.protocol !== "http:" && url.protocol !== "https:") {
    fail(`baseURL must start with http:// or https://, got ${JSON.stringify(options.baseURL)}`);
  }
  const whole = (name: keyof OpenAIGeneratorOptions, min: number) => {
    const value = options[name];
    if (value !== undefined && (!Number.isInteger(value) || (value as number) < min)) {
      fail(`${name} must be a whole number of at least ${min}, got ${JSON.stringify(value)}`);
    }
  };
  whole("concurrency", 1);
  whole("retries", 0);
  whole("timeoutMs", 1);
  whole("maxTokens", 1);
  whole("backoffBaseMs", 0);
  whole("backoffMaxMs", 0);
  whole("seed", Number.MIN_SAFE_INTEGER);
  for (const name of ["temperature", "topP"] as const) {
    const value = options[name];
    if (value !== undefined && (typeof value !== "number" || !Number.isFinite(value) || value < 0)) {
      fail(`${name} must be a number of at least 0, got ${JSON.stringify(value)}`);
    }
  }
  if (
    options.stop !== undefined &&
    (!Array.isArray(options.stop) || options.stop.some((s) => typeof s !== "string"))
  ) {
    fail(`stop must be a list of strings, got ${JSON.stringify(options.stop)}`);
  }
}

/** Message content as text: a string, or (some servers) a list of parts whose text parts are joined. */
function messageText(content: unknown): string {
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return "";
  return content
    .map((part) => (part && typeof part === "object" && typeof part.text === "string" ? part.text : ""))
    .join("");
}

function withoutUndefined<T extends Record<string, unknown>>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, item]) => item !== undefined)) as T;
}

function describeCounts(counts: Partial<Record<RetryCause, number>>): string {
  return Object.entries(counts)
    .map(([cause, count]) => `${count} × ${cause.replace("_", " ")}`)
    .join(", ");
}

function serverMessage(error: APIError): string {
  // APIError's message starts with the status; the rest is the server's own explanation.
  return preview(error.message.replace(/^\d{3}\s*/, "") || "(no message)");
}

function connectionDetail(error: Error): string {
  const cause = (error as { cause?: { message?: string; code?: string; cause?: { code?: string } } }).cause;
  const parts = [error.message, cause?.message, cause?.code ?? cause?.cause?.code].filter(
    (part): part is string => typeof part === "string" && part !== "",
  );
  return [...new Set(parts)].join(": ");
}

function preview(text: string, limit = 200): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length > limit ? `${flat.slice(0, limit)}…` : flat === "" ? "an empty body" : flat;
}
