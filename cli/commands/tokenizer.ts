/**
 * `atune tokenizer train`: learn a byte-level BPE tokenizer from conversation files and write it
 * as a folder (tokenizer.json, tokenizer_config.json) that a built-in model size can use:
 * `model m = builtin "tiny" { tokenizer = "FOLDER" }`.
 */
import { existsSync, mkdirSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type ParseArgsConfig, parseArgs } from "node:util";
import { BadDataError, readRecords } from "../../runtime/data/formats/index.ts";
import { RecordError } from "../../runtime/data/record.ts";
import { trainBpeMerges } from "../../runtime/train/tokenizer/bpe-train.ts";
import { BYTE_VOCAB_SIZE, byteTokenizerFiles } from "../../runtime/train/tokenizer/byte.ts";
import { HfTokenizer } from "../../runtime/train/tokenizer/hf.ts";
import { type Command, EXIT_FAILURE, EXIT_OK, UsageError } from "../command.ts";

const usage = `Usage:
  atune tokenizer train -o FOLDER --vocab N FILE...   learn a byte-level BPE tokenizer

Reads every message of the conversation records in FILE... (any format 'atune data' reads;
a record id seen in two files counts once) and learns merges, most frequent pair first, until
the vocabulary has N ids: the 256 bytes, the ${BYTE_VOCAB_SIZE - 256} chat special tokens, then the merged tokens.
Text is split GPT-2 style first (words with their leading space, numbers, punctuation). The same
files always give the same tokenizer.

Options:
  -o, --output FOLDER   where to write tokenizer.json and tokenizer_config.json
  --vocab N             vocabulary size, at least ${BYTE_VOCAB_SIZE} (${BYTE_VOCAB_SIZE} = bytes only, no merges)
  --skip-bad-lines      skip malformed lines or rows and report how many, instead of failing

Use the folder for a model trained from scratch: model m = builtin "tiny" { tokenizer = "FOLDER" }`;

function parse<T extends NonNullable<ParseArgsConfig["options"]>>(args: string[], options: T) {
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

async function train(args: string[]): Promise<number> {
  const { values, positionals } = parse(args, {
    output: { type: "string", short: "o" },
    vocab: { type: "string" },
    "skip-bad-lines": { type: "boolean" },
  });
  if (typeof values.output !== "string") throw new UsageError("train needs -o FOLDER");
  const vocab = Number(values.vocab);
  if (values.vocab === undefined || !Number.isInteger(vocab) || vocab < BYTE_VOCAB_SIZE) {
    throw new UsageError(`--vocab needs a whole number ≥ ${BYTE_VOCAB_SIZE}, got '${values.vocab ?? ""}'`);
  }
  if (positionals.length === 0) throw new UsageError("train needs at least one data file");
  if (existsSync(values.output) && !statSync(values.output).isDirectory()) {
    throw new UsageError(`-o ${values.output} is a file; name a folder (it is created if missing)`);
  }

  const texts: string[] = [];
  const seen = new Set<string>();
  let characters = 0;
  for (const file of positionals) {
    const read = await readRecords(file, { skipBadLines: values["skip-bad-lines"] === true });
    if (read.skipped > 0) console.error(`${file}: skipped ${read.skipped} bad ${read.unit}s`);
    for (const record of read.items) {
      if (seen.has(record.id)) continue;
      seen.add(record.id);
      for (const turn of record.conversations) {
        texts.push(turn.value);
        characters += turn.value.length;
      }
    }
  }
  if (characters === 0)
    throw new UsageError(`the files hold no text to learn from: ${positionals.join(", ")}`);

  const merges = trainBpeMerges(texts, { merges: vocab - BYTE_VOCAB_SIZE });
  const files = byteTokenizerFiles(merges);
  const tokenizer = new HfTokenizer(
    files["tokenizer.json"] as Record<string, unknown>,
    files["tokenizer_config.json"] as Record<string, unknown>,
  );
  let tokens = 0;
  for (const text of texts) tokens += tokenizer.encode(text).length;

  mkdirSync(values.output, { recursive: true });
  for (const [name, content] of Object.entries(files)) {
    writeFileSync(join(values.output, name), `${JSON.stringify(content, null, 2)}\n`);
  }
  console.log(
    `${values.output}: ${tokenizer.vocabSize} ids (${merges.length} merges) from ${seen.size} records, ` +
      `${characters.toLocaleString("en-US")} characters; ${(characters / tokens).toFixed(2)} characters per token on them`,
  );
  if (tokenizer.vocabSize < vocab) {
    console.log(`  (fewer than --vocab ${vocab}: no pair left that occurs at least twice)`);
  }
  return EXIT_OK;
}

export const tokenizerCommand: Command = {
  name: "tokenizer",
  usage,
  async run(args) {
    const [sub, ...rest] = args;
    if (sub === "train") {
      try {
        return await train(rest);
      } catch (error) {
        // A missing or malformed data file: say which and where, no stack trace.
        if (error instanceof BadDataError || error instanceof RecordError) {
          console.error(`atune tokenizer train: ${error.message}`);
          return EXIT_FAILURE;
        }
        throw error;
      }
    }
    if (sub === undefined) throw new UsageError("name a sub-command: train");
    throw new UsageError(`unknown sub-command '${sub}'; the sub-command is: train`);
  },
};
