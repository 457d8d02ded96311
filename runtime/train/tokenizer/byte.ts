import type { TextTokenizer } from "./types.ts";

/** Special tokens of the built-in byte tokenizer, after the 256 byte ids. */
export const BYTE_SPECIAL_TOKENS = [
  "<|bos|>",
  "<|eos|>",
  "<|pad|>",
  "<|system|>",
  "<|user|>",
  "<|assistant|>",
] as const;

export const BYTE_SPECIAL_IDS = { bos: 256, eos: 257, pad: 258, system: 259, user: 260, assistant: 261 };

export const BYTE_VOCAB_SIZE = 256 + BYTE_SPECIAL_TOKENS.length;

/**
 * The built-in models' chat template: `<|bos|>` once, then `<|role|>content<|eos|>` per message;
 * `<|eos|>` ends every turn, so the assistant learns to stop. Written as Jinja so the same renderer
 * (and Hugging Face's `apply_chat_template`) handles it.
 */
export const BYTE_CHAT_TEMPLATE =
  "{{ bos_token }}{% for message in messages %}" +
  "{% if message['role'] not in ['system', 'user', 'assistant'] %}" +
  "{{ raise_exception('unsupported role ' + message['role'] + '; use system, user or assistant') }}" +
  "{% endif %}" +
  "{{ '<|' + message['role'] + '|>' + message['content'] + eos_token }}" +
  "{% endfor %}{% if add_generation_prompt %}{{ '<|assistant|>' }}{% endif %}";

const SPECIAL_PATTERN = new RegExp(
  BYTE_SPECIAL_TOKENS.map((token) => token.replace(/[|]/g, "\\|")).join("|"),
  "g",
);

/** UTF-8 bytes as ids 0–255, plus the special tokens. Every string round-trips. */
export class ByteTokenizer implements TextTokenizer {
  readonly vocabSize = BYTE_VOCAB_SIZE;
  readonly bosToken = "<|bos|>";
  readonly eosToken = "<|eos|>";
  readonly padToken = "<|pad|>";
  readonly bosId = BYTE_SPECIAL_IDS.bos;
  readonly eosId = BYTE_SPECIAL_IDS.eos;
  readonly padId = BYTE_SPECIAL_IDS.pad;
  readonly chatTemplate = BYTE_CHAT_TEMPLATE;
  private readonly encoder = new TextEncoder();

  encode(text: string): number[] {
    const ids: number[] = [];
    let start = 0;
    for (const match of text.matchAll(SPECIAL_PATTERN)) {
      for (const byte of this.encoder.encode(text.slice(start, match.index))) ids.push(byte);
      ids.push(256 + BYTE_SPECIAL_TOKENS.indexOf(match[0] as (typeof BYTE_SPECIAL_TOKENS)[number]));
      start = match.index + match[0].length;
    }
    for (const byte of this.encoder.encode(text.slice(start))) ids.push(byte);
    return ids;
  }

  decode(ids: readonly number[], options: { skipSpecial?: boolean } = {}): string {
    // Bytes are decoded in runs so multi-byte characters survive; invalid UTF-8 (possible in
    // sampled output) becomes U+FFFD rather than an error.
    const decoder = new TextDecoder("utf-8", { fatal: false, ignoreBOM: true });
    let text = "";
    let run: number[] = [];
    const flush = () => {
      if (run.length > 0) text += decoder.decode(Uint8Array.from(run));
      run = [];
    };
    for (const id of ids) {
      if (!Number.isInteger(id) || id < 0 || id >= BYTE_VOCAB_SIZE) {
        throw new RangeError(
          `token id ${id} is outside the byte tokenizer's vocabulary (0–${BYTE_VOCAB_SIZE - 1})`,
        );
      }
      if (id < 256) {
        run.push(id);
        continue;
      }
      flush();
      if (!options.skipSpecial) text += BYTE_SPECIAL_TOKENS[id - 256];
    }
    flush();
    return text;
  }

  tokenToId(token: string): number | undefined {
    const special = BYTE_SPECIAL_TOKENS.indexOf(token as (typeof BYTE_SPECIAL_TOKENS)[number]);
    if (special >= 0) return 256 + special;
    const bytes = this.encoder.encode(token);
    return bytes.length === 1 ? bytes[0] : undefined;
  }
}

/**
 * GPT-2's byte → printable-character table: byte-level BPE vocabularies (and so tokenizer.json)
 * spell bytes with these characters.
 */
export function byteLevelAlphabet(): string[] {
  const printable = (byte: number) =>
    (byte >= 33 && byte <= 126) || (byte >= 161 && byte <= 172) || byte >= 174;
  const alphabet: string[] = [];
  let shifted = 0;
  for (let byte = 0; byte < 256; byte++) {
    alphabet.push(String.fromCharCode(printable(byte) ? byte : 256 + shifted++));
  }
  return alphabet;
}

/**
 * The byte tokenizer as Hugging Face files: a byte-level BPE `tokenizer.json` (ids 0–255 are the
 * bytes) and the specials as added tokens, plus a `tokenizer_config.json` with the special tokens
 * and the chat template. Saved beside a built-in model's weights, they make the checkpoint usable
 * by transformers and tokenizers.js alike. With no merges every byte is its own token; with
 * `merges` (trainBpeMerges) each new merged token takes the next id after the specials, and text is
 * first split by GPT-2's pattern, as the merges were learned.
 */
export function byteTokenizerFiles(merges: ReadonlyArray<readonly [string, string]> = []): {
  "tokenizer.json": object;
  "tokenizer_config.json": object;
} {
  const vocab: Record<string, number> = {};
  byteLevelAlphabet().forEach((char, byte) => {
    vocab[char] = byte;
  });
  // Two merges can spell the same token ("ab"+"c", "a"+"bc"); it gets one id.
  let nextId = BYTE_VOCAB_SIZE;
  for (const [left, right] of merges) vocab[left + right] ??= nextId++;
  const byteLevel = {
    type: "ByteLevel",
    add_prefix_space: false,
    trim_offsets: false,
    use_regex: merges.length > 0,
  };
  const addedTokens = BYTE_SPECIAL_TOKENS.map((content, index) => ({
    id: 256 + index,
    content,
    single_word: false,
    lstrip: false,
    rstrip: false,
    normalized: false,
    special: true,
  }));
  return {
    "tokenizer.json": {
      version: "1.0",
      truncation: null,
      padding: null,
      added_tokens: addedTokens,
      normalizer: null,
      pre_tokenizer: byteLevel,
      post_processor: null,
      decoder: byteLevel,
      model: {
        type: "BPE",
        dropout: null,
        unk_token: null,
        continuing_subword_prefix: null,
        end_of_word_suffix: null,
        fuse_unk: false,
        byte_fallback: false,
        ignore_merges: false,
        vocab,
        merges: merges.map(([left, right]) => `${left} ${right}`),
      },
    },
    "tokenizer_config.json": {
      tokenizer_class: "PreTrainedTokenizerFast",
      bos_token: "<|bos|>",
      eos_token: "<|eos|>",
      pad_token: "<|pad|>",
      add_bos_token: false,
      add_eos_token: false,
      clean_up_tokenization_spaces: false,
      model_max_length: 512,
      chat_template: BYTE_CHAT_TEMPLATE,
      added_tokens_decoder: Object.fromEntries(addedTokens.map(({ id, ...token }) => [String(id), token])),
    },
  };
}
