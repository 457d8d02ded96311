import { words } from "../tables.ts";
import type { Candidate, CandidateMaker } from "./candidate.ts";

const only = "Reply with only the result.";

const text = (task: string, instruction: string, reference: string, caseSensitive = false): Candidate => ({
  category: "strings",
  task,
  instruction,
  reference,
  check: { kind: "text", value: reference, caseSensitive },
});

const count = (task: string, instruction: string, value: number): Candidate => ({
  category: "strings",
  task,
  instruction,
  reference: String(value),
  check: { kind: "number", value },
});

const makers: CandidateMaker[] = [
  (rng) => {
    const word = rng.pick(words);
    return text("reverse", `Reverse the letters of "${word}". ${only}`, [...word].reverse().join(""));
  },
  (rng) => {
    const word = rng.pick(words);
    return text("uppercase", `Write "${word}" in capital letters. ${only}`, word.toUpperCase(), true);
  },
  (rng) => {
    const word = rng.pick(words);
    return text("lowercase", `Write "${word.toUpperCase()}" in small letters. ${only}`, word, true);
  },
  (rng) => {
    const word = rng.pick(words);
    // Mostly letters that occur in the word, sometimes one that does not (answer 0).
    const letter = rng.next() < 0.8 ? rng.pick([...word]) : rng.pick([..."bdfkqvxz"]);
    const times = [...word].filter((c) => c === letter).length;
    return count("count-letter", `How many times does the letter "${letter}" appear in "${word}"?`, times);
  },
  (rng) => {
    const word = rng.pick(words);
    return count("length", `How many letters are in the word "${word}"?`, word.length);
  },
  (rng) => {
    const word = rng.pick(words);
    const first = rng.next() < 0.5;
    return text(
      first ? "first-letter" : "last-letter",
      `What is the ${first ? "first" : "last"} letter of "${word}"? ${only}`,
      first ? word[0] : word[word.length - 1],
    );
  },
  (rng) => {
    const [a, b] = rng.sample(words, 2);
    return text("join", `Join "${a}" and "${b}" with a hyphen. ${only}`, `${a}-${b}`);
  },
  (rng) => {
    const word = rng.pick(words);
    const capitalised = word[0].toUpperCase() + word.slice(1);
    return text("capitalise", `Capitalise the first letter of "${word}". ${only}`, capitalised, true);
  },
];

export const strings: CandidateMaker = (rng) => rng.pick(makers)(rng);
