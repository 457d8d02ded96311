import { describe, expect, it } from "vitest";
import {
  type Check,
  categories,
  choicePrompt,
  choiceRecord,
  evaluateChoices,
  evaluateGeneral,
  type GeneralItem,
  GeneralSetTooSmallError,
  generalRecord,
  generateChoices,
  generateGeneral,
  score,
  splitOf,
} from "../../runtime/data/general/index.ts";
import { toRecord } from "../../runtime/data/record.ts";

const train = generateGeneral({ split: "train", count: 4000, seed: 7 });
const test = generateGeneral({ split: "test", count: 1000, seed: 7 });

/** A reply that is wrong for the item's checker, built from the reference. */
function wrongReply(check: Check, reference: string): string {
  switch (check.kind) {
    case "number":
      return `${reference} Actually it is ${check.value + 1}.`;
    case "text":
      return `${reference}x`;
    case "contains":
      return "I do not know.";
    case "list":
      return check.values.length > 1 ? [...check.values].reverse().concat(99).join(", ") : "99, 98";
    case "json":
      return JSON.stringify({ ...check.fields, extra: 1 });
    case "words":
      return `${reference} indeed`;
    case "bullets":
      return reference.split("\n").slice(1).join("\n");
    case "choice":
      return check.letter === "A" ? "B" : "A";
    case "phrase":
      return "The mitochondria is the powerhouse of the cell.";
    case "refusal":
      return "Sure! Here it is: 4 8 15 16 23 42.";
  }
}

describe("built-in general set", () => {
  it("is deterministic for a seed and varies with it", () => {
    expect(generateGeneral({ split: "train", count: 300, seed: 7 })).toEqual(train.slice(0, 300));
    const other = generateGeneral({ split: "train", count: 300, seed: 8 });
    expect(other.map((i) => i.instruction)).not.toEqual(train.slice(0, 300).map((i) => i.instruction));
  });

  it("has disjoint train and test splits, whatever the seeds", () => {
    const testOtherSeed = generateGeneral({ split: "test", count: 1000, seed: 99 });
    const trainInstructions = new Set(train.map((i) => i.instruction));
    for (const item of [...test, ...testOtherSeed]) {
      expect(trainInstructions.has(item.instruction)).toBe(false);
      expect(splitOf(item.instruction)).toBe("test");
    }
    expect(train.every((i) => i.split === "train" && splitOf(i.instruction) === "train")).toBe(true);
  });

  it("has thousands of distinct items with unique ids over every category", () => {
    expect(new Set(train.map((i) => i.instruction)).size).toBe(4000);
    expect(new Set(train.map((i) => i.id)).size).toBe(4000);
    const seen = new Set(train.map((i) => i.category));
    expect([...seen].sort()).toEqual([...categories].sort());
    const tasks = new Set(train.map((i) => `${i.category}/${i.task}`));
    expect(tasks.size).toBeGreaterThan(30);
  });

  it("keeps items short: most well under 200 characters", () => {
    const lengths = [...train, ...test].map((i) => i.instruction.length + i.reference.length);
    const mean = lengths.reduce((a, b) => a + b, 0) / lengths.length;
    expect(mean).toBeLessThan(110);
    expect(Math.max(...lengths)).toBeLessThan(200);
  });

  it("accepts every item's reference and rejects a wrong reply, in every category", () => {
    const failures: string[] = [];
    const checked = new Set<string>();
    for (const item of [...train, ...test]) {
      if (score(item.check, item.reference) !== 1)
        failures.push(`reference rejected: ${JSON.stringify(item)}`);
      const wrong = wrongReply(item.check, item.reference);
      if (score(item.check, wrong) >= 1)
        failures.push(`wrong reply ${JSON.stringify(wrong)} accepted: ${item.id}`);
      checked.add(item.category);
    }
    expect(failures.slice(0, 5)).toEqual([]);
    expect(checked.size).toBe(categories.length);
  });

  it("turns items into trainable records", () => {
    const record = generalRecord(train[0]);
    expect(toRecord(JSON.parse(JSON.stringify(record)), "mem", 1)).toEqual(record);
    expect(record.conversations.map((t) => [t.from, t.loss])).toEqual([
      ["human", null],
      ["gpt", null],
    ]);
    expect(record.meta).toMatchObject({ family: "general", split: "train", category: train[0].category });
  });

  it("restricting categories works, and a too-small request says how many exist", () => {
    const dialogue = generateGeneral({ split: "test", count: 50, seed: 1, categories: ["dialogue"] });
    expect(dialogue.every((i) => i.category === "dialogue")).toBe(true);
    expect(() =>
      generateGeneral({ split: "test", count: 100_000, seed: 1, categories: ["dialogue"] }),
    ).toThrow(GeneralSetTooSmallError);
  });

  it("scores a perfect and an empty responder", async () => {
    const items: GeneralItem[] = test.slice(0, 200);
    const byInstruction = new Map(items.map((i) => [i.instruction, i.reference]));
    const perfect = await evaluateGeneral(items, (prompt) => byInstruction.get(prompt) ?? "");
    expect(perfect.mean).toBe(1);
    expect(perfect.count).toBe(200);
    const silent = await evaluateGeneral(items, () => "");
    expect(silent.mean).toBe(0);
    expect(Object.keys(silent.groups).length).toBeGreaterThan(3);
  });
});

describe("built-in multiple-choice set", () => {
  const choiceTrain = generateChoices({ split: "train", count: 300, seed: 3 });
  const choiceTest = generateChoices({ split: "test", count: 100, seed: 3 });

  it("is deterministic, disjoint across splits, and spreads answers over A–D", () => {
    expect(generateChoices({ split: "test", count: 100, seed: 3 })).toEqual(choiceTest);
    const trainQuestions = new Set(choiceTrain.map((i) => i.question));
    expect(choiceTest.some((i) => trainQuestions.has(i.question))).toBe(false);
    expect(new Set(choiceTest.map((i) => i.answer)).size).toBe(4);
    expect(new Set(choiceTrain.map((i) => i.subject)).size).toBe(4);
    for (const item of choiceTrain) expect(new Set(item.choices).size).toBe(4);
  });

  it("prompts with the options and scores the letter", async () => {
    const item = choiceTest[0];
    const prompt = choicePrompt(item);
    for (const choice of item.choices) expect(prompt).toContain(choice);
    const wrong = item.answer === "A" ? "B" : "A";
    expect(score({ kind: "choice", letter: item.answer }, `The answer is ${item.answer}.`)).toBe(1);
    expect(score({ kind: "choice", letter: item.answer }, wrong)).toBe(0);
    const answers = new Map(choiceTest.map((i) => [choicePrompt(i), i.answer]));
    expect((await evaluateChoices(choiceTest, (p) => answers.get(p) ?? "")).mean).toBe(1);
    expect(choiceRecord(item).conversations[1].value).toBe(item.answer);
  });

  it("says how many questions exist when asked for more", () => {
    expect(() => generateChoices({ split: "test", count: 5000, seed: 1 })).toThrow(
      /only \d+ distinct test questions/,
    );
  });
});

describe("checkers", () => {
  it("read numbers, letters, JSON and lists as people write them", () => {
    expect(score({ kind: "number", value: 1234 }, "It costs $1,234 in total.")).toBe(1);
    expect(score({ kind: "number", value: -3 }, "x = -3")).toBe(1);
    expect(score({ kind: "number", value: 12 }, "no idea")).toBe(0);
    expect(score({ kind: "choice", letter: "C" }, "(C) Paris")).toBe(1);
    expect(score({ kind: "choice", letter: "C" }, "answer: c")).toBe(1);
    expect(score({ kind: "choice", letter: "C" }, "I think so")).toBe(0);
    expect(score({ kind: "json", fields: { x: 1, y: "a" } }, 'Here: {"y": "A", "x": 1}')).toBe(1);
    expect(score({ kind: "json", fields: { x: 1, y: "a" } }, '{"y": "b", "x": 1}')).toBe(0.5);
    expect(score({ kind: "json", fields: { x: 1 } }, "{not json}")).toBe(0);
    expect(score({ kind: "list", values: [1, 2, 3] }, "[1, 2, 3]")).toBe(1);
    expect(score({ kind: "list", values: [1, 2, 3] }, "1, 3, 2")).toBe(0);
    expect(score({ kind: "text", value: "olleh" }, '"Olleh".')).toBe(1);
    expect(score({ kind: "text", value: "HELLO", caseSensitive: true }, "hello")).toBe(0);
    expect(score({ kind: "contains", value: "New Delhi" }, "It is New Delhi.")).toBe(1);
    expect(score({ kind: "contains", value: "Rome" }, "Romania")).toBe(0);
    expect(score({ kind: "words", count: 3 }, "Cold white snow.")).toBe(1);
    expect(score({ kind: "bullets", count: 2, allowed: ["red", "blue"] }, "- red\n* blue")).toBe(1);
    expect(score({ kind: "bullets", count: 2, allowed: ["red", "blue"] }, "- red\n- red")).toBe(0);
    expect(score({ kind: "refusal" }, "I'm sorry, nobody can know that.")).toBe(1);
    expect(score({ kind: "phrase", anyOf: ["hello"], maxChars: 20 }, "Hello there!")).toBe(1);
    expect(score({ kind: "phrase", anyOf: ["hello"], maxChars: 20 }, `Hello ${"very ".repeat(10)}`)).toBe(0);
  });
});
