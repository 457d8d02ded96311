import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { Tokenizer } from "@huggingface/tokenizers";
import { ModelFileError } from "../io/errors.ts";
import type { TextTokenizer } from "./types.ts";

type Json = Record<string, unknown>;

/**
 * A Hugging Face `tokenizer.json` (BPE, WordPiece, Unigram — whatever tokenizers.js supports),
 * with the special tokens and chat template of the `tokenizer_config.json` beside it.
 */
export class HfTokenizer implements TextTokenizer {
  readonly vocabSize: number;
  readonly bosToken: string | undefined;
  readonly eosToken: string | undefined;
  readonly padToken: string | undefined;
  readonly bosId: number | undefined;
  readonly eosId: number | undefined;
  readonly padId: number | undefined;
  /** The `chat_template` of tokenizer_config.json, if it has one. */
  readonly chatTemplate: string | undefined;
  private readonly tokenizer: Tokenizer;

  constructor(tokenizerJson: Json, tokenizerConfig: Json, source = "tokenizer.json") {
    try {
      this.tokenizer = new Tokenizer(tokenizerJson, tokenizerConfig);
    } catch (error) {
      throw new ModelFileError(source, `cannot build the tokenizer (${(error as Error).message}).`);
    }
    let largestId = -1;
    for (const id of this.tokenizer.get_vocab(true).values()) largestId = Math.max(largestId, id);
    this.vocabSize = largestId + 1;
    this.bosToken = tokenString(tokenizerConfig.bos_token);
    this.eosToken = tokenString(tokenizerConfig.eos_token);
    this.padToken = tokenString(tokenizerConfig.pad_token);
    this.bosId = this.idOf(this.bosToken);
    this.eosId = this.idOf(this.eosToken);
    this.padId = this.idOf(this.padToken);
    this.chatTemplate = chatTemplateOf(tokenizerConfig.chat_template);
  }

  encode(text: string): number[] {
    return this.tokenizer.encode(text, { add_special_tokens: false }).ids;
  }

  decode(ids: readonly number[], options: { skipSpecial?: boolean } = {}): string {
    // tokenizers.js rejects an empty id list; nothing decodes to the empty string.
    if (ids.length === 0) return "";
    return this.tokenizer.decode([...ids], {
      skip_special_tokens: options.skipSpecial ?? false,
      clean_up_tokenization_spaces: false,
    });
  }

  tokenToId(token: string): number | undefined {
    return this.tokenizer.token_to_id(token);
  }

  private idOf(token: string | undefined): number | undefined {
    return token === undefined ? undefined : this.tokenizer.token_to_id(token);
  }
}

/** Loads `tokenizer.json` (required) and `tokenizer_config.json` (optional) from `dir`. */
export function loadHfTokenizer(dir: string): HfTokenizer {
  const tokenizerFile = join(dir, "tokenizer.json");
  if (!existsSync(tokenizerFile)) {
    throw new ModelFileError(
      tokenizerFile,
      "not found; a Hugging Face model directory must hold tokenizer.json (the fast-tokenizer file).",
    );
  }
  const configFile = join(dir, "tokenizer_config.json");
  const config = existsSync(configFile) ? readJson(configFile) : {};
  return new HfTokenizer(readJson(tokenizerFile), config, tokenizerFile);
}

function readJson(file: string): Json {
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(file, "utf8"));
  } catch (error) {
    throw new ModelFileError(file, `is not valid JSON (${(error as Error).message}).`);
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new ModelFileError(file, "must hold a JSON object.");
  }
  return value as Json;
}

/** Special tokens appear as a string or as an AddedToken object `{content, ...}`. */
function tokenString(value: unknown): string | undefined {
  if (typeof value === "string") return value;
  if (typeof value === "object" && value !== null && typeof (value as Json).content === "string") {
    return (value as Json).content as string;
  }
  return undefined;
}

/** `chat_template` is a string, or a list of `{name, template}` where `default` is the chat one. */
function chatTemplateOf(value: unknown): string | undefined {
  if (typeof value === "string") return value;
  if (Array.isArray(value)) {
    const named = value.find((entry) => entry?.name === "default") ?? value[0];
    if (typeof named?.template === "string") return named.template;
  }
  return undefined;
}
