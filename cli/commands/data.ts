/**
 * `atune data`: convert conversation files between formats, summarise a data file, and write
 * the built-in general-instruction set.
 */
import { type ParseArgsConfig, parseArgs } from "node:util";
import { writeValues } from "../../runtime/data/formats/files.ts";
import {
  BadDataError,
  type FormatName,
  formatByName,
  formatNames,
  kindFromExtension,
  type ReadResult,
  readRecords,
  writableFormatNames,
  writeRecords,
} from "../../runtime/data/formats/index.ts";
import { dataStats, formatStats } from "../../runtime/data/formats/stats.ts";
import {
  choiceRecord,
  GeneralSetTooSmallError,
  type GeneralSplit,
  generalRecord,
  generalSplits,
  generateChoices,
  generateGeneral,
} from "../../runtime/data/general/index.ts";
import { type ConversationRecord, RecordError } from "../../runtime/data/record.ts";
import { type Command, EXIT_FAILURE, EXIT_OK, UsageError } from "../command.ts";

const usage = `Usage:
  atune data convert IN OUT [options]   convert a data file to another format
  atune data stats FILE [options]       records, turns, characters, trained-on turns, families, loss flags
  atune data general -o FILE [options]  write the built-in general-instruction set

Formats: ${formatNames.join(", ")} (gsm8k and mmlu are read only; openai_chat means openai).
Files: .jsonl, .json (a JSON array), .parquet, .csv (MMLU) in; .jsonl or .json out.

Options for convert and stats:
  --from FMT          the input format (default: inferred from the content)
  --skip-bad-lines    skip malformed lines or rows and report how many, instead of failing
Options for convert:
  --to FMT            the output format (default agentinstruct)
Options for stats:
  --json              print the numbers as JSON
Options for general:
  -o, --output FILE   where to write (.jsonl or .json)
  --split train|test  which split (default train); the two never share an instruction
  --count N           how many items (default 1000)
  --seed S            which draw (default 0)
  --set instruct|choice  instruction items (default) or MMLU-style multiple choice
  --items             write evaluation items (instruction, reference, checker) instead of records
  --to FMT            record format (default agentinstruct)`;

function parse<T extends NonNullable<ParseArgsConfig["options"]>>(args: string[], options: T) {
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

function formatOption(value: unknown, allowed: readonly FormatName[], flag: string): FormatName | undefined {
  if (value === undefined) return undefined;
  const name = formatByName(String(value))?.name;
  if (name === undefined || !allowed.includes(name)) {
    throw new UsageError(`${flag} ${String(value)} is not a format here; use one of ${allowed.join(", ")}`);
  }
  return name;
}

function reportSkipped(result: ReadResult<unknown>): void {
  if (result.skipped === 0) return;
  const unit = result.skipped === 1 ? result.unit : `${result.unit}s`;
  console.error(`skipped ${result.skipped} bad ${unit}:`);
  for (const error of result.skippedErrors.slice(0, 5)) console.error(`  ${error.message}`);
  if (result.skipped > 5) console.error(`  … and ${result.skipped - 5} more`);
}

async function convert(args: string[]): Promise<number> {
  const { values, positionals } = parse(args, {
    from: { type: "string" },
    to: { type: "string" },
    "skip-bad-lines": { type: "boolean" },
  });
  if (positionals.length !== 2) throw new UsageError("convert needs an input and an output file");
  const [input, output] = positionals;
  const outputKind = kindFromExtension(output);
  if (outputKind !== "jsonl" && outputKind !== "json")
    throw new UsageError(`${output}: name a .jsonl or .json output file`);
  const from = formatOption(values.from, formatNames, "--from");
  const to = formatOption(values.to, writableFormatNames, "--to");
  const read = await readRecords(input, { from, skipBadLines: values["skip-bad-lines"] === true });
  reportSkipped(read);
  const written = writeRecords(output, read.items, { to });
  console.error(
    `converted ${read.items.length} records: ${input} (${read.format}, ${read.kind}) → ${output} (${written.format}, ${written.kind})`,
  );
  return EXIT_OK;
}

async function stats(args: string[]): Promise<number> {
  const { values, positionals } = parse(args, {
    from: { type: "string" },
    "skip-bad-lines": { type: "boolean" },
    json: { type: "boolean" },
  });
  if (positionals.length !== 1) throw new UsageError("stats needs one data file");
  const from = formatOption(values.from, formatNames, "--from");
  const read = await readRecords(positionals[0], { from, skipBadLines: values["skip-bad-lines"] === true });
  reportSkipped(read);
  const summary = dataStats(read.items);
  if (values.json) {
    console.log(
      JSON.stringify(
        { file: positionals[0], format: read.format, skipped: read.skipped, ...summary },
        null,
        2,
      ),
    );
  } else {
    console.log(`${positionals[0]} (${read.format}, ${read.kind})\n${formatStats(summary)}`);
  }
  return EXIT_OK;
}

function general(args: string[]): number {
  const { values, positionals } = parse(args, {
    output: { type: "string", short: "o" },
    split: { type: "string", default: "train" },
    count: { type: "string", default: "1000" },
    seed: { type: "string", default: "0" },
    set: { type: "string", default: "instruct" },
    items: { type: "boolean" },
    to: { type: "string" },
  });
  if (positionals.length > 0) throw new UsageError(`unexpected argument '${positionals[0]}'`);
  if (typeof values.output !== "string") throw new UsageError("general needs -o FILE");
  const kind = kindFromExtension(values.output);
  if (kind !== "jsonl" && kind !== "json")
    throw new UsageError(`-o ${values.output}: name a .jsonl or .json file`);
  const split = values.split as GeneralSplit;
  if (!generalSplits.includes(split)) throw new UsageError(`--split must be train or test, not '${split}'`);
  const count = Number(values.count);
  if (!Number.isInteger(count) || count < 1)
    throw new UsageError(`--count must be a positive whole number, not '${values.count}'`);
  if (values.set !== "instruct" && values.set !== "choice")
    throw new UsageError(`--set must be instruct or choice, not '${values.set}'`);
  const to = formatOption(values.to, writableFormatNames, "--to");
  if (values.items && to) throw new UsageError("--items writes evaluation items; it takes no --to");
  const seed = /^\d+$/.test(String(values.seed)) ? Number(values.seed) : String(values.seed);
  const options = { split, count, seed };
  let rows: unknown[];
  let records: ConversationRecord[];
  if (values.set === "choice") {
    const items = generateChoices(options);
    [rows, records] = [items, items.map(choiceRecord)];
  } else {
    const items = generateGeneral(options);
    [rows, records] = [items, items.map(generalRecord)];
  }
  if (values.items) writeValues(values.output, rows, kind);
  else writeRecords(values.output, records, { to });
  console.error(
    `wrote ${rows.length} ${values.set} ${values.items ? "items" : "records"} (${split}, seed ${seed}) to ${values.output}`,
  );
  return EXIT_OK;
}

export const dataCommand: Command = {
  name: "data",
  usage,
  async run(args) {
    const [sub, ...rest] = args;
    try {
      if (sub === "convert") return await convert(rest);
      if (sub === "stats") return await stats(rest);
      if (sub === "general") return general(rest);
    } catch (error) {
      // Data problems the user can fix: say what and where, no stack trace.
      if (
        error instanceof BadDataError ||
        error instanceof RecordError ||
        error instanceof GeneralSetTooSmallError
      ) {
        console.error(`atune data ${sub}: ${error.message}`);
        return EXIT_FAILURE;
      }
      throw error;
    }
    throw new UsageError(sub === undefined ? "missing a subcommand" : `unknown subcommand '${sub}'`);
  },
};
