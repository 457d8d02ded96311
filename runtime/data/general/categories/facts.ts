import { capitals, elements, unitFactors } from "../tables.ts";
import type { Candidate, CandidateMaker } from "./candidate.ts";

const fact = (task: string, instruction: string, answer: string): Candidate => ({
  category: "facts",
  task,
  instruction,
  reference: answer,
  check: { kind: "contains", value: answer },
});

const makers: CandidateMaker[] = [
  (rng) => {
    const [country, capital] = rng.pick(capitals);
    return fact("capital", `What is the capital of ${country}?`, capital);
  },
  (rng) => {
    const [country, capital] = rng.pick(capitals);
    return fact("country-of-capital", `${capital} is the capital of which country?`, country);
  },
  (rng) => {
    const [element, symbol] = rng.pick(elements);
    return {
      ...fact("element-symbol", `What is the chemical symbol for ${element}?`, symbol),
      // Symbols are case-significant ("Co" is not "CO"), so compare the whole reply exactly.
      check: { kind: "text", value: symbol, caseSensitive: true },
    };
  },
  (rng) => {
    const [element, symbol] = rng.pick(elements);
    return fact("symbol-element", `Which chemical element has the symbol ${symbol}?`, element);
  },
  (rng) => {
    const [large, small, factor] = rng.pick(unitFactors);
    const amount = rng.int(2, 30);
    const value = amount * factor;
    return {
      category: "facts",
      task: "units",
      instruction: `How many ${small} are in ${amount} ${large}?`,
      reference: `${amount} * ${factor} = ${value}.`,
      check: { kind: "number", value },
    };
  },
];

export const facts: CandidateMaker = (rng) => rng.pick(makers)(rng);
