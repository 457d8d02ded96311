import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { trainBpeMerges } from "../../../runtime/train/tokenizer/bpe-train.ts";
import {
  BYTE_SPECIAL_IDS,
  BYTE_VOCAB_SIZE,
  byteTokenizerFiles,
} from "../../../runtime/train/tokenizer/byte.ts";
import { ChatTemplate } from "../../../runtime/train/tokenizer/chat-template.ts";
import { HfTokenizer } from "../../../runtime/train/tokenizer/hf.ts";

type Json = Record<string, unknown>;

function tokenizerFor(merges: Array<[string, string]>): HfTokenizer {
  const files = byteTokenizerFiles(merges);
  return new HfTokenizer(files["tokenizer.json"] as Json, files["tokenizer_config.json"] as Json);
}

const corpus = [
  "SELECT COUNT(*) FROM orders WHERE status = 'pending'",
  "How many orders have the status 'pending'?",
  "SELECT COUNT(*) FROM orders WHERE status = 'shipped'",
  "How many orders have the status 'shipped'?",
  "Observation: 5\n[exit code 0]",
  "Action: answer: 5",
];

describe("trainBpeMerges", () => {
  it("merges the most frequent pair first, and frequent words become one token", () => {
    const merges = trainBpeMerges(corpus, { merges: 200 });
    const tokenizer = tokenizerFor(merges);
    expect(tokenizer.encode(" orders")).toHaveLength(1);
    expect(tokenizer.encode(" status")).toHaveLength(1);
    expect(tokenizer.decode(tokenizer.encode(corpus[0]))).toBe(corpus[0]);
    // Fewer tokens than bytes on the text it learned from.
    const bytes = corpus.reduce((n, text) => n + new TextEncoder().encode(text).length, 0);
    const tokens = corpus.reduce((n, text) => n + tokenizer.encode(text).length, 0);
    expect(tokens).toBeLessThan(bytes / 2);
  });

  it("stops when no pair occurs at least minCount times, and never exceeds the merges asked for", () => {
    expect(trainBpeMerges(["ab"], { merges: 10 })).toEqual([]);
    expect(trainBpeMerges(["ab ab"], { merges: 10 })).toEqual([["a", "b"]]);
    expect(trainBpeMerges(corpus, { merges: 3 })).toHaveLength(3);
  });

  it("learns the same merges whatever the order of the texts", () => {
    const forward = trainBpeMerges(corpus, { merges: 50 });
    const backward = trainBpeMerges([...corpus].reverse(), { merges: 50 });
    expect(backward).toEqual(forward);
  });

  it("gives a tokenizer whose ids are dense, specials kept at 256–261, and every string round-trips", () => {
    const merges = trainBpeMerges(corpus, { merges: 100 });
    const tokenizer = tokenizerFor(merges);
    const distinct = new Set(merges.map(([a, b]) => a + b)).size;
    expect(tokenizer.vocabSize).toBe(BYTE_VOCAB_SIZE + distinct);
    expect(tokenizer.eosId).toBe(BYTE_SPECIAL_IDS.eos);
    expect(tokenizer.encode("<|assistant|>answer<|eos|>")).toEqual([
      BYTE_SPECIAL_IDS.assistant,
      ...tokenizer.encode("answer"),
      BYTE_SPECIAL_IDS.eos,
    ]);
    fc.assert(
      fc.property(fc.string({ unit: "grapheme", maxLength: 40 }), (text) => {
        expect(tokenizer.decode(tokenizer.encode(text))).toBe(text);
      }),
      { numRuns: 200 },
    );
  });

  it("renders chats with the byte tokenizer's template", () => {
    const tokenizer = tokenizerFor(trainBpeMerges(corpus, { merges: 40 }));
    const template = new ChatTemplate(tokenizer.chatTemplate ?? "");
    const text = template.render([{ role: "user", content: "How many orders?" }], {
      addGenerationPrompt: true,
      bosToken: tokenizer.bosToken,
      eosToken: tokenizer.eosToken,
    });
    expect(text).toBe("<|bos|><|user|>How many orders?<|eos|><|assistant|>");
    expect(tokenizer.encode(text).slice(0, 2)).toEqual([BYTE_SPECIAL_IDS.bos, BYTE_SPECIAL_IDS.user]);
  });
});
