import type { ChatMessage, ChatRole, ChatTemplate } from "./chat-template.ts";
import type { TextTokenizer } from "./types.ts";

/** One turn of an AgentInstruct / FastChat record. */
export interface ConversationTurn {
  from: string;
  value: string;
  /** true: train on this turn; false: never; null/absent: the default for its role (gpt only). */
  loss?: boolean | null;
}

export interface ConversationRecord {
  id: string;
  conversations: ConversationTurn[];
}

/**
 * `assistant_only`: train on every gpt turn. `loss_flags`: train on turns whose `loss` is true, with
 * null/absent meaning the role's default (gpt: yes, others: no) — the AgentInstruct convention.
 */
/** `all` trains on every token, template markers included (pretraining on plain conversations). */
export type LossMode = "assistant_only" | "loss_flags" | "all";

export interface EncodeConversationOptions {
  tokenizer: TextTokenizer;
  template: ChatTemplate;
  /** The text that closes a turn in this template (`<|eos|>`, `<|im_end|>`, `<|eot_id|>`); it is trained. */
  endOfTurn: string;
  mode: LossMode;
  /** Keep at most this many tokens (the head of the conversation). */
  maxLength?: number;
}

export interface EncodedConversation {
  ids: number[];
  /** 1 where the token is a training target (an assistant's content or its end-of-turn), else 0. */
  mask: Uint8Array;
  /** Tokens cut off the end by `maxLength`. */
  droppedTokens: number;
}

const ROLES: Record<string, ChatRole> = { human: "user", gpt: "assistant", system: "system" };

/**
 * Renders a conversation with the chat template and tokenizes it, marking the tokens to train on.
 * Each turn's text is the difference between rendering the first k+1 and the first k messages; a
 * trained turn is split into [header][content + end-of-turn][rest], each piece tokenized on its own
 * so the mask boundaries fall exactly on token boundaries.
 */
export function encodeConversation(
  record: ConversationRecord,
  options: EncodeConversationOptions,
): EncodedConversation {
  const where = `conversation '${record.id}'`;
  const messages: ChatMessage[] = record.conversations.map((turn, index) => {
    const role = ROLES[turn.from];
    if (!role) {
      throw new Error(`${where}, turn ${index}: 'from' is '${turn.from}'; expected human, gpt or system.`);
    }
    if (typeof turn.value !== "string") {
      throw new Error(`${where}, turn ${index}: 'value' must be a string.`);
    }
    return { role, content: turn.value };
  });

  const ids: number[] = [];
  const mask: number[] = [];
  const append = (text: string, trained: boolean) => {
    if (text.length === 0) return;
    for (const id of options.tokenizer.encode(text)) {
      ids.push(id);
      mask.push(trained ? 1 : 0);
    }
  };
  const render = (count: number) =>
    options.template.render(messages.slice(0, count), {
      bosToken: options.tokenizer.bosToken,
      eosToken: options.tokenizer.eosToken,
    });

  let previous = "";
  for (let index = 0; index < messages.length; index++) {
    const rendered = render(index + 1);
    if (!rendered.startsWith(previous)) {
      throw new Error(
        `${where}, turn ${index}: the chat template renders earlier turns differently once this turn is added, so turns cannot be masked separately.`,
      );
    }
    const segment = rendered.slice(previous.length);
    previous = rendered;
    if (options.mode === "all") {
      append(segment, true);
      continue;
    }
    if (!isTrained(record.conversations[index], options.mode)) {
      append(segment, false);
      continue;
    }
    const [head, body, tail] = splitTrainedTurn(
      segment,
      messages[index].content,
      options.endOfTurn,
      () => `${where}, turn ${index}`,
    );
    append(head, false);
    append(body, true);
    append(tail, false);
  }

  const limit = options.maxLength ?? ids.length;
  const kept = Math.min(limit, ids.length);
  return {
    ids: ids.slice(0, kept),
    mask: Uint8Array.from(mask.slice(0, kept)),
    droppedTokens: ids.length - kept,
  };
}

function isTrained(turn: ConversationTurn, mode: LossMode): boolean {
  const isAssistant = turn.from === "gpt";
  if (mode === "assistant_only") return isAssistant;
  return turn.loss === true || ((turn.loss === null || turn.loss === undefined) && isAssistant);
}

/** Splits a rendered turn into [before the content][content + end-of-turn][after]. */
function splitTrainedTurn(
  segment: string,
  content: string,
  endOfTurn: string,
  where: () => string,
): [string, string, string] {
  const end = segment.lastIndexOf(endOfTurn);
  if (end < 0) {
    throw new Error(
      `${where()}: the rendered turn has no end-of-turn marker '${endOfTurn}'; set endOfTurn to the text the template closes turns with.`,
    );
  }
  // Templates may trim the content (Llama 3 does); accept the forms a template commonly renders.
  for (const form of [content, content.trim(), content.trimEnd(), content.trimStart()]) {
    if (segment.slice(end - form.length, end) === form) {
      const start = end - form.length;
      const stop = end + endOfTurn.length;
      return [segment.slice(0, start), segment.slice(start, stop), segment.slice(stop)];
    }
  }
  throw new Error(
    `${where()}: cannot find the turn's content right before '${endOfTurn}' in the rendered template; the template changes the content in a way masking does not follow.`,
  );
}
