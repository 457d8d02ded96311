import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningServer, startServer, TRUNCATION_HEADER } from "../../runtime/serve/server.ts";
import { type Gpu, openGpu } from "../../runtime/train/device/index.ts";
import { generateIds } from "../../runtime/train/generate/generate.ts";
import { loadGpuModel } from "../../runtime/train/gpu/checkpoint.ts";
import type { GpuLlama } from "../../runtime/train/gpu/model.ts";
import { type ChatMessage, ChatTemplate } from "../../runtime/train/tokenizer/chat-template.ts";
import type { HfTokenizer } from "../../runtime/train/tokenizer/hf.ts";
import { encodeChatPrompt } from "../../runtime/train/tokenizer/prompt.ts";
import { randomModelDir } from "./models.ts";

const API_KEY = "serve-test-key";
let gpu: Gpu;
let server: RunningServer;
let client: OpenAI;
const batchSizes: number[] = [];
// A second copy of the model, driven directly: what the server's replies must equal.
let direct: { model: GpuLlama; tokenizer: HfTokenizer; template: ChatTemplate };

beforeAll(async () => {
  gpu = await openGpu();
  const dir = randomModelDir("micro");
  server = await startServer({
    modelDir: dir,
    gpu,
    apiKey: API_KEY,
    maxBatch: 8,
    onBatch: (n) => batchSizes.push(n),
  });
  client = new OpenAI({ baseURL: server.url, apiKey: API_KEY, maxRetries: 0 });
  const loaded = loadGpuModel(gpu, dir);
  direct = {
    model: loaded.model,
    tokenizer: loaded.tokenizer!,
    template: new ChatTemplate(loaded.tokenizer!.chatTemplate!),
  };
});

afterAll(async () => {
  await server?.close();
  direct?.model.release();
  gpu?.destroy();
});

async function greedyDirect(messages: ChatMessage[], maxNewTokens: number) {
  const { model, tokenizer, template } = direct;
  const [generation] = await generateIds(model, [encodeChatPrompt(tokenizer, template, messages)], {
    maxNewTokens,
    temperature: 0,
    stopTokenIds: [tokenizer.eosId!],
    decode: (ids) => tokenizer.decode(ids, { skipSpecial: true }),
  });
  return generation;
}

const ask = (content: string): ChatMessage[] => [
  { role: "system", content: "You are terse." },
  { role: "user", content },
];

async function post(body: unknown, headers: Record<string, string> = { Authorization: `Bearer ${API_KEY}` }) {
  const response = await fetch(`${server.url}/chat/completions`, {
    method: "POST",
    headers: { "Content-Type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  return { status: response.status, headers: response.headers, body: (await response.json()) as any };
}

async function waitFor(condition: () => boolean, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms: ${condition}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

function expectOpenAIError(body: any, param: string | null) {
  expect(Object.keys(body)).toEqual(["error"]);
  expect(Object.keys(body.error).sort()).toEqual(["code", "message", "param", "type"]);
  expect(body.error.type).toBe("invalid_request_error");
  expect(typeof body.error.message).toBe("string");
  expect(body.error.param).toBe(param);
}

describe("atune serve: Chat Completions over the training core", () => {
  it("answers the official client with a well-formed completion equal to greedy generateIds", async () => {
    const messages = ask("Name a colour.");
    const reply = await client.chat.completions.create({
      model: "micro",
      messages,
      temperature: 0,
      max_tokens: 12,
    });
    const expected = await greedyDirect(messages, 12);
    expect(reply.object).toBe("chat.completion");
    expect(reply.id).toMatch(/^chatcmpl-/);
    expect(reply.model).toBe("micro");
    expect(Number.isInteger(reply.created)).toBe(true);
    expect(reply.choices).toHaveLength(1);
    expect(reply.choices[0].index).toBe(0);
    expect(reply.choices[0].message.role).toBe("assistant");
    expect(reply.choices[0].message.content).toBe(expected.text);
    expect(expected.text).not.toBe("");
    expect(reply.choices[0].finish_reason).toBe(expected.stopReason === "max_tokens" ? "length" : "stop");
    const promptTokens = encodeChatPrompt(direct.tokenizer, direct.template, messages).length;
    expect(reply.usage).toEqual({
      prompt_tokens: promptTokens,
      completion_tokens: expected.ids.length,
      total_tokens: promptTokens + expected.ids.length,
    });
  });

  it("batches concurrent requests and gives each its own answer", async () => {
    batchSizes.length = 0;
    const questions = ["one", "two two", "three three three", "four four four four", "five"];
    const replies = await Promise.all(
      questions.map((q) =>
        client.chat.completions.create({ model: "micro", messages: ask(q), temperature: 0, max_tokens: 10 }),
      ),
    );
    for (const [i, q] of questions.entries()) {
      expect(replies[i].choices[0].message.content).toBe((await greedyDirect(ask(q), 10)).text);
    }
    expect(new Set(replies.map((r) => r.choices[0].message.content)).size).toBeGreaterThan(1);
    expect(batchSizes.reduce((a, b) => a + b, 0)).toBe(questions.length);
    expect(Math.max(...batchSizes)).toBeGreaterThan(1);
    expect(server.stats().largestBatch).toBeGreaterThan(1);
  });

  it("gives a seeded sampled request the same reply alone and in a batch", async () => {
    const request = { model: "micro", messages: ask("sample"), temperature: 1, max_tokens: 10, seed: 42 };
    const alone = await client.chat.completions.create(request);
    batchSizes.length = 0;
    // A long request keeps the GPU busy, so the two seeded ones queue up behind it and meet in one batch.
    const blocker = client.chat.completions.create({
      model: "micro",
      messages: ask("x"),
      temperature: 0,
      max_tokens: 60,
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    const [first, second] = await Promise.all([
      client.chat.completions.create(request),
      client.chat.completions.create({ ...request, seed: 43 }),
    ]);
    await blocker;
    expect(batchSizes).toEqual([1, 2]);
    expect(first.choices[0].message.content).toBe(alone.choices[0].message.content);
    expect(second.choices[0].message.content).not.toBe(alone.choices[0].message.content);
  });

  it("drops a waiting request whose client went away", async () => {
    batchSizes.length = 0;
    const before = server.stats();
    const blocker = client.chat.completions.create({
      model: "micro",
      messages: ask("x"),
      temperature: 0,
      max_tokens: 60,
    });
    const giveUp = new AbortController();
    const abandoned = client.chat.completions.create(
      { model: "micro", messages: ask("never mind"), max_tokens: 5 },
      { signal: giveUp.signal },
    );
    await waitFor(() => server.stats().requests === before.requests + 2);
    giveUp.abort();
    await expect(abandoned).rejects.toThrow();
    await waitFor(() => server.stats().cancelled === before.cancelled + 1);
    await blocker;
    expect(batchSizes).toEqual([1]);
    expect(server.stats().batches).toBe(before.batches + 1);
  });

  it("streams with stream: true, ending in a finish reason and the usage", async () => {
    const messages = ask("Stream, please.");
    const stream = await client.chat.completions.create({
      model: "micro",
      messages,
      temperature: 0,
      max_tokens: 9,
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = "";
    const finishReasons: (string | null)[] = [];
    let usage: OpenAI.CompletionUsage | null | undefined;
    for await (const chunk of stream) {
      expect(chunk.object).toBe("chat.completion.chunk");
      for (const choice of chunk.choices) {
        text += choice.delta.content ?? "";
        finishReasons.push(choice.finish_reason);
      }
      if (chunk.usage) usage = chunk.usage;
    }
    const expected = await greedyDirect(messages, 9);
    expect(text).toBe(expected.text);
    expect(finishReasons.at(-1)).toBe("length");
    expect(usage?.completion_tokens).toBe(expected.ids.length);
  });

  it("cuts stop strings and reports finish_reason stop", async () => {
    const messages = ask("Name a colour.");
    const full = (await greedyDirect(messages, 12)).text ?? "";
    const stop = full.slice(3, 5);
    const reply = await client.chat.completions.create({
      model: "micro",
      messages,
      temperature: 0,
      max_tokens: 12,
      stop,
    });
    expect(reply.choices[0].message.content).toBe(full.slice(0, full.indexOf(stop)));
    expect(reply.choices[0].finish_reason).toBe("stop");
  });

  it("truncates a prompt longer than the context and says so in a header", async () => {
    const messages = ask("long ".repeat(200));
    const { status, headers, body } = await post({
      model: "micro",
      messages,
      temperature: 0,
      max_tokens: 100,
    });
    expect(status).toBe(200);
    expect(headers.get(TRUNCATION_HEADER)).toMatch(/^kept 412 of \d+ prompt tokens/);
    expect(body.usage.prompt_tokens).toBe(server.contextLength - 100);
  });

  it("lists the model and reports health", async () => {
    const models = await client.models.list();
    expect(models.data.map((m) => [m.id, m.object])).toEqual([["micro", "model"]]);
    const health = await fetch(server.url.replace(/\/v1$/, "/health"));
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: "ok", model: "micro" });
  });

  it("answers mistakes with OpenAI-shaped errors and the right status", async () => {
    const badJson = await post("{not json");
    expect(badJson.status).toBe(400);
    expectOpenAIError(badJson.body, null);
    expect(badJson.body.error.code).toBe("invalid_json");

    const twoChoices = await post({ model: "micro", messages: ask("hi"), n: 2 });
    expect(twoChoices.status).toBe(400);
    expectOpenAIError(twoChoices.body, "n");
    expect(twoChoices.body.error.message).toContain("'n' must be 1");

    const unknownModel = await post({ model: "gpt-9", messages: ask("hi") });
    expect(unknownModel.status).toBe(404);
    expectOpenAIError(unknownModel.body, "model");
    expect(unknownModel.body.error.code).toBe("model_not_found");
    expect(unknownModel.body.error.message).toContain("'micro'");

    const noMessages = await post({ model: "micro" });
    expect(noMessages.status).toBe(400);
    expectOpenAIError(noMessages.body, "messages");

    const badRole = await post({ model: "micro", messages: [{ role: "tool", content: "x" }] });
    expect(badRole.status).toBe(400);
    expectOpenAIError(badRole.body, "messages[0].role");

    const tooLong = await post({ model: "micro", messages: ask("hi"), max_tokens: server.contextLength });
    expect(tooLong.status).toBe(400);
    expectOpenAIError(tooLong.body, "max_tokens");

    const unknownParameter = await post({ model: "micro", messages: ask("hi"), best_of: 3 });
    expect(unknownParameter.status).toBe(400);
    expectOpenAIError(unknownParameter.body, "best_of");

    const noKey = await post({ model: "micro", messages: ask("hi") }, {});
    expect(noKey.status).toBe(401);
    expectOpenAIError(noKey.body, null);
    expect(noKey.body.error.code).toBe("invalid_api_key");
    const wrongKey = await post({ model: "micro", messages: ask("hi") }, { Authorization: "Bearer nope" });
    expect(wrongKey.status).toBe(401);

    const root = server.url.replace(/\/v1$/, "");
    const auth = { Authorization: `Bearer ${API_KEY}` };
    const unknownPath = await fetch(`${root}/v1/completions`, { method: "POST", headers: auth });
    expect(unknownPath.status).toBe(404);
    expect(((await unknownPath.json()) as any).error.code).toBe("unknown_url");
    const wrongMethod = await fetch(`${root}/v1/chat/completions`, { headers: auth });
    expect(wrongMethod.status).toBe(405);
    const badPath = await fetch(`${root}/v1/models/%E0`, { headers: auth });
    expect(badPath.status).toBe(400);
    expectOpenAIError(await badPath.json(), null);

    const refused = client.chat.completions.create({ model: "micro", messages: ask("hi"), n: 3 });
    await expect(refused).rejects.toMatchObject({ status: 400, param: "n" });
  });
});
