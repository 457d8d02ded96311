/**
 * `atune serve`: an OpenAI-compatible Chat Completions endpoint on node:http, backed by a model
 * directory on the GPU. Endpoints: POST /v1/chat/completions (plain or streamed), GET /v1/models,
 * GET /v1/models/{id}, GET /health.
 *
 * A prompt longer than the context is cut like the local-checkpoint generator cuts it (the opening
 * two messages and the latest ones; failing that, the last tokens), and the response says so in
 * the `X-Atune-Prompt-Truncated` header.
 */
import { randomUUID, timingSafeEqual } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { basename } from "node:path";
import { fitPrompt } from "../generators/model.ts";
import type { Gpu } from "../train/device/index.ts";
import { Batcher, type BatcherStats, JobCancelled } from "./batcher.ts";
import { loadServedModel, type ServedModel } from "./model.ts";
import {
  ApiError,
  type ChatRequest,
  type Completion,
  completionBody,
  completionChunks,
  parseChatRequest,
  type ResponseIds,
} from "./protocol.ts";

export interface ServeOptions {
  modelDir: string;
  gpu: Gpu;
  /** Default 127.0.0.1 (this machine only). */
  host?: string;
  /** 0 (default) picks a free port. */
  port?: number;
  /** The name clients ask for; default: the directory's name. */
  modelName?: string;
  /** Most requests generated together (default 8). */
  maxBatch?: number;
  /** Reply tokens when a request sets no max_tokens; default min(256, half the context). */
  defaultMaxTokens?: number;
  /** When set, every /v1 request needs `Authorization: Bearer <apiKey>`. */
  apiKey?: string;
  onBatch?: (size: number) => void;
}

export interface RunningServer {
  /** The base URL clients use, with the version path: http://host:port/v1 */
  url: string;
  host: string;
  port: number;
  modelName: string;
  contextLength: number;
  stats(): BatcherStats;
  /** Stops accepting, lets requests in flight finish, frees the model (not the GPU: its owner does). */
  close(): Promise<void>;
}

/** Setting mistakes found before the server starts; the message says which setting and how to fix it. */
export class ServeConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ServeConfigError";
  }
}

export const TRUNCATION_HEADER = "X-Atune-Prompt-Truncated";
const MAX_BODY_BYTES = 16 * 1024 * 1024;

export async function startServer(options: ServeOptions): Promise<RunningServer> {
  const maxBatch = options.maxBatch ?? 8;
  if (!Number.isInteger(maxBatch) || maxBatch < 1) {
    throw new ServeConfigError(`max batch must be a whole number of at least 1, got ${maxBatch}`);
  }
  const served = loadServedModel(options.gpu, options.modelDir);
  const context = served.contextLength;
  const defaultMaxTokens = options.defaultMaxTokens ?? Math.min(256, Math.floor(context / 2));
  if (!Number.isInteger(defaultMaxTokens) || defaultMaxTokens < 1 || defaultMaxTokens >= context) {
    served.model.release();
    throw new ServeConfigError(
      `the default max tokens must be a whole number from 1 to ${context - 1} (the model's context is ${context} tokens), got ${defaultMaxTokens}`,
    );
  }
  const modelName = options.modelName ?? basename(served.dir);
  const created = Math.floor(Date.now() / 1000);
  const batcher = new Batcher({
    model: served.model,
    decode: (ids) => served.tokenizer.decode(ids, { skipSpecial: true }),
    stopTokenIds: served.tokenizer.eosId === undefined ? [] : [served.tokenizer.eosId],
    maxBatch,
    onBatch: options.onBatch,
  });
  const handler = requestHandler({
    served,
    batcher,
    modelName,
    created,
    defaultMaxTokens,
    apiKey: options.apiKey,
  });
  const server = createServer((request, response) => {
    handler(request, response).catch((error) => {
      // Only a bug gets here: the handler turns every client mistake into an ApiError response.
      console.error(`atune serve: internal error on ${request.method} ${request.url}:`, error);
      if (!response.headersSent) {
        sendError(response, new ApiError(500, `internal server error: ${(error as Error).message}`));
      } else response.end();
    });
  });
  const host = options.host ?? "127.0.0.1";
  try {
    await listen(server, host, options.port ?? 0);
  } catch (error) {
    served.model.release();
    const code = (error as NodeJS.ErrnoException).code;
    const hint =
      code === "EADDRINUSE"
        ? "another program uses that port; pick another with --port, or --port 0 for any free one"
        : code === "EADDRNOTAVAIL" || code === "ENOTFOUND"
          ? "that address is not on this machine; use 127.0.0.1, or 0.0.0.0 for every interface"
          : code === "EACCES"
            ? "ports below 1024 need privileges; use a higher port"
            : "check --host and --port";
    throw new ServeConfigError(
      `cannot listen on ${host}:${options.port ?? 0}: ${(error as Error).message}; ${hint}`,
    );
  }
  const port = (server.address() as AddressInfo).port;
  const urlHost = host.includes(":") ? `[${host}]` : host;

  let closing: Promise<void> | undefined;
  return {
    url: `http://${urlHost}:${port}/v1`,
    host,
    port,
    modelName,
    contextLength: context,
    stats: () => batcher.stats(),
    close() {
      closing ??= (async () => {
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeIdleConnections();
        });
        await batcher.idle();
        served.model.release();
      })();
      return closing;
    },
  };
}

function listen(server: Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
}

interface HandlerContext {
  served: ServedModel;
  batcher: Batcher;
  modelName: string;
  created: number;
  defaultMaxTokens: number;
  apiKey: string | undefined;
}

function requestHandler(context: HandlerContext) {
  const { modelName } = context;
  const modelObject = { id: modelName, object: "model", created: context.created, owned_by: "atune" };

  return async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    try {
      const path = requestPath(request);
      if (path === "/health") {
        allowMethod(request, "GET");
        sendJson(response, 200, { status: "ok", model: modelName, ...context.batcher.stats() });
        return;
      }
      if (path.startsWith("/v1/")) checkApiKey(request, context.apiKey);
      if (path === "/v1/models") {
        allowMethod(request, "GET");
        sendJson(response, 200, { object: "list", data: [modelObject] });
        return;
      }
      if (path.startsWith("/v1/models/")) {
        allowMethod(request, "GET");
        const id = path.slice("/v1/models/".length);
        if (id !== modelName) throw unknownModel(id, modelName);
        sendJson(response, 200, modelObject);
        return;
      }
      if (path === "/v1/chat/completions") {
        allowMethod(request, "POST");
        await chatCompletion(context, parseChatRequest(await readJson(request)), response);
        return;
      }
      throw new ApiError(
        404,
        `Unknown endpoint ${request.method} ${path}. This server has POST /v1/chat/completions, GET /v1/models and GET /health.`,
        null,
        "unknown_url",
      );
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      if (response.headersSent) response.end();
      else sendError(response, error);
    }
  };
}

async function chatCompletion(context: HandlerContext, chat: ChatRequest, response: ServerResponse) {
  const { served } = context;
  if (chat.model !== context.modelName) throw unknownModel(chat.model, context.modelName);
  const contextLength = served.contextLength;
  const maxNewTokens = chat.maxTokens ?? context.defaultMaxTokens;
  if (maxNewTokens >= contextLength) {
    throw new ApiError(
      400,
      `max_tokens ${maxNewTokens} leaves no room for the prompt: the model's context is ${contextLength} tokens (prompt and reply together); ask for at most ${contextLength - 1}.`,
      "max_tokens",
    );
  }
  const encode = (messages: readonly ChatRequest["messages"][number][]) => {
    try {
      return served.encode(messages, chat.tools);
    } catch (error) {
      throw new ApiError(400, `The conversation cannot be rendered: ${(error as Error).message}`, "messages");
    }
  };
  const fullLength = encode(chat.messages).length;
  const promptIds = fitPrompt(chat.messages, encode, contextLength - maxNewTokens);
  if (promptIds.length === 0) {
    throw new ApiError(
      400,
      "The conversation renders to no tokens; send at least one message with content.",
      "messages",
    );
  }
  if (promptIds.length < fullLength) {
    response.setHeader(
      TRUNCATION_HEADER,
      `kept ${promptIds.length} of ${fullLength} prompt tokens (context ${contextLength}, max_tokens ${maxNewTokens})`,
    );
  }
  const ids: ResponseIds = {
    id: `chatcmpl-${randomUUID().replaceAll("-", "")}`,
    created: Math.floor(Date.now() / 1000),
    model: context.modelName,
  };
  // A client that gives up (a timeout, a closed connection) takes its waiting request with it.
  const clientGone = new AbortController();
  response.once("close", () => {
    if (!response.writableFinished) clientGone.abort();
  });
  const job = context.batcher.submit(
    {
      promptIds,
      maxNewTokens,
      temperature: chat.temperature,
      topP: chat.topP,
      stop: chat.stop,
      seed: chat.seed,
    },
    clientGone.signal,
  );
  if (chat.stream) {
    // Headers go out now, so the client knows the request was accepted while it waits its turn.
    response.writeHead(200, {
      "Content-Type": "text/event-stream",
      "Cache-Control": "no-cache",
      Connection: "keep-alive",
    });
    response.flushHeaders();
  }
  let completion: Completion;
  try {
    const result = await job;
    completion = { ...result, promptTokens: promptIds.length };
  } catch (error) {
    if (error instanceof JobCancelled) return;
    const failure = new ApiError(500, `generation failed: ${(error as Error).message}`);
    console.error(`atune serve: ${failure.message}`);
    if (!chat.stream) throw failure;
    response.end(`data: ${JSON.stringify(failure.body())}\n\n`);
    return;
  }
  if (!chat.stream) {
    sendJson(response, 200, completionBody(ids, completion));
    return;
  }
  for (const chunk of completionChunks(ids, completion, chat.includeUsage)) {
    response.write(`data: ${JSON.stringify(chunk)}\n\n`);
  }
  response.end("data: [DONE]\n\n");
}

/** The decoded path without trailing slashes; a malformed one is the client's mistake. */
function requestPath(request: IncomingMessage): string {
  try {
    const path = decodeURIComponent(new URL(request.url ?? "/", "http://localhost").pathname);
    return path.replace(/\/+$/, "") || "/";
  } catch {
    throw new ApiError(
      400,
      `The request path ${JSON.stringify(request.url)} is not a valid URL path.`,
      null,
      "invalid_url",
    );
  }
}

function unknownModel(asked: string, served: string): ApiError {
  return new ApiError(
    404,
    `The model '${asked}' does not exist on this server; it serves '${served}' (see GET /v1/models).`,
    "model",
    "model_not_found",
  );
}

function allowMethod(request: IncomingMessage, method: string): void {
  if (request.method !== method) {
    throw new ApiError(
      405,
      `${request.method} is not allowed here; use ${method}.`,
      null,
      "method_not_allowed",
    );
  }
}

function checkApiKey(request: IncomingMessage, apiKey: string | undefined): void {
  if (apiKey === undefined) return;
  const header = request.headers.authorization ?? "";
  const match = /^Bearer\s+(.+)$/i.exec(header);
  const given = Buffer.from(match ? match[1].trim() : "");
  const expected = Buffer.from(apiKey);
  if (given.length === expected.length && timingSafeEqual(given, expected)) return;
  throw new ApiError(
    401,
    match
      ? "Incorrect API key provided. Send the key the server was started with as 'Authorization: Bearer <key>'."
      : "Missing API key: this server needs 'Authorization: Bearer <key>' (the key in the variable named by --api-key-env).",
    null,
    "invalid_api_key",
  );
}

async function readJson(request: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) {
      throw new ApiError(
        413,
        `The request body is larger than ${MAX_BODY_BYTES / 1024 / 1024} MiB.`,
        null,
        "request_too_large",
      );
    }
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString("utf8");
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new ApiError(
      400,
      `We could not parse the JSON body of your request (${(error as Error).message}). Send a JSON object with Content-Type: application/json.`,
      null,
      "invalid_json",
    );
  }
}

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    "Content-Type": "application/json",
    "Content-Length": Buffer.byteLength(text),
  });
  response.end(text);
}

function sendError(response: ServerResponse, error: ApiError): void {
  sendJson(response, error.status, error.body());
}
