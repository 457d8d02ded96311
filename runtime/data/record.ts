/**
 * The training record format: the public AgentInstruct dataset's FastChat style.
 *
 *   {"id": "os_0", "conversations": [{"from": "human", "value": "…", "loss": null}, …]}
 *
 * The gpt turns of a prepended 1-shot example carry `loss: false`; only turns with `loss: true`
 * (or, with `loss: null`, the role default) are trained on. Extra top-level fields (`meta`) carry
 * what the pipeline knows about the record: family, reward, finish reason, teacher.
 */

export type Speaker = "system" | "human" | "gpt";

export interface Turn {
  from: Speaker;
  value: string;
  /** true: train on it; false: never; null: the role default (gpt turns yes, others no). */
  loss: boolean | null;
}

export interface ConversationRecord {
  id: string;
  conversations: Turn[];
  meta?: RecordMeta;
}

export interface RecordMeta {
  family?: string;
  split?: string;
  taskId?: string;
  reward?: number;
  success?: boolean;
  finishReason?: string;
  turns?: number;
  generator?: string;
  /** How many leading turns are the shared prompt (instructions, k-shot examples), not the episode. */
  promptTurns?: number;
  [key: string]: unknown;
}

/** A data-file problem, located by file and line so the user can fix it. */
export class RecordError extends Error {
  constructor(
    readonly file: string,
    readonly line: number,
    readonly problem: string,
  ) {
    super(`${file}:${line}: ${problem}`);
  }
}

const speakers = new Set<string>(["system", "human", "gpt"]);
// Common aliases in ShareGPT-style files.
const speakerAliases: Record<string, Speaker> = {
  user: "human",
  assistant: "gpt",
  chatgpt: "gpt",
  bing: "gpt",
};

/** Validates one parsed JSON value as a record; throws a RecordError that names the bad field. */
export function toRecord(value: unknown, file: string, line: number): ConversationRecord {
  const fail = (problem: string): never => {
    throw new RecordError(file, line, problem);
  };
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    fail('expected a JSON object like {"id": "…", "conversations": […]}');
  }
  const obj = value as Record<string, unknown>;
  const id = obj.id;
  if (typeof id !== "string" && typeof id !== "number") fail('missing "id" (a string)');
  const conversations = obj.conversations ?? obj.messages;
  if (!Array.isArray(conversations)) fail('missing "conversations" (a list of {"from", "value"} turns)');
  const turns = (conversations as unknown[]).map((raw, index): Turn => {
    const where = `conversations[${index}]`;
    if (typeof raw !== "object" || raw === null) return fail(`${where} is not an object`);
    const turn = raw as Record<string, unknown>;
    const rawFrom = turn.from ?? turn.role;
    if (typeof rawFrom !== "string") return fail(`${where} has no "from" (human, gpt or system)`);
    const from = speakers.has(rawFrom) ? (rawFrom as Speaker) : speakerAliases[rawFrom];
    if (!from) return fail(`${where}.from is "${rawFrom}"; expected human, gpt or system`);
    const text = turn.value ?? turn.content;
    if (typeof text !== "string") return fail(`${where} has no "value" string`);
    const loss = turn.loss ?? null;
    if (loss !== null && typeof loss !== "boolean") return fail(`${where}.loss must be true, false or null`);
    return { from, value: text, loss };
  });
  if (turns.length === 0) fail('"conversations" is empty');
  const record: ConversationRecord = { id: String(id), conversations: turns };
  if (obj.meta !== undefined) record.meta = obj.meta as RecordMeta;
  return record;
}

/** Whether a turn is trained on, resolving `loss: null` to the role default. */
export function isTrainedOn(turn: Turn): boolean {
  return turn.loss ?? turn.from === "gpt";
}
