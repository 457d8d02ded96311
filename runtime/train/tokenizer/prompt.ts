import type { ChatMessage, ChatTemplate } from "./chat-template.ts";
import type { TextTokenizer } from "./types.ts";

/** Token ids of a conversation ready for the assistant's reply (the template's generation prompt). */
export function encodeChatPrompt(
  tokenizer: TextTokenizer,
  template: ChatTemplate,
  messages: readonly ChatMessage[],
): number[] {
  const text = template.render(messages, {
    addGenerationPrompt: true,
    bosToken: tokenizer.bosToken,
    eosToken: tokenizer.eosToken,
  });
  return tokenizer.encode(text);
}
