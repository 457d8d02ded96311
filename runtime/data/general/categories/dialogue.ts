import { days, greetings, impossibleRequests, names, thanks } from "../tables.ts";
import type { CandidateMaker } from "./candidate.ts";

const greetingWords = ["hello", "hi", "hey", "good morning", "good evening", "welcome"];
const thanksWords = ["welcome", "my pleasure", "glad", "happy to help", "goodbye", "bye", "take care"];

const makers: CandidateMaker[] = [
  (rng) => {
    const [said, reply] = rng.pick(greetings);
    // Half the greetings introduce the speaker, and the reply greets them by name.
    const name = rng.next() < 0.5 ? undefined : rng.pick(names);
    return {
      category: "dialogue",
      task: "greeting",
      instruction: name ? `${said} I'm ${name}.` : said,
      reference: name ? reply.replace(/^(\w+(?: \w+)?)!/, `$1, ${name}!`) : reply,
      check: { kind: "phrase", anyOf: greetingWords, maxChars: 120 },
    };
  },
  (rng) => {
    const [said, reply] = rng.pick(thanks);
    return {
      category: "dialogue",
      task: "thanks",
      instruction: said,
      reference: reply,
      check: { kind: "phrase", anyOf: thanksWords, maxChars: 120 },
    };
  },
  (rng) => {
    const [template, reason] = rng.pick(impossibleRequests);
    const instruction = template
      .replace("{day}", rng.pick(days))
      .replace("{year}", String(rng.int(2030, 2099)))
      .replace("{name}", rng.pick(names));
    return {
      category: "dialogue",
      task: "refusal",
      instruction,
      reference: `Sorry, I can't do that: ${reason}.`,
      check: { kind: "refusal" },
    };
  },
];

export const dialogue: CandidateMaker = (rng) => rng.pick(makers)(rng);
