import { names, things } from "../tables.ts";
import type { Candidate, CandidateMaker } from "./candidate.ts";

// GSM8K-like word problems with one or two steps. The reference shows the sum and ends in the
// number, so the "last number in the reply" checker reads it.
const item = (task: string, instruction: string, work: string, value: number): Candidate => ({
  category: "arithmetic",
  task,
  instruction,
  reference: `${work} = ${value}.`,
  check: { kind: "number", value },
});

const makers: CandidateMaker[] = [
  (rng) => {
    const [name, [, plural]] = [rng.pick(names), rng.pick(things)];
    const [a, b] = [rng.int(2, 60), rng.int(2, 40)];
    return item(
      "add",
      `${name} has ${a} ${plural} and gets ${b} more. How many ${plural} does ${name} have now?`,
      `${a} + ${b}`,
      a + b,
    );
  },
  (rng) => {
    const [name, other] = rng.sample(names, 2);
    const [, plural] = rng.pick(things);
    const a = rng.int(10, 90);
    const b = rng.int(1, a - 1);
    return item(
      "subtract",
      `${name} had ${a} ${plural} and gave ${b} to ${other}. How many ${plural} are left?`,
      `${a} - ${b}`,
      a - b,
    );
  },
  (rng) => {
    const [name, [, plural]] = [rng.pick(names), rng.pick(things)];
    const [boxes, each] = [rng.int(2, 12), rng.int(2, 12)];
    return item(
      "multiply",
      `${name} buys ${boxes} boxes with ${each} ${plural} in each. How many ${plural} is that?`,
      `${boxes} * ${each}`,
      boxes * each,
    );
  },
  (rng) => {
    const [name, [, plural]] = [rng.pick(names), rng.pick(things)];
    const [friends, each] = [rng.int(2, 9), rng.int(2, 12)];
    return item(
      "divide",
      `${name} shares ${friends * each} ${plural} equally among ${friends} friends. How many does each get?`,
      `${friends * each} / ${friends}`,
      each,
    );
  },
  (rng) => {
    const [name, [, plural]] = [rng.pick(names), rng.pick(things)];
    const [a, b] = [rng.int(5, 50), rng.int(2, 30)];
    const c = rng.int(1, a + b - 1);
    return item(
      "two-step",
      `${name} has ${a} ${plural}, buys ${b} more, then gives away ${c}. How many ${plural} are left?`,
      `${a} + ${b} - ${c}`,
      a + b - c,
    );
  },
  (rng) => {
    const [singular, plural] = rng.pick(things);
    const [price, count] = [rng.int(2, 20), rng.int(2, 9)];
    return item(
      "price",
      `One ${singular} costs ${price} dollars. How many dollars do ${count} ${plural} cost?`,
      `${count} * ${price}`,
      count * price,
    );
  },
];

export const arithmetic: CandidateMaker = (rng) => rng.pick(makers)(rng);
