import { type ConversationRecord, RecordError, type Turn } from "../record.ts";
import { isObject, type RecordFormat, type RowContext } from "./format.ts";
import {
  argumentsFromString,
  argumentsToString,
  decodeToolCalls,
  decodeToolResponse,
  encodeToolCalls,
  encodeToolResponse,
  type ToolCall,
} from "./toolcalls.ts";

/**
 * OpenAI chat fine-tuning JSONL: {"messages": [{role, content, tool_calls?, tool_call_id?, weight?}],
 * "tools"?: […]}. Roles system/developer, user, assistant and tool. `weight` 0/1 is the loss flag
 * (false/true); tool calls and tool results travel as text blocks (see toolcalls.ts); `tools` is
 * kept in meta.tools. The format has no ids: rows get the file name and line.
 */
export const openAi: RecordFormat = {
  name: "openai",
  summary: "OpenAI chat messages: messages[{role, content, tool_calls?, tool_call_id?, weight?}], tools?",
  matches: (row) =>
    isObject(row) && Array.isArray(row.messages) && row.messages.some((m) => isObject(m) && "role" in m),
  read: readOpenAi,
  write: writeOpenAi,
};

function readOpenAi(row: unknown, where: RowContext): ConversationRecord {
  const fail = (problem: string): never => {
    throw new RecordError(where.file, where.position, problem);
  };
  if (!isObject(row) || !Array.isArray(row.messages))
    return fail('expected {"messages": [{"role": …, "content": …}, …]}');
  if (row.messages.length === 0) fail('"messages" is empty');
  const turns = row.messages.map((raw, index): Turn => {
    const at = `messages[${index}]`;
    if (!isObject(raw)) return fail(`${at} is not an object`);
    const loss = lossOf(raw.weight, at, fail);
    const content = contentText(raw.content, at, fail);
    switch (raw.role) {
      case "system":
      case "developer":
        return { from: "system", value: content, loss };
      case "user":
        return { from: "human", value: content, loss };
      case "assistant":
        return { from: "gpt", value: encodeToolCalls(content, toolCallsOf(raw.tool_calls, at, fail)), loss };
      case "tool": {
        const id = raw.tool_call_id;
        if (id !== undefined && typeof id !== "string") fail(`${at}.tool_call_id must be a string`);
        return { from: "human", value: encodeToolResponse(content, id as string | undefined), loss };
      }
      default:
        return fail(`${at}.role is ${JSON.stringify(raw.role)}; expected system, user, assistant or tool`);
    }
  });
  const record: ConversationRecord = {
    id: typeof row.id === "string" ? row.id : where.fallbackId,
    conversations: turns,
  };
  if (row.tools !== undefined) record.meta = { tools: row.tools };
  return record;
}

function lossOf(weight: unknown, at: string, fail: (p: string) => never): boolean | null {
  if (weight === undefined || weight === null) return null;
  if (weight === 0 || weight === 1) return weight === 1;
  return fail(`${at}.weight is ${JSON.stringify(weight)}; expected 0 or 1`);
}

/** Text content: a string, null (assistant turns with only tool calls), or a list of text parts. */
function contentText(content: unknown, at: string, fail: (p: string) => never): string {
  if (typeof content === "string") return content;
  if (content === null || content === undefined) return "";
  if (Array.isArray(content)) {
    return content
      .map((part, i) => {
        if (isObject(part) && part.type === "text" && typeof part.text === "string") return part.text;
        return fail(
          `${at}.content[${i}] is not a text part; only {"type": "text", "text": …} parts are supported`,
        );
      })
      .join("");
  }
  return fail(`${at}.content must be a string`);
}

function toolCallsOf(raw: unknown, at: string, fail: (p: string) => never): ToolCall[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) return fail(`${at}.tool_calls must be a list`);
  return raw.map((call, i) => {
    const fn = isObject(call) ? call.function : undefined;
    if (!isObject(fn) || typeof fn.name !== "string") {
      return fail(`${at}.tool_calls[${i}] needs {"function": {"name": …, "arguments": …}}`);
    }
    const args = typeof fn.arguments === "string" ? argumentsFromString(fn.arguments) : (fn.arguments ?? {});
    const parsed: ToolCall = { name: fn.name, arguments: args };
    if (isObject(call) && typeof call.id === "string") parsed.id = call.id;
    return parsed;
  });
}

function writeOpenAi(record: ConversationRecord): unknown {
  // Calls without ids (e.g. from LLaMA-Factory files) get fresh ones, and the tool results that
  // follow are matched to them in order, as the API requires.
  const unanswered: string[] = [];
  let fresh = 0;
  const messages = record.conversations.map((turn) => {
    const message: Record<string, unknown> = {};
    if (turn.from === "system") Object.assign(message, { role: "system", content: turn.value });
    else if (turn.from === "human") {
      const response = decodeToolResponse(turn.value);
      if (response) {
        const id = response.id ?? unanswered.shift();
        Object.assign(message, {
          role: "tool",
          ...(id === undefined ? {} : { tool_call_id: id }),
          content: response.content,
        });
      } else Object.assign(message, { role: "user", content: turn.value });
    } else {
      const { content, calls } = decodeToolCalls(turn.value);
      Object.assign(message, {
        role: "assistant",
        content: calls.length > 0 && content === "" ? null : content,
      });
      if (calls.length > 0) {
        message.tool_calls = calls.map((call) => {
          const id = call.id ?? `call_${fresh++}`;
          if (call.id === undefined) unanswered.push(id);
          return {
            id,
            type: "function",
            function: { name: call.name, arguments: argumentsToString(call.arguments) },
          };
        });
      }
    }
    if (turn.loss !== null) message.weight = turn.loss ? 1 : 0;
    return message;
  });
  const row: Record<string, unknown> = { messages };
  if (record.meta?.tools !== undefined) row.tools = record.meta.tools;
  return row;
}
