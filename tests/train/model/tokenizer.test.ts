import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  BYTE_CHAT_TEMPLATE,
  BYTE_VOCAB_SIZE,
  ByteTokenizer,
  byteTokenizerFiles,
} from "../../../runtime/train/tokenizer/byte.ts";
import { ChatTemplate } from "../../../runtime/train/tokenizer/chat-template.ts";
import { HfTokenizer, loadHfTokenizer } from "../../../runtime/train/tokenizer/hf.ts";
import { type ConversationRecord, encodeConversation } from "../../../runtime/train/tokenizer/loss-mask.ts";

const CHATML_TEMPLATE =
  "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n'}}{% endfor %}" +
  "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";

const LLAMA3_TEMPLATE =
  "{% set loop_messages = messages %}{% for message in loop_messages %}" +
  "{% set content = '<|start_header_id|>' + message['role'] + '<|end_header_id|>\\n\\n'+ message['content'] | trim + '<|eot_id|>' %}" +
  "{% if loop.index0 == 0 %}{% set content = bos_token + content %}{% endif %}{{ content }}{% endfor %}" +
  "{% if add_generation_prompt %}{{ '<|start_header_id|>assistant<|end_header_id|>\\n\\n' }}{% endif %}";

/** GPT-2's byte → printable character table, which byte-level BPE vocabularies are written in. */
function bytesToUnicode(): string[] {
  const printable: number[] = [];
  for (let b = 33; b <= 126; b++) printable.push(b);
  for (let b = 161; b <= 172; b++) printable.push(b);
  for (let b = 174; b <= 255; b++) printable.push(b);
  const table: string[] = [];
  let extra = 0;
  for (let b = 0; b < 256; b++) table[b] = String.fromCharCode(printable.includes(b) ? b : 256 + extra++);
  return table;
}

/** A tiny byte-level BPE tokenizer.json with a handful of merges and ChatML special tokens. */
function writeTinyHfTokenizer(): string {
  const dir = mkdtempSync(join(tmpdir(), "atune-tok-"));
  const vocab: Record<string, number> = {};
  bytesToUnicode().forEach((char, id) => {
    vocab[char] = id;
  });
  const merges = ["h e", "l l", "he ll", "hell o", "Ġ w", "o r", "Ġw or", "l d", "Ġwor ld"];
  for (const merge of merges) vocab[merge.replace(" ", "")] = Object.keys(vocab).length;
  const special = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"];
  const added = special.map((content, i) => ({
    id: 256 + merges.length + i,
    content,
    single_word: false,
    lstrip: false,
    rstrip: false,
    normalized: false,
    special: true,
  }));
  const byteLevel = { type: "ByteLevel", add_prefix_space: false, trim_offsets: true, use_regex: true };
  const tokenizerJson = {
    version: "1.0",
    truncation: null,
    padding: null,
    added_tokens: added,
    normalizer: null,
    pre_tokenizer: byteLevel,
    post_processor: byteLevel,
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
      merges,
    },
  };
  writeFileSync(join(dir, "tokenizer.json"), JSON.stringify(tokenizerJson));
  writeFileSync(
    join(dir, "tokenizer_config.json"),
    JSON.stringify({
      bos_token: null,
      eos_token: { content: "<|im_end|>", special: true },
      pad_token: "<|endoftext|>",
      chat_template: CHATML_TEMPLATE,
    }),
  );
  return dir;
}

/** Any Unicode text (no lone surrogates): ASCII, BMP and astral code points mixed. */
function unicodeText(maxLength: number) {
  const codePoint = fc.oneof(
    fc.integer({ min: 0, max: 0x7f }),
    fc.integer({ min: 0x80, max: 0xd7ff }),
    fc.integer({ min: 0xe000, max: 0x10ffff }),
  );
  return fc.array(codePoint, { maxLength }).map((points) => String.fromCodePoint(...points));
}

describe("byte tokenizer", () => {
  const tokenizer = new ByteTokenizer();

  it("round-trips arbitrary unicode", () => {
    fc.assert(
      fc.property(unicodeText(200), (text) => {
        const ids = tokenizer.encode(text);
        // Without special-token strings in the text, every id is a byte.
        return tokenizer.decode(ids) === text && (text.includes("<|") || ids.every((id) => id < 256));
      }),
      { numRuns: 300 },
    );
  });

  it("encodes UTF-8 bytes and special tokens", () => {
    expect(tokenizer.encode("é!")).toEqual([0xc3, 0xa9, 0x21]);
    expect(tokenizer.encode("<|bos|>a<|eos|>")).toEqual([256, 97, 257]);
    expect(tokenizer.decode([256, 97, 257], { skipSpecial: true })).toBe("a");
    expect(tokenizer.decode([0xe2, 0x82])).toBe("\ufffd");
    expect(tokenizer.tokenToId("<|assistant|>")).toBe(261);
    expect(tokenizer.tokenToId("a")).toBe(97);
    expect(() => tokenizer.decode([BYTE_VOCAB_SIZE])).toThrow(/outside the byte tokenizer's vocabulary/);
    expect([tokenizer.bosId, tokenizer.eosId, tokenizer.padId, tokenizer.vocabSize]).toEqual([
      256, 257, 258, 262,
    ]);
  });
});

describe("byte tokenizer as Hugging Face files", () => {
  it("tokenizer.json + tokenizer_config.json load in tokenizers.js and agree with the byte tokenizer", () => {
    const files = byteTokenizerFiles();
    const hf = new HfTokenizer(
      files["tokenizer.json"] as Record<string, unknown>,
      files["tokenizer_config.json"] as Record<string, unknown>,
    );
    const bytes = new ByteTokenizer();
    expect([hf.vocabSize, hf.bosId, hf.eosId, hf.padId]).toEqual([
      bytes.vocabSize,
      bytes.bosId,
      bytes.eosId,
      bytes.padId,
    ]);
    expect(hf.chatTemplate).toBe(BYTE_CHAT_TEMPLATE);
    const pieces = fc.oneof(unicodeText(12), fc.constantFrom("<|bos|>", "<|eos|>", "<|user|>"));
    fc.assert(
      fc.property(fc.array(pieces, { maxLength: 6 }), (parts) => {
        const text = parts.join("");
        const ids = hf.encode(text);
        return JSON.stringify(ids) === JSON.stringify(bytes.encode(text)) && hf.decode(ids) === text;
      }),
      { numRuns: 100 },
    );
  });
});

describe("Hugging Face tokenizer.json", () => {
  it("loads a BPE tokenizer.json and encodes/decodes with its merges and special tokens", () => {
    const tokenizer = loadHfTokenizer(writeTinyHfTokenizer());
    const ids = tokenizer.encode("hello world");
    expect(ids).toEqual([tokenizer.tokenToId("hello"), tokenizer.tokenToId("Ġworld")]);
    expect(tokenizer.decode(ids)).toBe("hello world");
    const chat = tokenizer.encode("<|im_start|>hi<|im_end|>");
    expect(chat).toEqual([266, 104, 105, 267]);
    expect(tokenizer.decode(chat, { skipSpecial: true })).toBe("hi");
    expect(tokenizer.decode(tokenizer.encode("ünïcode ✓"))).toBe("ünïcode ✓");
    expect(tokenizer.decode([])).toBe("");
    expect(tokenizer.eosToken).toBe("<|im_end|>");
    expect(tokenizer.eosId).toBe(267);
    expect(tokenizer.padId).toBe(265);
    expect(tokenizer.bosId).toBeUndefined();
    expect(tokenizer.vocabSize).toBe(268);
    expect(tokenizer.chatTemplate).toBe(CHATML_TEMPLATE);
  });

  it("explains a missing or broken tokenizer.json", () => {
    const empty = mkdtempSync(join(tmpdir(), "atune-tok-"));
    expect(() => loadHfTokenizer(empty)).toThrow(/tokenizer\.json: not found/);
    writeFileSync(join(empty, "tokenizer.json"), "{");
    expect(() => loadHfTokenizer(empty)).toThrow(/tokenizer\.json: is not valid JSON/);
  });
});

describe("chat templates", () => {
  const messages = [
    { role: "system" as const, content: "Be brief." },
    { role: "user" as const, content: "Hi" },
    { role: "assistant" as const, content: " Hello! " },
  ];

  it("renders a ChatML template", () => {
    const text = new ChatTemplate(CHATML_TEMPLATE).render(messages.slice(0, 2), {
      addGenerationPrompt: true,
    });
    expect(text).toBe(
      "<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n",
    );
  });

  it("renders a Llama-3 template with bos_token and trimming", () => {
    const text = new ChatTemplate(LLAMA3_TEMPLATE).render(messages, { bosToken: "<|begin_of_text|>" });
    expect(text).toBe(
      "<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\nBe brief.<|eot_id|>" +
        "<|start_header_id|>user<|end_header_id|>\n\nHi<|eot_id|>" +
        "<|start_header_id|>assistant<|end_header_id|>\n\nHello!<|eot_id|>",
    );
  });

  it("renders the built-in template and reports template errors", () => {
    const tokenizer = new ByteTokenizer();
    const template = new ChatTemplate(BYTE_CHAT_TEMPLATE, "built-in");
    expect(
      template.render(messages.slice(0, 2), {
        addGenerationPrompt: true,
        bosToken: tokenizer.bosToken,
        eosToken: tokenizer.eosToken,
      }),
    ).toBe("<|bos|><|system|>Be brief.<|eos|><|user|>Hi<|eos|><|assistant|>");
    expect(() => template.render([{ role: "tool" as never, content: "x" }])).toThrow(
      /built-in: .*unsupported role tool/,
    );
    expect(() => new ChatTemplate("{% for %}", "tokenizer_config.json")).toThrow(
      /tokenizer_config\.json: .*does not parse/,
    );
  });
});

describe("loss masks", () => {
  const tokenizer = new ByteTokenizer();
  const template = new ChatTemplate(BYTE_CHAT_TEMPLATE);
  const record: ConversationRecord = {
    id: "os_0",
    conversations: [
      { from: "system", value: "S" },
      { from: "human", value: "hi" },
      { from: "gpt", value: "ok", loss: false },
      { from: "human", value: "x", loss: true },
      { from: "gpt", value: "yz", loss: null },
    ],
  };
  // <|bos|> <|system|> S <|eos|> <|user|> h i <|eos|> <|assistant|> o k <|eos|> <|user|> x <|eos|> <|assistant|> y z <|eos|>
  //    0        1     2    3       4     5 6    7         8        9 10  11      12    13  14       15       16 17  18
  const positions = (mask: Uint8Array) => [...mask.keys()].filter((i) => mask[i] === 1);

  it("assistant_only trains every gpt turn's content and end-of-turn", () => {
    const encoded = encodeConversation(record, {
      tokenizer,
      template,
      endOfTurn: "<|eos|>",
      mode: "assistant_only",
    });
    expect(tokenizer.decode(encoded.ids)).toBe(
      "<|bos|><|system|>S<|eos|><|user|>hi<|eos|><|assistant|>ok<|eos|><|user|>x<|eos|><|assistant|>yz<|eos|>",
    );
    expect(positions(encoded.mask)).toEqual([9, 10, 11, 16, 17, 18]);
    expect(encoded.droppedTokens).toBe(0);
  });

  it("loss_flags follows the flags, null meaning the role's default", () => {
    const encoded = encodeConversation(record, {
      tokenizer,
      template,
      endOfTurn: "<|eos|>",
      mode: "loss_flags",
    });
    expect(positions(encoded.mask)).toEqual([13, 14, 16, 17, 18]);
  });

  it("all trains every token, template markers included (pretraining)", () => {
    const encoded = encodeConversation(record, { tokenizer, template, endOfTurn: "<|eos|>", mode: "all" });
    expect(encoded.mask.length).toBe(19);
    expect(positions(encoded.mask)).toEqual([...Array(19).keys()]);
  });

  it("truncation keeps the mask aligned and counts the dropped tokens", () => {
    const full = encodeConversation(record, {
      tokenizer,
      template,
      endOfTurn: "<|eos|>",
      mode: "assistant_only",
    });
    const cut = encodeConversation(record, {
      tokenizer,
      template,
      endOfTurn: "<|eos|>",
      mode: "assistant_only",
      maxLength: 10,
    });
    expect(cut.ids).toEqual(full.ids.slice(0, 10));
    expect(positions(cut.mask)).toEqual([9]);
    expect(cut.droppedTokens).toBe(9);
  });

  it("masks exactly content + end-of-turn with a BPE tokenizer and ChatML (not the trailing newline)", () => {
    const hf = loadHfTokenizer(writeTinyHfTokenizer());
    const encoded = encodeConversation(
      {
        id: "x",
        conversations: [
          { from: "human", value: "hi" },
          { from: "gpt", value: "hello world" },
        ],
      },
      {
        tokenizer: hf,
        template: new ChatTemplate(hf.chatTemplate!),
        endOfTurn: "<|im_end|>",
        mode: "assistant_only",
      },
    );
    const trained = encoded.ids.filter((_, i) => encoded.mask[i] === 1);
    expect(hf.decode(trained)).toBe("hello world<|im_end|>");
    expect(hf.decode(encoded.ids)).toBe(
      "<|im_start|>user\nhi<|im_end|>\n<|im_start|>assistant\nhello world<|im_end|>\n",
    );
    expect(encoded.mask.at(-1)).toBe(0);
  });

  it("masks the trimmed content of a Llama-3 template", () => {
    const encoded = encodeConversation(
      {
        id: "t",
        conversations: [
          { from: "human", value: "q" },
          { from: "gpt", value: "  answer \n" },
        ],
      },
      {
        tokenizer,
        template: new ChatTemplate(LLAMA3_TEMPLATE),
        endOfTurn: "<|eot_id|>",
        mode: "assistant_only",
      },
    );
    const trained = encoded.ids.filter((_, i) => encoded.mask[i] === 1);
    expect(tokenizer.decode(trained)).toBe("answer<|eot_id|>");
  });

  it("explains bad records and templates it cannot mask", () => {
    const bad = { id: "db_3", conversations: [{ from: "robot", value: "x" }] };
    expect(() =>
      encodeConversation(bad, { tokenizer, template, endOfTurn: "<|eos|>", mode: "assistant_only" }),
    ).toThrow("conversation 'db_3', turn 0: 'from' is 'robot'; expected human, gpt or system.");
    expect(() =>
      encodeConversation(record, { tokenizer, template, endOfTurn: "<|im_end|>", mode: "assistant_only" }),
    ).toThrow(/turn 2: the rendered turn has no end-of-turn marker '<\|im_end\|>'/);
  });
});
