import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { agentInstruct } from "../../runtime/data/formats/agentinstruct.ts";
import { alpaca } from "../../runtime/data/formats/alpaca.ts";
import {
  BadDataError,
  FileError,
  formats,
  readRecords,
  writeRecords,
} from "../../runtime/data/formats/index.ts";
import { llamaFactory } from "../../runtime/data/formats/llamafactory.ts";
import { openAi } from "../../runtime/data/formats/openai.ts";
import { shareGpt } from "../../runtime/data/formats/sharegpt.ts";
import { type ConversationRecord, RecordError } from "../../runtime/data/record.ts";
import { scratch, writeAgentInstructParquet, writeJsonl } from "./helpers.ts";

const where = { file: "mem.jsonl", position: 1, fallbackId: "mem_1" };
/** Through JSON text and back, as a file would carry it. */
const viaJson = <T>(value: T): T => JSON.parse(JSON.stringify(value));

const text = fc.string({ maxLength: 30 });
const key = fc.stringMatching(/^[a-z_]{1,8}$/);
const toolArguments = fc.dictionary(key, fc.oneof(fc.integer(), text), { maxKeys: 3 });
const loss = fc.constantFrom(true, false, null);

const agentRecord: fc.Arbitrary<ConversationRecord> = fc.record({
  id: fc.string({ minLength: 1, maxLength: 12 }),
  conversations: fc.array(fc.record({ from: fc.constantFrom("system", "human", "gpt"), value: text, loss }), {
    minLength: 1,
    maxLength: 6,
  }),
}) as fc.Arbitrary<ConversationRecord>;

const shareGptRow = fc.record({
  id: fc.string({ minLength: 1, maxLength: 12 }),
  conversations: fc.array(fc.record({ from: fc.constantFrom("system", "human", "gpt"), value: text }), {
    minLength: 1,
    maxLength: 6,
  }),
});

const toolCall = fc.record({
  id: fc.stringMatching(/^call_[a-z0-9]{1,6}$/),
  type: fc.constant("function"),
  function: fc.record({ name: key, arguments: toolArguments.map((a) => JSON.stringify(a)) }),
});
const weight = fc.option(fc.constantFrom(0, 1), { nil: undefined });
const withWeight = <T extends object>(message: T, w: 0 | 1 | undefined) =>
  w === undefined ? message : { ...message, weight: w };
const openAiMessage = fc.oneof(
  fc
    .tuple(fc.constantFrom("system", "user"), text, weight)
    .map(([role, content, w]) => withWeight({ role, content }, w)),
  fc.tuple(text, weight).map(([content, w]) => withWeight({ role: "assistant", content }, w)),
  fc
    .tuple(
      fc.option(fc.string({ minLength: 1, maxLength: 20 }), { nil: null }),
      fc.array(toolCall, { minLength: 1, maxLength: 3 }),
      weight,
    )
    .map(([content, calls, w]) => withWeight({ role: "assistant", content, tool_calls: calls }, w)),
  fc
    .tuple(fc.stringMatching(/^call_[a-z0-9]{1,6}$/), text)
    .map(([id, content]) => ({ role: "tool", tool_call_id: id, content })),
);
const openAiRow = fc.record(
  {
    messages: fc.array(openAiMessage, { minLength: 1, maxLength: 6 }),
    tools: fc.array(fc.record({ type: fc.constant("function"), function: fc.record({ name: key }) }), {
      maxLength: 2,
    }),
  },
  { requiredKeys: ["messages"] },
);

const lfTurn = fc.oneof(
  fc.record({ from: fc.constantFrom("human", "gpt", "observation"), value: text }),
  fc
    .record({ name: key, arguments: toolArguments })
    .map((call) => ({ from: "function_call", value: JSON.stringify(call) })),
);
const lfRow = fc.record(
  {
    conversations: fc.array(lfTurn, { minLength: 1, maxLength: 6 }),
    system: fc.string({ minLength: 1, maxLength: 20 }),
    tools: fc
      .array(fc.record({ name: key, description: text }), { maxLength: 2 })
      .map((t) => JSON.stringify(t)),
  },
  { requiredKeys: ["conversations"] },
);

describe("format readers on arbitrary input", () => {
  it("return a record or throw a RecordError, never anything else", () => {
    const rowLike = fc.oneof(
      fc.jsonValue(),
      fc.record({ conversations: fc.array(fc.jsonValue(), { maxLength: 3 }), id: fc.jsonValue() }),
      fc.record({
        messages: fc.array(
          fc.dictionary(fc.constantFrom("role", "content", "tool_calls", "weight"), fc.jsonValue()),
        ),
      }),
      fc.record({ question: fc.jsonValue(), answer: fc.jsonValue(), choices: fc.jsonValue() }),
    );
    fc.assert(
      fc.property(rowLike, (row) => {
        for (const format of formats) {
          try {
            const record = format.read(row, where);
            expect(record.conversations.length).toBeGreaterThan(0);
          } catch (error) {
            if (!(error instanceof RecordError)) throw new Error(`${format.name} threw ${String(error)}`);
          }
        }
      }),
    );
  });
});

describe("format round trips", () => {
  it("AgentInstruct: record → row → record keeps every turn and loss flag", () => {
    fc.assert(
      fc.property(agentRecord, (record) => {
        expect(agentInstruct.read(viaJson(agentInstruct.write!(record)), where)).toEqual(record);
      }),
    );
  });

  it("ShareGPT: row → record → row is the identity", () => {
    fc.assert(
      fc.property(shareGptRow, (row) => {
        expect(shareGpt.write!(shareGpt.read(viaJson(row), where))).toEqual(row);
      }),
    );
  });

  it("OpenAI messages: row → record → row keeps tool calls, tool results, weights and tools", () => {
    fc.assert(
      fc.property(openAiRow, (row) => {
        const record = openAi.read(viaJson(row), where);
        expect(openAi.write!(viaJson(record))).toEqual(row);
      }),
    );
  });

  it("LLaMA-Factory: row → record → row keeps function calls, observations, system and tools", () => {
    fc.assert(
      fc.property(lfRow, (row) => {
        const record = llamaFactory.read(viaJson(row), where);
        expect(llamaFactory.write!(viaJson(record))).toEqual(row);
      }),
    );
  });

  it("Alpaca: row → record → row keeps instruction, output, system and history", () => {
    const alpacaRow = fc.record(
      {
        instruction: text,
        input: fc.constant(""),
        output: text,
        system: fc.string({ minLength: 1, maxLength: 20 }),
        history: fc.array(fc.tuple(text, text), { minLength: 1, maxLength: 3 }),
      },
      { requiredKeys: ["instruction", "input", "output"] },
    );
    fc.assert(
      fc.property(alpacaRow, (row) => {
        expect(alpaca.write!(viaJson(alpaca.read(viaJson(row), where)))).toEqual(row);
      }),
    );
    const merged = alpaca.read({ instruction: "Translate", input: "bonjour", output: "hello" }, where);
    expect(merged.conversations[0].value).toBe("Translate\nbonjour");
  });

  it("converts OpenAI tool use to LLaMA-Factory turns and back to OpenAI", () => {
    const row = {
      messages: [
        { role: "user", content: "Weather in Oslo?" },
        {
          role: "assistant",
          content: null,
          tool_calls: [
            { id: "c1", type: "function", function: { name: "weather", arguments: '{"city":"Oslo"}' } },
          ],
        },
        { role: "tool", tool_call_id: "c1", content: "rain, 4 C" },
        { role: "assistant", content: "Rainy, 4 C.", weight: 1 },
      ],
    };
    const record = openAi.read(row, where);
    expect(record.conversations.map((t) => t.from)).toEqual(["human", "gpt", "human", "gpt"]);
    expect(record.conversations[3].loss).toBe(true);
    const lf = llamaFactory.write!(record) as { conversations: Array<{ from: string; value: string }> };
    expect(lf.conversations.map((t) => t.from)).toEqual(["human", "function_call", "observation", "gpt"]);
    expect(JSON.parse(lf.conversations[1].value)).toEqual({ name: "weather", arguments: { city: "Oslo" } });
    // LLaMA-Factory has no call ids: going back to OpenAI pairs the result with a fresh id.
    const back = openAi.write!(llamaFactory.read(lf, where)) as { messages: Array<Record<string, any>> };
    expect(back.messages[1].tool_calls[0].function).toEqual({
      name: "weather",
      arguments: '{"city":"Oslo"}',
    });
    expect(back.messages[2]).toEqual({
      role: "tool",
      tool_call_id: back.messages[1].tool_calls[0].id,
      content: "rain, 4 C",
    });
  });
});

const publicRows = [
  {
    id: "os_0",
    conversations: [
      { from: "human", loss: null, value: "You are an assistant that will act like a person…" },
      { from: "gpt", loss: false, value: "OK." },
      { from: "human", loss: null, value: "tell me how many files are in /etc" },
      {
        from: "gpt",
        loss: true,
        value: "Think: I count them.\n\nAct: bash\n\n```bash\nls /etc | wc -l\n```",
      },
      { from: "human", loss: null, value: "The output of the OS:\n220" },
      { from: "gpt", loss: true, value: "Think: done.\n\nAct: answer(220)" },
    ],
  },
  {
    id: "db_12",
    conversations: [
      {
        from: "human",
        loss: null,
        value: "I will ask you a question, then you should help me operate a MySQL database…",
      },
      { from: "gpt", loss: false, value: "Ok." },
      { from: "human", loss: null, value: "How many rows?" },
      { from: "gpt", loss: true, value: "Action: Operation\n```sql\nSELECT COUNT(*) FROM t\n```" },
    ],
  },
];

describe("data files", () => {
  const dir = scratch();

  it("imports the public AgentInstruct Parquet shape with its loss flags", async () => {
    const file = writeAgentInstructParquet(join(dir, "os-00000-of-00001.parquet"), publicRows);
    const read = await readRecords(file);
    expect(read.format).toBe("agentinstruct");
    expect(read.kind).toBe("parquet");
    expect(read.items).toEqual(
      publicRows.map((row) => ({
        id: row.id,
        conversations: row.conversations.map(({ from, value, loss }) => ({ from, value, loss })),
      })),
    );
  });

  it("round-trips records through JSONL and JSON files in every writable format", async () => {
    const records = (await readRecords(writeJsonl(join(dir, "public.jsonl"), publicRows))).items;
    for (const to of ["agentinstruct", "sharegpt", "openai", "llamafactory", "alpaca"] as const) {
      for (const ext of ["jsonl", "json"]) {
        const file = join(dir, `out-${to}.${ext}`);
        writeRecords(file, records, { to });
        const back = await readRecords(file);
        expect(back.format).toBe(to === "llamafactory" ? "sharegpt" : to); // no tools, no system field: plain ShareGPT
        expect(back.items.map((r) => r.conversations.map((t) => [t.from, t.value]))).toEqual(
          records.map((r) => r.conversations.map((t) => [t.from, t.value])),
        );
      }
    }
    const json = readFileSync(join(dir, "out-sharegpt.json"), "utf8");
    expect(JSON.parse(json)).toHaveLength(2); // the ShareGPT JSON-array form
  });

  it("reads a ShareGPT JSON array with role aliases", async () => {
    const file = join(dir, "sharegpt.json");
    writeFileSync(
      file,
      JSON.stringify([
        {
          id: "a",
          conversations: [
            { from: "user", value: "hi" },
            { from: "chatgpt", value: "hello" },
          ],
        },
      ]),
    );
    const read = await readRecords(file);
    expect(read.format).toBe("sharegpt");
    expect(read.items[0].conversations).toEqual([
      { from: "human", value: "hi", loss: null },
      { from: "gpt", value: "hello", loss: null },
    ]);
  });

  it("reads a .json file that is really JSON Lines", async () => {
    const file = writeJsonl(join(dir, "lines.json"), publicRows);
    const read = await readRecords(file);
    expect([read.kind, read.unit, read.format, read.items.length]).toEqual([
      "jsonl",
      "line",
      "agentinstruct",
      2,
    ]);
  });

  it("names the file and line of each malformed JSONL line, and --skip-bad-lines counts them", async () => {
    const file = join(dir, "bad.jsonl");
    const good = JSON.stringify(publicRows[0]);
    writeFileSync(
      file,
      [
        good,
        "{not json",
        good,
        JSON.stringify({ id: "x", conversations: [{ from: "robot", value: "?" }] }),
        "",
      ].join("\n"),
    );
    const error = await readRecords(file).catch((e) => e);
    expect(error).toBeInstanceOf(BadDataError);
    expect(error.message).toContain(`${file}:2: not valid JSON`);
    expect(error.message).toContain(`${file}:4: conversations[0].from is "robot"`);
    expect(error.message).toContain("--skip-bad-lines");
    const skipped = await readRecords(file, { skipBadLines: true });
    expect(skipped.items).toHaveLength(2);
    expect(skipped.skipped).toBe(2);
    expect(skipped.skippedErrors.map((e) => e.line)).toEqual([2, 4]);
  });

  it("names the row of a malformed JSON-array or Parquet row", async () => {
    const json = join(dir, "bad.json");
    writeFileSync(json, JSON.stringify([publicRows[0], { id: "y", conversations: [] }]));
    await expect(readRecords(json)).rejects.toThrow(`${json}: row 2: "conversations" is empty`);
    const parquet = writeAgentInstructParquet(join(dir, "bad.parquet"), [
      publicRows[0],
      { id: "z", conversations: [{ from: "alien", loss: null, value: "?" }] },
    ]);
    await expect(readRecords(parquet)).rejects.toThrow(`${parquet}: row 2: conversations[0].from is "alien"`);
    expect((await readRecords(parquet, { skipBadLines: true })).skipped).toBe(1);
  });

  it("explains whole-file problems: missing, broken JSON, unknown format, unwritable output", async () => {
    await expect(readRecords(join(dir, "missing.jsonl"))).rejects.toThrow(/missing\.jsonl: file not found/);
    const broken = join(dir, "broken.json");
    writeFileSync(broken, '[\n{"id": "a",\n "conversations": [}\n]');
    await expect(readRecords(broken)).rejects.toThrow(`${broken}:3: not valid JSON`);
    const unknown = writeJsonl(join(dir, "unknown.jsonl"), [{ text: "plain" }]);
    const error = await readRecords(unknown).catch((e) => e);
    expect(error).toBeInstanceOf(FileError);
    expect(error.message).toContain("keys text");
    expect(error.message).toContain("--from");
    expect(() => writeRecords(join(dir, "x.parquet"), [])).toThrow(/must end in \.jsonl or \.json/);
    expect(() => writeRecords(join(dir, "x.jsonl"), [], { to: "gsm8k" })).toThrow(
      /cannot write the "gsm8k" format/,
    );
    const episode = (await readRecords(writeJsonl(join(dir, "episode.jsonl"), publicRows))).items;
    const threeTurns = { ...episode[0], conversations: episode[0].conversations.slice(0, 3) };
    expect(() => writeRecords(join(dir, "x.jsonl"), [threeTurns], { to: "alpaca" })).toThrow(
      /x\.jsonl: record "os_0" is not alternating human\/gpt exchanges/,
    );
    // Recipes call the OpenAI format openai_chat.
    writeRecords(join(dir, "alias.jsonl"), episode, { to: "openai_chat" });
    expect((await readRecords(join(dir, "alias.jsonl"), { from: "openai_chat" })).format).toBe("openai");
  });
});
