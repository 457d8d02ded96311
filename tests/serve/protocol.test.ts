import { describe, expect, it } from "vitest";
import {
  ApiError,
  completionBody,
  completionChunks,
  parseChatRequest,
} from "../../runtime/serve/protocol.ts";

const base = { model: "m", messages: [{ role: "user", content: "hi" }] };

function refusal(body: unknown): ApiError {
  try {
    parseChatRequest(body);
  } catch (error) {
    if (error instanceof ApiError) return error;
    throw error;
  }
  throw new Error("expected the request to be refused");
}

describe("Chat Completions requests", () => {
  it("reads the supported parameters with OpenAI's defaults", () => {
    expect(parseChatRequest(base)).toEqual({
      model: "m",
      messages: [{ role: "user", content: "hi" }],
      temperature: 1,
      topP: 1,
      maxTokens: undefined,
      stop: [],
      seed: undefined,
      stream: false,
      includeUsage: false,
      tools: undefined,
    });
    const request = parseChatRequest({
      ...base,
      messages: [
        { role: "developer", content: "be brief" },
        {
          role: "user",
          content: [
            { type: "text", text: "a" },
            { type: "text", text: "b" },
          ],
        },
        { role: "assistant", content: "ok" },
      ],
      temperature: 0,
      top_p: 0.5,
      max_completion_tokens: 7,
      stop: "\n",
      seed: -3,
      n: 1,
      stream: true,
      stream_options: { include_usage: true },
      user: "someone",
      presence_penalty: 0,
    });
    expect(request.messages).toEqual([
      { role: "system", content: "be brief" },
      { role: "user", content: "ab" },
      { role: "assistant", content: "ok" },
    ]);
    expect(request).toMatchObject({ temperature: 0, topP: 0.5, maxTokens: 7, stop: ["\n"], seed: -3 });
    expect(request).toMatchObject({ stream: true, includeUsage: true });
    expect(parseChatRequest({ ...base, max_tokens: 5 }).maxTokens).toBe(5);
  });

  it("refuses what it cannot honour, naming the parameter", () => {
    const cases: [unknown, number, string | null][] = [
      [[1, 2], 400, null],
      [{ messages: base.messages }, 400, "model"],
      [{ ...base, messages: [] }, 400, "messages"],
      [{ ...base, messages: [{ role: "user", content: 3 }] }, 400, "messages[0].content"],
      [
        { ...base, messages: [{ role: "user", content: [{ type: "image_url" }] }] },
        400,
        "messages[0].content[0]",
      ],
      [{ ...base, temperature: 3 }, 400, "temperature"],
      [{ ...base, top_p: -1 }, 400, "top_p"],
      [{ ...base, max_tokens: 0 }, 400, "max_tokens"],
      [{ ...base, max_tokens: 3, max_completion_tokens: 4 }, 400, "max_completion_tokens"],
      [{ ...base, stop: ["a", "b", "c", "d", "e"] }, 400, "stop"],
      [{ ...base, stop: [""] }, 400, "stop"],
      [{ ...base, seed: 1.5 }, 400, "seed"],
      [{ ...base, n: 2 }, 400, "n"],
      [{ ...base, stream: "yes" }, 400, "stream"],
      [{ ...base, logprobs: true }, 400, "logprobs"],
      [{ ...base, frequency_penalty: 0.5 }, 400, "frequency_penalty"],
      [{ ...base, response_format: { type: "json_object" } }, 400, "response_format"],
      [{ ...base, tool_choice: "required" }, 400, "tool_choice"],
      [{ ...base, functions: [] }, 400, "functions"],
    ];
    for (const [body, status, param] of cases) {
      const error = refusal(body);
      expect([JSON.stringify(body), error.status, error.param]).toEqual([
        JSON.stringify(body),
        status,
        param,
      ]);
      expect(error.body().error.type).toBe("invalid_request_error");
    }
  });
});

describe("Chat Completions responses", () => {
  const ids = { id: "chatcmpl-1", created: 5, model: "m" };
  const completion = { text: "hey", finishReason: "stop" as const, promptTokens: 4, completionTokens: 2 };

  it("shapes a completion like OpenAI's", () => {
    expect(completionBody(ids, completion)).toEqual({
      id: "chatcmpl-1",
      object: "chat.completion",
      created: 5,
      model: "m",
      choices: [
        {
          index: 0,
          message: { role: "assistant", content: "hey", refusal: null },
          logprobs: null,
          finish_reason: "stop",
        },
      ],
      usage: { prompt_tokens: 4, completion_tokens: 2, total_tokens: 6 },
    });
  });

  it("streams the role, the content, the finish reason, then the usage when asked", () => {
    const chunks = completionChunks(ids, completion, true) as any[];
    expect(chunks.map((c) => c.choices[0]?.delta)).toEqual([
      { role: "assistant", content: "" },
      { content: "hey" },
      {},
      undefined,
    ]);
    expect(chunks.map((c) => c.choices[0]?.finish_reason)).toEqual([null, null, "stop", undefined]);
    expect(chunks[3]).toMatchObject({ choices: [], usage: { total_tokens: 6 } });
    expect(completionChunks(ids, { ...completion, text: "" }, false)).toHaveLength(2);
  });
});
