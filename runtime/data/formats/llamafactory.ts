import { type ConversationRecord, RecordError, type Turn } from "../record.ts";
import { isObject, type RecordFormat, type RowContext } from "./format.ts";
import {
  decodeToolCalls,
  decodeToolResponse,
  encodeToolCalls,
  encodeToolResponse,
  type ToolCall,
} from "./toolcalls.ts";

/**
 * LLaMA-Factory's sharegpt layout with its default tags:
 * {"conversations": [{"from": "human"|"gpt"|"function_call"|"observation", "value": "…"}],
 *  "system"?: "…", "tools"?: "<JSON list of tool schemas>"}.
 * A function_call turn's value is a JSON {"name", "arguments"} (or a list of them, for parallel
 * calls); it becomes a gpt turn with tool-call blocks, and an observation a tool-response turn.
 * The system prompt becomes a leading system turn and `tools` goes to meta.tools.
 */
export const llamaFactory: RecordFormat = {
  name: "llamafactory",
  summary: "LLaMA-Factory sharegpt: conversations with function_call/observation turns, system, tools",
  matches: (row) =>
    isObject(row) &&
    Array.isArray(row.conversations) &&
    (typeof row.tools === "string" ||
      typeof row.system === "string" ||
      row.conversations.some((t) => isObject(t) && (t.from === "function_call" || t.from === "observation"))),
  read: readLlamaFactory,
  write: writeLlamaFactory,
};

function readLlamaFactory(row: unknown, where: RowContext): ConversationRecord {
  const fail = (problem: string): never => {
    throw new RecordError(where.file, where.position, problem);
  };
  if (!isObject(row) || !Array.isArray(row.conversations))
    return fail('expected {"conversations": [{"from": …, "value": …}, …]}');
  if (row.conversations.length === 0) fail('"conversations" is empty');
  const turns: Turn[] = [];
  if (row.system !== undefined) {
    if (typeof row.system !== "string") fail('"system" must be a string');
    if (row.system !== "") turns.push({ from: "system", value: row.system as string, loss: null });
  }
  row.conversations.forEach((raw, index) => {
    turns.push(turnOf(raw, `conversations[${index}]`, fail));
  });
  const record: ConversationRecord = {
    id: typeof row.id === "string" ? row.id : where.fallbackId,
    conversations: turns,
  };
  if (row.tools !== undefined) record.meta = { tools: toolsValue(row.tools) };
  return record;
}

function turnOf(raw: unknown, at: string, fail: (p: string) => never): Turn {
  if (!isObject(raw)) return fail(`${at} is not an object`);
  if (typeof raw.value !== "string") return fail(`${at} has no "value" string`);
  const value = raw.value;
  switch (raw.from) {
    case "human":
    case "user":
      return { from: "human", value, loss: null };
    case "gpt":
    case "assistant":
      return { from: "gpt", value, loss: null };
    case "system":
      return { from: "system", value, loss: null };
    case "function_call":
      return { from: "gpt", value: encodeToolCalls("", parseCalls(value, at, fail)), loss: null };
    case "observation":
      return { from: "human", value: encodeToolResponse(value), loss: null };
    default:
      return fail(
        `${at}.from is ${JSON.stringify(raw.from)}; expected human, gpt, function_call or observation`,
      );
  }
}

function parseCalls(value: string, at: string, fail: (p: string) => never): ToolCall[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    return fail(`${at} is a function_call whose value is not JSON; expected {"name": …, "arguments": {…}}`);
  }
  const list = Array.isArray(parsed) ? parsed : [parsed];
  return list.map((call) => {
    if (!isObject(call) || typeof call.name !== "string") {
      return fail(`${at} is a function_call without a "name"; expected {"name": …, "arguments": {…}}`);
    }
    return { name: call.name, arguments: call.arguments ?? {} };
  });
}

/** LLaMA-Factory keeps tool schemas as a JSON string; meta holds the parsed list when it parses. */
function toolsValue(tools: unknown): unknown {
  if (typeof tools !== "string") return tools;
  try {
    return JSON.parse(tools);
  } catch {
    return tools;
  }
}

function writeLlamaFactory(record: ConversationRecord): unknown {
  const turns = [...record.conversations];
  const row: Record<string, unknown> = {};
  // Only a leading system turn has a place (the "system" field); later ones stay system turns.
  if (turns[0]?.from === "system") row.system = turns.shift()!.value;
  row.conversations = turns.map((turn) => {
    if (turn.from === "gpt") {
      const { content, calls } = decodeToolCalls(turn.value);
      if (calls.length > 0 && content === "") {
        const plain = calls.map((call) => ({ name: call.name, arguments: call.arguments }));
        return { from: "function_call", value: JSON.stringify(plain.length === 1 ? plain[0] : plain) };
      }
      return { from: "gpt", value: turn.value };
    }
    if (turn.from === "human") {
      const response = decodeToolResponse(turn.value);
      return response
        ? { from: "observation", value: response.content }
        : { from: "human", value: turn.value };
    }
    return { from: "system", value: turn.value };
  });
  const tools = record.meta?.tools;
  if (tools !== undefined) row.tools = typeof tools === "string" ? tools : JSON.stringify(tools);
  return row;
}
