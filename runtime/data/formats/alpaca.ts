import { type ConversationRecord, RecordError, type Turn } from "../record.ts";
import { isObject, type RecordFormat, type RowContext, UnwritableRecordError } from "./format.ts";

/**
 * Alpaca instruction rows: {"instruction", "input"?, "output", "system"?, "history"?: [[q, a], …]}.
 * The human turn is the instruction, followed by the input on a new line when there is one (as
 * LLaMA-Factory joins them); `history` holds earlier exchanges. Writing puts the last exchange
 * in instruction/output, earlier ones in history, and leaves input empty.
 */
export const alpaca: RecordFormat = {
  name: "alpaca",
  summary: "Alpaca: instruction, input?, output, system?, history?",
  matches: (row) => isObject(row) && typeof row.instruction === "string" && typeof row.output === "string",
  read: readAlpaca,
  write: writeAlpaca,
};

function readAlpaca(row: unknown, where: RowContext): ConversationRecord {
  const fail = (problem: string): never => {
    throw new RecordError(where.file, where.position, problem);
  };
  if (!isObject(row)) return fail('expected {"instruction": "…", "output": "…"}');
  const text = (key: string, required: boolean): string => {
    const value = row[key];
    if (value === undefined || value === null) return required ? fail(`missing "${key}" (a string)`) : "";
    return typeof value === "string" ? value : fail(`"${key}" must be a string`);
  };
  const [instruction, input, output, system] = [
    text("instruction", true),
    text("input", false),
    text("output", true),
    text("system", false),
  ];
  const turns: Turn[] = system === "" ? [] : [{ from: "system", value: system, loss: null }];
  const history = row.history ?? [];
  if (!Array.isArray(history)) fail('"history" must be a list of [question, answer] pairs');
  (history as unknown[]).forEach((pair, i) => {
    const [question, answer] = Array.isArray(pair) && pair.length === 2 ? pair : [];
    if (typeof question !== "string" || typeof answer !== "string") {
      fail(`history[${i}] must be a [question, answer] pair of strings`);
    }
    turns.push({ from: "human", value: question, loss: null }, { from: "gpt", value: answer, loss: null });
  });
  turns.push(
    { from: "human", value: input === "" ? instruction : `${instruction}\n${input}`, loss: null },
    { from: "gpt", value: output, loss: null },
  );
  return { id: typeof row.id === "string" ? row.id : where.fallbackId, conversations: turns };
}

function writeAlpaca(record: ConversationRecord): unknown {
  const turns = [...record.conversations];
  const system = turns[0]?.from === "system" ? turns.shift()!.value : "";
  const pairs: Array<[string, string]> = [];
  for (let i = 0; i < turns.length; i += 2) {
    const [question, answer] = [turns[i], turns[i + 1]];
    if (question.from !== "human" || answer?.from !== "gpt") {
      throw new UnwritableRecordError(
        `record "${record.id}" is not alternating human/gpt exchanges after one optional system turn, ` +
          "which is all an Alpaca row holds; write it as agentinstruct or sharegpt",
      );
    }
    pairs.push([question.value, answer.value]);
  }
  const [instruction, output] = pairs.pop() ?? ["", ""];
  const row: Record<string, unknown> = { instruction, input: "", output };
  if (system !== "") row.system = system;
  if (pairs.length > 0) row.history = pairs;
  return row;
}
