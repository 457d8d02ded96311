import { capitals, listCategories, names, things, wordTopics } from "../tables.ts";
import type { Candidate, CandidateMaker } from "./candidate.ts";

const json = (task: string, instruction: string, fields: Record<string, string | number>): Candidate => ({
  category: "format",
  task,
  instruction,
  reference: JSON.stringify(fields),
  check: { kind: "json", fields },
});

const makers: CandidateMaker[] = [
  (rng) => {
    const [name, age] = [rng.pick(names), rng.int(18, 80)];
    return json("json-person", `Reply in JSON with keys "name" and "age" for ${name}, who is ${age}.`, {
      name,
      age,
    });
  },
  (rng) => {
    const [country, city] = rng.pick(capitals);
    return json("json-capital", `Reply in JSON with keys "country" and "capital" for ${country}.`, {
      country,
      capital: city,
    });
  },
  (rng) => {
    const [x, y] = [rng.int(-20, 20), rng.int(-20, 20)];
    return json("json-point", `Reply in JSON with keys "x" and "y" for the point (${x}, ${y}).`, { x, y });
  },
  (rng) => {
    const [singular] = rng.pick(things);
    const price = rng.int(1, 99);
    return json("json-price", `Reply in JSON with keys "item" and "price": a ${singular} costs ${price}.`, {
      item: singular,
      price,
    });
  },
  (rng) => {
    const [topic, phrase] = rng.pick(wordTopics);
    const count = rng.int(2, 6);
    const chosen = phrase.split(" ").slice(0, count).join(" ");
    return {
      category: "format",
      task: "exact-words",
      instruction: `Describe ${topic} in exactly ${count} words.`,
      reference: `${chosen[0].toUpperCase()}${chosen.slice(1)}.`,
      check: { kind: "words", count },
    };
  },
  (rng) => {
    const [what, allowed] = rng.pick(listCategories);
    const count = rng.int(2, 4);
    const chosen = rng.sample(allowed, count);
    return {
      category: "format",
      task: "bullets",
      instruction: `Name ${count} ${what} as a bulleted list.`,
      reference: chosen.map((item) => `- ${item}`).join("\n"),
      check: { kind: "bullets", count, allowed: [...allowed] },
    };
  },
];

export const format: CandidateMaker = (rng) => rng.pick(makers)(rng);
