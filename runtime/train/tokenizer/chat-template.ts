import { Template } from "@huggingface/jinja";

export type ChatRole = "system" | "user" | "assistant";

export interface ChatMessage {
  role: ChatRole;
  content: string;
}

export interface RenderOptions {
  addGenerationPrompt?: boolean;
  bosToken?: string;
  eosToken?: string;
  /** Further variables some templates read (e.g. `tools`, `date_string`). */
  variables?: Record<string, unknown>;
}

/**
 * A parsed Jinja chat template (the `chat_template` of `tokenizer_config.json`), rendered with
 * `@huggingface/jinja` exactly as transformers' `apply_chat_template(tokenize=False)` would.
 */
export class ChatTemplate {
  private readonly template: Template;

  /** `source` names where the template came from, for error messages. */
  constructor(
    readonly text: string,
    readonly source = "chat template",
  ) {
    try {
      this.template = new Template(text);
    } catch (error) {
      throw new Error(`${source}: the chat template does not parse as Jinja (${(error as Error).message}).`);
    }
  }

  render(messages: readonly ChatMessage[], options: RenderOptions = {}): string {
    try {
      return this.template.render({
        ...options.variables,
        messages: messages.map((message) => ({ role: message.role, content: message.content })),
        add_generation_prompt: options.addGenerationPrompt ?? false,
        bos_token: options.bosToken ?? "",
        eos_token: options.eosToken ?? "",
      });
    } catch (error) {
      throw new Error(`${this.source}: rendering the chat template failed: ${(error as Error).message}`);
    }
  }
}
