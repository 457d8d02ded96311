/**
 * Tool calls in plain turn text. A ConversationRecord turn is only text, so a structured tool
 * call (OpenAI `tool_calls`, LLaMA-Factory `function_call`) is written into the gpt turn as
 * Hermes-style blocks, and a tool result (OpenAI `tool`, LLaMA-Factory `observation`) becomes a
 * human turn wrapped in <tool_response>. The model trains on exactly this text, and the writers
 * turn it back into structure, so a conversion round trip keeps the calls.
 *
 *   I'll look it up.
 *   <tool_call>
 *   {"id":"call_1","name":"search","arguments":{"q":"oslo"}}
 *   </tool_call>
 */

export interface ToolCall {
  id?: string;
  name: string;
  /** A JSON object, or the raw string when the source's arguments were not a JSON object. */
  arguments: unknown;
}

const callBlock = /<tool_call>\n([\s\S]*?)\n<\/tool_call>/g;

export function encodeToolCalls(content: string, calls: readonly ToolCall[]): string {
  // JSON.stringify leaves out an undefined id.
  const blocks = calls.map(
    (call) =>
      `<tool_call>\n${JSON.stringify({ id: call.id, name: call.name, arguments: call.arguments })}\n</tool_call>`,
  );
  if (blocks.length === 0) return content;
  return content === "" ? blocks.join("\n") : `${content}\n${blocks.join("\n")}`;
}

/** Splits a gpt turn into its text and trailing tool-call blocks (none when it has no well-formed ones). */
export function decodeToolCalls(text: string): { content: string; calls: ToolCall[] } {
  const first = text.indexOf("<tool_call>\n");
  if (first < 0) return { content: text, calls: [] };
  const tail = text.slice(first);
  const calls: ToolCall[] = [];
  let consumed = 0;
  for (const match of tail.matchAll(callBlock)) {
    // Blocks must follow each other directly (one newline apart) up to the end of the turn.
    const gap = tail.slice(consumed, match.index);
    if (gap !== (calls.length === 0 ? "" : "\n")) return { content: text, calls: [] };
    const call = parseCall(match[1]);
    if (!call) return { content: text, calls: [] };
    calls.push(call);
    consumed = match.index + match[0].length;
  }
  if (calls.length === 0 || consumed !== tail.length) return { content: text, calls: [] };
  const before = text.slice(0, first);
  return { content: before.endsWith("\n") ? before.slice(0, -1) : before, calls };
}

function parseCall(json: string): ToolCall | undefined {
  try {
    const value = JSON.parse(json);
    if (typeof value !== "object" || value === null || typeof value.name !== "string") return undefined;
    const call: ToolCall = { name: value.name, arguments: value.arguments ?? {} };
    if (typeof value.id === "string") call.id = value.id;
    return call;
  } catch {
    return undefined;
  }
}

export function encodeToolResponse(content: string, id?: string): string {
  const open = id === undefined ? "<tool_response>" : `<tool_response id=${JSON.stringify(id)}>`;
  return `${open}\n${content}\n</tool_response>`;
}

const responseTurn = /^<tool_response(?: id=("(?:[^"\\]|\\.)*"))?>\n([\s\S]*)\n<\/tool_response>$/;

/** The tool result a human turn carries, or undefined when the turn is ordinary text. */
export function decodeToolResponse(text: string): { content: string; id?: string } | undefined {
  const match = responseTurn.exec(text);
  if (!match) return undefined;
  return match[1] === undefined ? { content: match[2] } : { content: match[2], id: JSON.parse(match[1]) };
}

/** Tool-call arguments as stored: a JSON object when the source string holds one, else the string. */
export function argumentsFromString(raw: string): unknown {
  try {
    const value = JSON.parse(raw);
    return typeof value === "object" && value !== null && !Array.isArray(value) ? value : raw;
  } catch {
    return raw;
  }
}

export function argumentsToString(value: unknown): string {
  return typeof value === "string" ? value : JSON.stringify(value);
}
