import { appendFileSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { JsonlLog, readJsonl } from "../../runtime/data/jsonl.ts";
import { RecordError, toRecord } from "../../runtime/data/record.ts";

const dir = mkdtempSync(join(tmpdir(), "atune-jsonl-"));

describe("readJsonl with AgentInstruct records", () => {
  it("reads good lines and reports each bad line with its number and the fix", () => {
    const file = join(dir, "mixed.jsonl");
    writeFileSync(
      file,
      [
        '{"id": "os_0", "conversations": [{"from": "human", "value": "hi"}, {"from": "gpt", "value": "Thought: x\\nAction: y", "loss": true}]}',
        "{not json",
        '{"id": "a", "conversations": [{"from": "robot", "value": "x"}]}',
        "",
        '{"id": "b", "messages": [{"role": "user", "content": "q"}, {"role": "assistant", "content": "a"}]}',
      ].join("\n"),
    );
    const { items, errors } = readJsonl(file, toRecord);
    expect(items.map((r) => r.id)).toEqual(["os_0", "b"]);
    expect(items[1].conversations.map((t) => t.from)).toEqual(["human", "gpt"]);
    expect(errors.map((e) => [e.line, e.message])).toEqual([
      [2, expect.stringContaining("not valid JSON")],
      [3, expect.stringContaining('conversations[0].from is "robot"; expected human, gpt or system')],
    ]);
  });

  it("says a missing file is missing, with the path", () => {
    expect(() => readJsonl(join(dir, "nope.jsonl"), toRecord)).toThrow(RecordError);
    expect(() => readJsonl(join(dir, "nope.jsonl"), toRecord)).toThrow(/nope\.jsonl:0: file not found/);
  });
});

describe("JsonlLog", () => {
  it("recovers every whole line after a torn write and keeps appending", () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ n: fc.integer(), s: fc.string() }), { maxLength: 20 }),
        fc.string({ minLength: 1 }),
        (items, torn) => {
          const file = join(dir, `log-${Math.random()}.jsonl`);
          const log = new JsonlLog<{ n: number; s: string }>(file);
          for (const item of items) log.append(item);
          appendFileSync(file, JSON.stringify(torn).slice(0, -1)); // a line cut off mid-write, no newline
          expect(log.recover()).toEqual(items);
          log.append({ n: 1, s: "after" });
          expect(log.recover()).toEqual([...items, { n: 1, s: "after" }]);
          expect(readFileSync(file, "utf8").endsWith("\n")).toBe(true);
        },
      ),
      { numRuns: 50 },
    );
  });
});
