/**
 * Parsing a ReAct reply: "Thought: …" then "Action: …". The thought is optional (a reply that is
 * only an action is still usable); a reply with no action is an invalid-format turn.
 */

export interface ParsedReply {
  thought: string;
  action: string;
}

export type ParseResult = { ok: true; reply: ParsedReply } | { ok: false; problem: string };

const actionLabel = /^\s*action\s*:\s*/im;
const thoughtLabel = /^\s*thought\s*:\s*/im;

export function parseReAct(text: string): ParseResult {
  const actionMatch = actionLabel.exec(text);
  if (!actionMatch) {
    return { ok: false, problem: 'no "Action:" line' };
  }
  const action = text
    .slice(actionMatch.index + actionMatch[0].length)
    .trim()
    // Only the first line of the action counts, unless it is a JSON object (function calls).
    .split(/\n(?=\s*(?:thought|observation)\s*:)/i)[0]
    .trim();
  if (action === "") return { ok: false, problem: 'the "Action:" line is empty' };
  const before = text.slice(0, actionMatch.index);
  const thoughtMatch = thoughtLabel.exec(before);
  const thought = (thoughtMatch ? before.slice(thoughtMatch.index + thoughtMatch[0].length) : before).trim();
  return { ok: true, reply: { thought, action } };
}

export function formatReAct(reply: ParsedReply): string {
  return reply.thought ? `Thought: ${reply.thought}\nAction: ${reply.action}` : `Action: ${reply.action}`;
}
