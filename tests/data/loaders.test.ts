import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseCsv } from "../../runtime/data/formats/csv.ts";
import { BadDataError, loadGsm8k, loadMmlu, readRecords } from "../../runtime/data/formats/index.ts";
import { score } from "../../runtime/data/general/checkers.ts";
import { scratch, writeFlatParquet, writeJsonl } from "./helpers.ts";

const dir = scratch();

describe("CSV", () => {
  it("parses quoted fields with commas, quotes and newlines, and knows each row's first line", () => {
    const rows = parseCsv('a,"b, c","say ""hi"""\r\n"multi\nline",x,\n\nlast,1,2', "t.csv");
    expect(rows).toEqual([
      { fields: ["a", "b, c", 'say "hi"'], line: 1 },
      { fields: ["multi\nline", "x", ""], line: 2 },
      { fields: ["last", "1", "2"], line: 5 },
    ]);
    expect(() => parseCsv('ok,1\n"never closed,2\n', "t.csv")).toThrow(
      "t.csv:2: a quoted field is never closed",
    );
  });
});

describe("MMLU", () => {
  it("loads the original CSV layout, subject and split from the file name", async () => {
    const file = join(dir, "high_school_geography_test.csv");
    writeFileSync(
      file,
      'What is the capital of Peru?,Lima,Quito,"La Paz, Bolivia",Bogota,A\n"Which, of these?",1,2,3,4,D\n',
    );
    const { items, format } = await loadMmlu(file);
    expect(format).toBe("mmlu");
    expect(items).toHaveLength(2);
    expect(items[0]).toMatchObject({ subject: "high_school_geography", split: "test", answer: "A" });
    expect(items[0].choices[2]).toBe("La Paz, Bolivia");
    expect(score({ kind: "choice", letter: items[1].answer }, "D")).toBe(1);
  });

  it("skips a byte-order mark and a header row, reports a bad row by line and counts it when skipping", async () => {
    const file = join(dir, "anatomy_dev.csv");
    writeFileSync(file, "\ufeffquestion,A,B,C,D,answer\nq1,a,b,c,d,B\nq2,a,b,c,d,E\nq3,a,b,c\n");
    const error = await loadMmlu(file).catch((e) => e);
    expect(error).toBeInstanceOf(BadDataError);
    expect(error.message).toContain(`${file}:3: the answer is "E"`);
    expect(error.message).toContain(`${file}:4: expected 6 columns`);
    const skipped = await loadMmlu(file, { skipBadLines: true });
    expect(skipped.items.map((i) => i.question)).toEqual(["q1"]);
    expect(skipped.skipped).toBe(2);
  });

  it("loads Hugging Face rows (choices list, numeric answer) and converts them to records", async () => {
    const file = writeJsonl(join(dir, "mmlu.jsonl"), [
      { question: "2 + 2 = ?", subject: "elementary_mathematics", choices: ["3", "4", "5", "6"], answer: 1 },
    ]);
    const { items } = await loadMmlu(file);
    expect(items[0]).toMatchObject({ subject: "elementary_mathematics", answer: "B" });
    const records = await readRecords(file);
    expect(records.format).toBe("mmlu");
    expect(records.items[0].conversations[1].value).toBe("B");
    expect(records.items[0].conversations[0].value).toContain("B. 4");
  });
});

describe("GSM8K", () => {
  const rows = [
    {
      question: "Natalia sold clips to 48 friends in April, and half as many in May. How many in all?",
      answer: "In May she sold 48/2 = <<48/2=24>>24 clips.\nIn all: 48+24 = <<48+24=72>>72 clips.\n#### 72",
    },
    { question: "A big number?", answer: "It is large.\n#### 1,234" },
  ];

  it("loads JSONL: the final number is the checker, calculator notes are dropped", async () => {
    const { items } = await loadGsm8k(writeJsonl(join(dir, "train.jsonl"), rows));
    expect(items[0].check).toEqual({ kind: "number", value: 72 });
    expect(items[0].reference).toBe(
      "In May she sold 48/2 = 24 clips.\nIn all: 48+24 = 72 clips.\nThe answer is 72.",
    );
    expect(items[0].split).toBe("train");
    expect(score(items[1].check, items[1].reference)).toBe(1);
    expect(score(items[0].check, "I think 70.")).toBe(0);
  });

  it("loads the Hugging Face Parquet shard and infers the format for conversion", async () => {
    const file = writeFlatParquet(join(dir, "test-00000-of-00001.parquet"), {
      question: rows.map((r) => r.question),
      answer: rows.map((r) => r.answer),
    });
    const { items } = await loadGsm8k(file);
    expect(items.map((i) => i.check)).toEqual([
      { kind: "number", value: 72 },
      { kind: "number", value: 1234 },
    ]);
    const records = await readRecords(file);
    expect(records.format).toBe("gsm8k");
    expect(records.items[0].meta).toMatchObject({ family: "gsm8k", split: "test" });
  });

  it("reports a row without a final answer by line", async () => {
    const file = writeJsonl(join(dir, "bad-gsm8k.jsonl"), [rows[0], { question: "q", answer: "no marker" }]);
    await expect(loadGsm8k(file)).rejects.toThrow(`${file}:2: "answer" has no "#### N" final-answer line`);
    expect((await loadGsm8k(file, { skipBadLines: true })).skipped).toBe(1);
  });
});
