import { randomUUID } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type EpisodeOptions, runEpisode } from "../../runtime/agent/loop.ts";
import type { Environment } from "../../runtime/env/types.ts";
import {
  GeneratorConfigError,
  type OpenAIGeneratorOptions,
  type OpenAIGeneratorRuntime,
  openaiGenerator,
  renderToolCall,
} from "../../runtime/generators/openai.ts";
import { counterEnv } from "../runtime/counter-env.ts";
import { type FakeServer, startFakeServer } from "./fake-server.ts";

const keyVariable = "ATUNE_TEST_OPENAI_KEY";
const marker = `sk-atune-marker-${randomUUID()}`;
const hello = [{ role: "user" as const, content: "Now, a new task.\nTask: reach 2\nObservation: value 0" }];
const [task, otherTask] = counterEnv().tasks({ split: "train", count: 2, seed: 0 });

let server: FakeServer;
const dirs: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), "atune-openai-"));
  dirs.push(dir);
  return dir;
};

beforeAll(async () => {
  process.env[keyVariable] = marker;
  server = await startFakeServer();
});
afterAll(async () => {
  delete process.env[keyVariable];
  await server.close();
});
beforeEach(() => {
  server.requests.length = 0;
  server.script.length = 0;
  server.maxInFlight = 0;
  server.delayMs = 0;
});
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A generator against the fake server whose waits are recorded instead of slept. */
function generator(options: Partial<OpenAIGeneratorOptions> = {}, runtime: OpenAIGeneratorRuntime = {}) {
  const sleeps: number[] = [];
  const gen = openaiGenerator(
    { baseURL: server.baseURL, model: "fake-model", apiKeyEnv: keyVariable, retries: 3, ...options },
    {
      sleep: async (ms) => {
        sleeps.push(ms);
      },
      random: () => 0.5,
      ...runtime,
    },
  );
  return { gen, sleeps };
}

const episodeOptions = (env: Environment): EpisodeOptions => ({
  examples: [env.example],
  maxTurns: 10,
  invalidActions: "error",
});

async function runAll(gen: ReturnType<typeof generator>["gen"], env: Environment, count: number, seed = 0) {
  const tasks = env.tasks({ split: "train", count, seed });
  return Promise.all(tasks.map((task) => runEpisode(env, task, gen, episodeOptions(env))));
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

describe("openai generator against a local Chat Completions server", () => {
  it("runs several episodes concurrently, never exceeding its concurrency limit", async () => {
    server.delayMs = 20;
    const { gen } = generator({
      concurrency: 2,
      temperature: 0,
      maxTokens: 64,
      seed: 7,
      stop: ["\nObservation:"],
    });
    const env = counterEnv();
    const results = await runAll(gen, env, 6);

    expect(results.map((r) => r.finishReason)).toEqual(Array(6).fill("done"));
    expect(results.every((r) => r.success)).toBe(true);
    expect(results[0].record.meta?.generator).toBe("openai:fake-model");
    const turns = results.reduce((sum, r) => sum + r.turns, 0);
    const stats = gen.stats();
    expect(stats).toMatchObject({
      requests: turns,
      replies: turns,
      failures: 0,
      promptTokens: 10 * turns,
      completionTokens: 5 * turns,
    });
    expect(Object.values(stats.retries).every((n) => n === 0)).toBe(true);
    expect(server.maxInFlight).toBe(2);

    const sent = server.requests[0];
    expect(sent.authorization).toBe(`Bearer ${marker}`);
    expect(sent.body).toMatchObject({
      model: "fake-model",
      temperature: 0,
      max_tokens: 64,
      seed: 7,
      stop: ["\nObservation:"],
    });
    expect(sent.body).not.toHaveProperty("top_p");
    expect(sent.body).not.toHaveProperty("tools");
  });

  it("retries every flaky answer, counting each by cause, and honours Retry-After", async () => {
    server.script.push(
      { kind: "status", status: 429, headers: { "retry-after": "2" } },
      { kind: "status", status: 429, headers: { "retry-after-ms": "150" } },
      { kind: "status", status: 429 },
      { kind: "status", status: 500 },
      { kind: "status", status: 503 },
      { kind: "drop" },
      { kind: "truncated" },
      { kind: "malformed" },
      { kind: "no_choices" },
      { kind: "empty" },
    );
    const { gen, sleeps } = generator({ retries: 10, backoffBaseMs: 100, backoffMaxMs: 1000 });
    const reply = await gen.startEpisode(counterEnv(), task).act(hello, "value 0");

    expect(reply).toBe("Thought: 2 to go.\nAction: add 2");
    const stats = gen.stats();
    expect(stats.retries).toEqual({
      rate_limit: 3,
      server_error: 2,
      timeout: 0,
      connection: 1,
      malformed_response: 3,
      empty_reply: 1,
    });
    expect(stats).toMatchObject({ requests: 11, replies: 1, failures: 0 });
    // Server-asked waits exactly; the others full jitter (random 0.5) of min(1000, 100·2^retry).
    expect(sleeps).toEqual([2000, 150, 200, 400, 500, 500, 500, 500, 500, 500]);
  });

  it("retries a 200 that carries an error instead of choices, and reads content given as parts", async () => {
    server.script.push(
      { kind: "status", status: 200, body: JSON.stringify({ error: { message: "model is loading" } }) },
      { kind: "reply", contentParts: ["Thought: two.", "\nAction: add 2"] },
    );
    const { gen, sleeps } = generator();
    const reply = await gen.startEpisode(counterEnv(), task).act(hello, "");
    expect(reply).toBe("Thought: two.\nAction: add 2");
    expect(gen.stats().retries.malformed_response).toBe(1);
    expect(sleeps).toEqual([500]);
  });

  it("times out a hung request and a body that stalls after its headers, then retries", async () => {
    server.script.push({ kind: "hang" }, { kind: "stall_body" });
    const { gen } = generator({ timeoutMs: 250 });
    const reply = await gen.startEpisode(counterEnv(), task).act(hello, "value 0");
    expect(reply).toMatch(/Action: add 2/);
    expect(gen.stats().retries.timeout).toBe(2);
    expect(gen.stats().requests).toBe(3);
  });

  it("gives up after its retries with a clear error, and the episode ends with generator_error", async () => {
    server.script.push(...Array(3).fill({ kind: "status", status: 503 }));
    const { gen, sleeps } = generator({ retries: 2 });
    const env = counterEnv();
    const [task] = env.tasks({ split: "train", count: 1, seed: 0 });
    const result = await runEpisode(env, task, gen, episodeOptions(env));

    expect(result.finishReason).toBe("generator_error");
    expect(result.error).toContain(`model "fake-model" at ${server.baseURL}`);
    expect(result.error).toMatch(
      /gave up after 2 retries \(2 × server error\); last: server error \(503 scripted 503\)/,
    );
    expect(result.error).toMatch(/Check the server's logs/);
    expect(gen.stats()).toMatchObject({ requests: 3, failures: 1, failuresByCause: { server_error: 1 } });
    expect(gen.stats().retries.server_error).toBe(2);
    expect(sleeps).toHaveLength(2);
  });

  it("says so when a retryable failure meets retries set to 0", async () => {
    server.script.push({ kind: "malformed" });
    const { gen, sleeps } = generator({ retries: 0 });
    await expect(gen.startEpisode(counterEnv(), task).act(hello, "")).rejects.toThrow(
      /failed with retries set to 0; last: the server answered 200 with a body that is not JSON \(<html>502 Bad Gateway<\/html>\)/,
    );
    expect(sleeps).toEqual([]);
    expect(gen.stats()).toMatchObject({
      requests: 1,
      failures: 1,
      failuresByCause: { malformed_response: 1 },
    });
  });

  it("does not retry 400, 401, 403 or 404, and says what to fix", async () => {
    const cases: Array<[number, RegExp]> = [
      [400, /refused the request \(400 scripted 400\); check the generator's sampling options/],
      [401, new RegExp(`rejected the API key in \\$${keyVariable} \\(401 .*\\); check that ${keyVariable}`)],
      [403, new RegExp(`the key in \\$${keyVariable} is not allowed to use model "fake-model"`)],
      [404, /not found .*baseURL ends with the API version path.*"fake-model"/],
    ];
    for (const [status, message] of cases) {
      server.requests.length = 0;
      server.script.push({ kind: "status", status });
      const { gen, sleeps } = generator();
      await expect(gen.startEpisode(counterEnv(), task).act(hello, "")).rejects.toThrow(message);
      expect(server.requests).toHaveLength(1);
      expect(sleeps).toEqual([]);
      expect(gen.stats()).toMatchObject({ requests: 1, failures: 1 });
    }
  });

  it("turns a reply cut off at maxTokens into a clear error, without retrying", async () => {
    server.script.push({
      kind: "reply",
      content: "Thought: I will think for a very",
      finishReason: "length",
    });
    const { gen } = generator({ maxTokens: 8 });
    await expect(gen.startEpisode(counterEnv(), task).act(hello, "")).rejects.toThrow(
      /cut off at the token limit \(maxTokens 8\).*raise maxTokens/,
    );
    expect(gen.stats()).toMatchObject({ requests: 1, failures: 1, failuresByCause: { length: 1 } });
  });

  it("reports an unreachable server as a connection failure after retries", async () => {
    const gone = await startFakeServer();
    const baseURL = gone.baseURL;
    await gone.close();
    const { gen } = generator({ baseURL, retries: 1 });
    await expect(gen.startEpisode(counterEnv(), task).act(hello, "")).rejects.toThrow(
      /gave up after 1 retry \(1 × connection\); last: could not reach the server: .*ECONNREFUSED.*Check that the server is running/,
    );
  });

  it("sends the environment's tools and renders tool calls as JSON actions", async () => {
    const tools = [
      { name: "add", description: "add n", parameters: { type: "object", properties: { n: {} } } },
    ];
    const env = { ...counterEnv(), tools };
    server.script.push({
      kind: "reply",
      content: "I need two more.",
      toolCalls: [{ name: "add", arguments: '{"n": 2}' }],
      finishReason: "tool_calls",
    });
    const { gen } = generator();
    const reply = await gen.startEpisode(env, task).act(hello, "");
    expect(reply).toBe('Thought: I need two more.\nAction: {"name":"add","arguments":{"n":2}}');
    expect(server.requests[0].body.tools).toEqual([
      { type: "function", function: { name: "add", description: "add n", parameters: tools[0].parameters } },
    ]);
  });

  it("renders tool calls without text, and with arguments that are not JSON", () => {
    expect(renderToolCall("", { name: "f", arguments: "" })).toBe('Action: {"name":"f","arguments":{}}');
    expect(renderToolCall("Thought: go", { name: "f", arguments: "{bad" })).toBe(
      'Thought: go\nAction: {"name":"f","arguments":"{bad"}',
    );
  });
});

describe("response cache", () => {
  it("makes a second run send zero requests and reproduce the same records", async () => {
    const cacheDir = tempDir();
    const env = counterEnv();
    const first = generator({ concurrency: 3 }, { cacheDir });
    const before = await runAll(first.gen, env, 4);
    const sent = server.requests.length;
    expect(sent).toBeGreaterThan(0);
    expect(first.gen.stats().cache).toMatchObject({ writes: sent, hits: 0 });

    const second = generator({ concurrency: 3 }, { cacheDir });
    const after = await runAll(second.gen, env, 4);
    expect(server.requests.length).toBe(sent);
    expect(second.gen.stats()).toMatchObject({ requests: 0, cacheHits: sent });
    expect(after.map((r) => r.record)).toEqual(before.map((r) => r.record));
  });

  it("keeps samples of the same request distinct at temperature > 0", async () => {
    const cacheDir = tempDir();
    const ask = async () => {
      const { gen } = generator({ temperature: 0.9 }, { cacheDir });
      const replies = [];
      for (let i = 0; i < 3; i++) replies.push(await gen.startEpisode(counterEnv(), task).act(hello, ""));
      return { replies, gen };
    };
    server.script.push(
      { kind: "reply", content: "Action: add 1" },
      { kind: "reply", content: "Action: add 2" },
      { kind: "reply", content: "Action: add 3" },
    );
    const first = await ask();
    expect(first.replies).toEqual(["Action: add 1", "Action: add 2", "Action: add 3"]);
    const again = await ask();
    expect(again.replies).toEqual(first.replies);
    expect(again.gen.stats().requests).toBe(0);
    expect(server.requests).toHaveLength(3);
  });

  it("gives each task its own samples, whatever order a resumed run takes them in", async () => {
    const cacheDir = tempDir();
    server.script.push(
      { kind: "reply", content: "Action: add 1" },
      { kind: "reply", content: "Action: add 2" },
    );
    const first = generator({ temperature: 0.9 }, { cacheDir }).gen;
    // The same prompt for two tasks, as when two tasks' instructions coincide.
    expect(await first.startEpisode(counterEnv(), task).act(hello, "")).toBe("Action: add 1");
    expect(await first.startEpisode(counterEnv(), otherTask).act(hello, "")).toBe("Action: add 2");

    // Resumed after the first task was done: the second task reads its own reply back.
    const resumed = generator({ temperature: 0.9 }, { cacheDir }).gen;
    expect(await resumed.startEpisode(counterEnv(), otherTask).act(hello, "")).toBe("Action: add 2");
    expect(resumed.stats().requests).toBe(0);
  });

  it("ignores a corrupt entry with a counted warning, asks again and rewrites it", async () => {
    const cacheDir = tempDir();
    await generator({}, { cacheDir }).gen.startEpisode(counterEnv(), task).act(hello, "");
    const [file] = filesUnder(cacheDir);
    writeFileSync(file, '{"format": "atune-resp');

    const warnings: string[] = [];
    const { gen } = generator({}, { cacheDir, warn: (message) => warnings.push(message) });
    const reply = await gen.startEpisode(counterEnv(), task).act(hello, "");
    expect(reply).toMatch(/Action: add 2/);
    expect(gen.stats()).toMatchObject({ requests: 1, cache: { corrupt: 1, writes: 1 } });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain(file);
    expect(JSON.parse(readFileSync(file, "utf8")).reply.text).toBe(reply);
  });
});

describe("API key handling", () => {
  it("never writes the key into the cache or an error message, even when the server echoes it", async () => {
    const cacheDir = tempDir();
    const env = counterEnv();
    const { gen } = generator({}, { cacheDir });
    await runAll(gen, env, 3);
    server.script.push(
      {
        kind: "status",
        status: 400,
        body: JSON.stringify({ error: { message: `bad key Bearer ${marker}` } }),
      },
      { kind: "status", status: 401, body: `unauthorised: ${marker}` },
      { kind: "reply", content: `Thought: ${marker}`, finishReason: "length" },
    );
    const messages: string[] = [];
    for (let i = 0; i < 3; i++) {
      await gen
        .startEpisode(env, task)
        .act(hello, "")
        .catch((error: Error) => messages.push(error.message));
    }
    expect(messages).toHaveLength(3);
    expect(messages[0]).toContain("[redacted API key]");
    for (const message of messages) expect(message).not.toContain(marker);
    const files = filesUnder(cacheDir);
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) expect(readFileSync(file, "utf8")).not.toContain(marker);
    expect(JSON.stringify(gen.stats())).not.toContain(marker);
    expect(gen.name).not.toContain(marker);
  });

  it("refuses credentials in the base URL without echoing them", () => {
    const baseURL = server.baseURL.replace("http://", "http://user:hunter2@");
    let message = "";
    try {
      openaiGenerator({ baseURL, model: "m" });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/baseURL must not contain a user name or password.*apiKeyEnv/);
    expect(message).not.toContain("hunter2");
  });

  it("fails before any episode when the key variable is unset, naming it and how to set it", () => {
    const make = () =>
      openaiGenerator({ baseURL: server.baseURL, model: "m", apiKeyEnv: "ATUNE_TEST_UNSET_KEY" });
    expect(make).toThrow(GeneratorConfigError);
    expect(make).toThrow(
      /environment variable ATUNE_TEST_UNSET_KEY .* is not set.*export ATUNE_TEST_UNSET_KEY=/,
    );
    expect(server.requests).toHaveLength(0);
  });

  it("rejects a key pasted where the variable name belongs, without echoing any of it", () => {
    const messageFor = (apiKeyEnv: string) => {
      try {
        openaiGenerator({ baseURL: server.baseURL, model: "m", apiKeyEnv });
      } catch (error) {
        return (error as Error).message;
      }
      return "";
    };
    const dashed = messageFor(marker);
    expect(dashed).toMatch(/apiKeyEnv must be the NAME of an environment variable/);
    expect(dashed).not.toContain(marker.slice(0, 6));
    // A key made only of name characters could be a variable name; once it is known unset, it is not echoed either.
    const plain = `sk${marker.replace(/[^A-Za-z0-9]/g, "")}`;
    const unset = messageFor(plain);
    expect(unset).toMatch(/names an environment variable that is not set.*put it in an environment variable/);
    expect(unset).not.toContain(plain.slice(0, 6));
  });

  it("works without a key for local servers, and explains a 401 then", async () => {
    const gen = openaiGenerator({ baseURL: server.baseURL, model: "m", retries: 0 });
    expect(await gen.startEpisode(counterEnv(), task).act(hello, "")).toMatch(/Action/);
    server.script.push({ kind: "status", status: 401 });
    await expect(gen.startEpisode(counterEnv(), task).act(hello, "")).rejects.toThrow(
      /requires an API key .*name it with apiKeyEnv/,
    );
  });

  it("checks its options", () => {
    const make = (options: Partial<OpenAIGeneratorOptions>) => () =>
      openaiGenerator({ baseURL: server.baseURL, model: "m", ...options });
    expect(make({ baseURL: "localhost:8000" })).toThrow(/baseURL must start with http/);
    expect(make({ baseURL: "not a url" })).toThrow(/is not a URL/);
    expect(make({ model: "" })).toThrow(/set model/);
    expect(make({ concurrency: 0 })).toThrow(/concurrency must be a whole number of at least 1/);
    expect(make({ retries: 1.5 })).toThrow(/retries must be a whole number/);
    expect(make({ temperature: -1 })).toThrow(/temperature must be a number of at least 0/);
  });
});
