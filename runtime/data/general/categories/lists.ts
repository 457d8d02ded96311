import type { Rng } from "../../../util/random.ts";
import type { Candidate, CandidateMaker } from "./candidate.ts";

const numbers = (rng: Rng, lo = 3, hi = 6): number[] =>
  Array.from({ length: rng.int(lo, hi) }, () => rng.int(0, 50));

const listItem = (task: string, instruction: string, values: number[]): Candidate => ({
  category: "lists",
  task,
  instruction,
  reference: values.join(", "),
  check: { kind: "list", values },
});

const numberItem = (task: string, instruction: string, value: number): Candidate => ({
  category: "lists",
  task,
  instruction,
  reference: String(value),
  check: { kind: "number", value },
});

const makers: CandidateMaker[] = [
  (rng) => {
    const xs = numbers(rng);
    return listItem(
      "sort",
      `Sort from smallest to largest: ${xs.join(", ")}`,
      [...xs].sort((a, b) => a - b),
    );
  },
  (rng) => {
    const xs = numbers(rng);
    return listItem(
      "sort-desc",
      `Sort from largest to smallest: ${xs.join(", ")}`,
      [...xs].sort((a, b) => b - a),
    );
  },
  (rng) => {
    const xs = numbers(rng);
    return listItem("reverse", `Reverse the order of this list: ${xs.join(", ")}`, [...xs].reverse());
  },
  (rng) => {
    // Draw from a narrow range so duplicates are common.
    const xs = Array.from({ length: rng.int(4, 7) }, () => rng.int(1, 6));
    return listItem("dedupe", `Remove duplicates, keeping the first of each: ${xs.join(", ")}`, [
      ...new Set(xs),
    ]);
  },
  (rng) => {
    let xs = numbers(rng);
    while (!xs.some((x) => x % 2 === 0)) xs = numbers(rng);
    return listItem(
      "evens",
      `Keep only the even numbers, in order: ${xs.join(", ")}`,
      xs.filter((x) => x % 2 === 0),
    );
  },
  (rng) => {
    const xs = numbers(rng);
    return numberItem("max", `What is the largest number in: ${xs.join(", ")}?`, Math.max(...xs));
  },
  (rng) => {
    const xs = numbers(rng);
    return numberItem("min", `What is the smallest number in: ${xs.join(", ")}?`, Math.min(...xs));
  },
  (rng) => {
    const xs = numbers(rng, 3, 5);
    return numberItem(
      "sum",
      `What is the sum of: ${xs.join(", ")}?`,
      xs.reduce((a, b) => a + b, 0),
    );
  },
  (rng) => {
    const xs = numbers(rng, 3, 8);
    return numberItem("count", `How many numbers are in this list: ${xs.join(", ")}?`, xs.length);
  },
];

export const lists: CandidateMaker = (rng) => rng.pick(makers)(rng);
