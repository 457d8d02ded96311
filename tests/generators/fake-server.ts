// A local Chat Completions server for generator tests: answers like an OpenAI-compatible endpoint,
// and can be scripted to misbehave (rate limits, 5xx, hangs, dropped connections, garbled bodies).
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export type Behaviour =
  | {
      kind: "reply";
      content?: string;
      /** Send the content as a list of text parts instead of a string (some servers do). */
      contentParts?: string[];
      toolCalls?: Array<{ name: string; arguments: string }>;
      finishReason?: string;
      usage?: { prompt_tokens: number; completion_tokens: number } | null;
    }
  | { kind: "status"; status: number; headers?: Record<string, string>; body?: string }
  | { kind: "hang" } // never answers; the client must time out
  | { kind: "stall_body" } // sends 200 headers and half a body, then nothing
  | { kind: "drop" } // closes the socket without any response
  | { kind: "truncated" } // a complete HTTP response whose JSON breaks off half way
  | { kind: "malformed" } // a 200 whose body is not JSON at all
  | { kind: "no_choices" } // valid JSON without choices
  | { kind: "empty" }; // a choice with empty content

export interface RecordedRequest {
  body: any;
  authorization: string | undefined;
}

export interface FakeServer {
  baseURL: string;
  requests: RecordedRequest[];
  maxInFlight: number;
  /** Behaviours for the next requests, consumed in order; afterwards the default answer. */
  script: Behaviour[];
  /** Milliseconds each answer is delayed (so concurrent requests overlap). */
  delayMs: number;
  close(): Promise<void>;
}

/** The default answer: plays the counter environment (tests/runtime/counter-env.ts) perfectly. */
export function counterReply(messages: Array<{ role: string; content: string }>): string {
  const users = messages.filter((m) => m.role === "user").map((m) => m.content);
  const task = [...users].reverse().find((text) => text.startsWith("Now, a new task."));
  const target = Number(/Task: reach (\d+)/.exec(task ?? "")?.[1] ?? 0);
  const last = users[users.length - 1] ?? "";
  const value = Number(/value (\d+)/.exec(last)?.[1] ?? 0);
  const add = Math.max(1, Math.min(3, target - value));
  return `Thought: ${target - value} to go.\nAction: add ${add}`;
}

export async function startFakeServer(): Promise<FakeServer> {
  let inFlight = 0;
  const server = createServer(async (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    let body: any;
    try {
      body = JSON.parse(Buffer.concat(chunks).toString("utf8"));
    } catch {
      body = undefined;
    }
    fake.requests.push({ body, authorization: req.headers.authorization });
    inFlight++;
    fake.maxInFlight = Math.max(fake.maxInFlight, inFlight);
    res.on("close", () => inFlight--);
    const behaviour = fake.script.shift() ?? { kind: "reply" };
    if (fake.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, fake.delayMs));
    respond(behaviour, body, req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  const fake: FakeServer = {
    baseURL: `http://127.0.0.1:${port}/v1`,
    requests: [],
    maxInFlight: 0,
    script: [],
    delayMs: 0,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  return fake;
}

function respond(behaviour: Behaviour, body: any, req: IncomingMessage, res: ServerResponse): void {
  const json = (status: number, value: unknown, headers: Record<string, string> = {}) => {
    res.writeHead(status, { "content-type": "application/json", ...headers });
    res.end(JSON.stringify(value));
  };
  switch (behaviour.kind) {
    case "reply": {
      const message: Record<string, unknown> = {
        role: "assistant",
        content: behaviour.contentParts
          ? behaviour.contentParts.map((text) => ({ type: "text", text }))
          : (behaviour.content ?? counterReply(body?.messages ?? [])),
      };
      if (behaviour.toolCalls) {
        message.tool_calls = behaviour.toolCalls.map((call, i) => ({
          id: `call_${i}`,
          type: "function",
          function: call,
        }));
      }
      const usage =
        behaviour.usage === undefined ? { prompt_tokens: 10, completion_tokens: 5 } : behaviour.usage;
      json(200, {
        id: "chatcmpl-fake",
        object: "chat.completion",
        created: 0,
        model: body?.model ?? "fake",
        choices: [{ index: 0, message, finish_reason: behaviour.finishReason ?? "stop" }],
        ...(usage
          ? { usage: { ...usage, total_tokens: usage.prompt_tokens + usage.completion_tokens } }
          : {}),
      });
      return;
    }
    case "status":
      res.writeHead(behaviour.status, { "content-type": "application/json", ...behaviour.headers });
      res.end(behaviour.body ?? JSON.stringify({ error: { message: `scripted ${behaviour.status}` } }));
      return;
    case "hang":
      return; // the request stays open until the client gives up
    case "stall_body":
      res.writeHead(200, { "content-type": "application/json" });
      res.write('{"id": "chatcmpl-fake", "choices": [');
      return;
    case "drop":
      req.socket.destroy();
      return;
    case "truncated": {
      const whole = JSON.stringify({
        choices: [{ message: { role: "assistant", content: "Action: add 1" } }],
      });
      res.writeHead(200, { "content-type": "application/json" });
      res.end(whole.slice(0, whole.length / 2));
      return;
    }
    case "malformed":
      res.writeHead(200, { "content-type": "application/json" });
      res.end("<html>502 Bad Gateway</html>");
      return;
    case "no_choices":
      json(200, { id: "chatcmpl-fake", object: "chat.completion", choices: [] });
      return;
    case "empty":
      json(200, {
        choices: [{ index: 0, message: { role: "assistant", content: "" }, finish_reason: "stop" }],
      });
      return;
  }
}
