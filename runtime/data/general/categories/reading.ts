import type { Rng } from "../../../util/random.ts";
import type { Candidate, CandidateMaker } from "./candidate.ts";

// Reading: answer from a text given in the instruction — find a record, quote a value, repeat a
// passage. The names, places and values are invented from syllables, so no answer can be
// memorised: the model has to copy it out of its context, the skill every agent task needs
// (an entity from the question, a file name, a number from the last observation).

const syllables = [
  "ka",
  "lo",
  "mi",
  "ver",
  "ta",
  "zu",
  "ne",
  "ri",
  "so",
  "dal",
  "mon",
  "pe",
  "bri",
  "gan",
  "tho",
  "ul",
  "ys",
  "fen",
  "co",
  "ra",
  "vi",
  "mar",
  "el",
  "dor",
  "quin",
  "sa",
  "bo",
  "lek",
  "tra",
  "ni",
];
const jobs = [
  "baker",
  "nurse",
  "pilot",
  "teacher",
  "farmer",
  "painter",
  "tailor",
  "driver",
  "clerk",
  "chemist",
];
const fillers = [
  "The weather was calm that morning.",
  "Nobody remembered who had left the door open.",
  "The train was late again.",
  "A list of chores hung on the wall.",
  "The report ran to twelve pages.",
  "Someone had watered the plants.",
  "The meeting moved to the small room.",
  "Two boxes were still unopened.",
];

/** An invented word of two or three syllables, e.g. "dalmiro". */
function invented(rng: Rng, min = 2, max = 3): string {
  let word = "";
  for (let n = rng.int(min, max); n > 0; n--) word += rng.pick(syllables);
  return word;
}

const capital = (word: string) => word[0].toUpperCase() + word.slice(1);
const person = (rng: Rng) => `${capital(invented(rng))} ${capital(invented(rng))}`;

/** `count` distinct values from `make`. */
function distinct(rng: Rng, count: number, make: (rng: Rng) => string): string[] {
  const out = new Set<string>();
  while (out.size < count) out.add(make(rng));
  return [...out];
}

const answer = (task: string, instruction: string, reference: string, caseSensitive = true): Candidate => ({
  category: "reading",
  task,
  instruction,
  reference,
  check: { kind: "text", value: reference, caseSensitive },
});

/** The question before or after the text, as agent prompts put the task first or last. */
const ask = (rng: Rng, text: string, question: string) =>
  rng.chance(0.5) ? `${text}\n\n${question}` : `${question}\n\n${text}`;

const only = "Reply with only the answer.";

const makers: CandidateMaker[] = [
  (rng) => {
    const people = distinct(rng, rng.int(3, 9), person);
    const towns = distinct(rng, people.length, (r) => capital(invented(r)));
    const lines = people.map((p, i) => `- ${p} lives in ${towns[i]} and works as a ${rng.pick(jobs)}.`);
    const i = rng.int(people.length);
    return rng.chance(0.5)
      ? answer(
          "who-lives",
          ask(rng, `Residents:\n${lines.join("\n")}`, `Who lives in ${towns[i]}? ${only}`),
          people[i],
        )
      : answer(
          "where-lives",
          ask(rng, `Residents:\n${lines.join("\n")}`, `Where does ${people[i]} live? ${only}`),
          towns[i],
        );
  },
  (rng) => {
    const keys = distinct(rng, rng.int(3, 10), (r) => invented(r, 1, 2));
    const values = keys.map(() => (rng.chance(0.5) ? String(rng.int(1, 9999)) : invented(rng)));
    const i = rng.int(keys.length);
    const text = `Settings:\n${keys.map((k, j) => `${k} = ${values[j]}`).join("\n")}`;
    return answer("setting", ask(rng, text, `What is the value of ${keys[i]}? ${only}`), values[i]);
  },
  (rng) => {
    const phrase = Array.from({ length: rng.int(2, 7) }, () => invented(rng, 1, 3)).join(" ");
    return answer("repeat", `Repeat exactly: ${phrase}`, phrase);
  },
  (rng) => {
    const code = invented(rng, 2, 4);
    const sentences = rng.sample(fillers, rng.int(2, 6));
    sentences.splice(rng.int(sentences.length + 1), 0, `The password is "${code}".`);
    return answer("password", ask(rng, sentences.join(" "), `What is the password? ${only}`), code);
  },
  (rng) => {
    const name = person(rng);
    const form = rng.pick([
      ["Hello, <name>!", (n: string) => `Hello, ${n}!`],
      ["Dear <name>,", (n: string) => `Dear ${n},`],
      ["lookup(<name>)", (n: string) => `lookup(${n})`],
      ["Name: <name>", (n: string) => `Name: ${n}`],
    ] as const);
    return answer("fill-in", `Write "${form[0]}" for ${name}. ${only}`, form[1](name));
  },
  (rng) => {
    const people = distinct(rng, rng.int(2, 5), person);
    const text = people
      .map((p) => `${p} signed the letter on ${rng.pick(["Monday", "Tuesday", "Friday"])}.`)
      .join(" ");
    return answer(
      "list-names",
      ask(rng, text, "List the names in the text, one per line, in order."),
      people.join("\n"),
    );
  },
  (rng) => {
    const lines = Array.from({ length: rng.int(3, 8) }, () =>
      Array.from({ length: rng.int(2, 4) }, () => invented(rng, 1, 2)).join(" "),
    );
    const i = rng.int(lines.length);
    const ordinal = ["first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth"][i];
    return answer("line", ask(rng, lines.join("\n"), `What is the ${ordinal} line? ${only}`), lines[i]);
  },
];

export const reading: CandidateMaker = (rng) => rng.pick(makers)(rng);
