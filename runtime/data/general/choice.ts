import { Rng } from "../../util/random.ts";
import type { ConversationRecord } from "../record.ts";
import { choicePrompt } from "./checkers.ts";
import { contentId, GeneralSetTooSmallError, type GeneralSplit, splitOf } from "./split.ts";
import { capitals, elements, unitFactors } from "./tables.ts";
import { type ChoiceItem, type Letter, letters } from "./types.ts";

interface Question {
  subject: string;
  question: string;
  answer: string;
  distractors: string[];
}

const otherThan = <T>(items: readonly T[], skip: T): T[] => items.filter((item) => item !== skip);

/** MMLU-like question makers over the built-in tables; each returns an answer and wrong options. */
const makers: Array<(rng: Rng) => Question> = [
  (rng) => {
    const [country, capital] = rng.pick(capitals);
    const others = otherThan(
      capitals.map(([, c]) => c),
      capital,
    );
    return {
      subject: "geography",
      question: `What is the capital of ${country}?`,
      answer: capital,
      distractors: rng.sample(others, 3),
    };
  },
  (rng) => {
    const [element, symbol] = rng.pick(elements);
    const others = otherThan(
      elements.map(([, s]) => s),
      symbol,
    );
    return {
      subject: "chemistry",
      question: `What is the chemical symbol for ${element}?`,
      answer: symbol,
      distractors: rng.sample(others, 3),
    };
  },
  (rng) => {
    const [a, b] = [rng.int(3, 19), rng.int(3, 19)];
    const answer = a * b;
    // Near misses, as a careless multiplier would get them.
    const wrong = new Set<number>();
    for (const delta of rng.shuffle([-a, a, -b, b, 1, -1, 10, -10])) {
      if (wrong.size < 3 && answer + delta > 0 && answer + delta !== answer) wrong.add(answer + delta);
    }
    return {
      subject: "arithmetic",
      question: `What is ${a} * ${b}?`,
      answer: String(answer),
      distractors: [...wrong].map(String),
    };
  },
  (rng) => {
    const [large, small, factor] = rng.pick(unitFactors);
    const amount = rng.int(2, 20);
    const answer = amount * factor;
    const wrong = new Set([
      amount + factor,
      answer * 10,
      Math.round(answer / 10),
      answer + factor,
      answer - factor,
    ]);
    wrong.delete(answer);
    return {
      subject: "units",
      question: `How many ${small} are in ${amount} ${large}?`,
      answer: String(answer),
      distractors: [...wrong].slice(0, 3).map(String),
    };
  },
];

export interface ChoiceOptions {
  split: GeneralSplit;
  count: number;
  seed: number | string;
}

/** `count` distinct multiple-choice items of one split; the answer letter is spread over A–D. */
export function generateChoices(options: ChoiceOptions): ChoiceItem[] {
  const rng = new Rng(`choice:${options.split}:${options.seed}`);
  const seen = new Set<string>();
  const items: ChoiceItem[] = [];
  // Draws in a row that found nothing new: past this many, the split's pool (about 600
  // questions over both splits) counts as used up.
  const patience = 4000;
  for (let misses = 0; items.length < options.count; ) {
    const made = rng.pick(makers)(rng);
    if (seen.has(made.question) || splitOf(made.question) !== options.split) {
      if (++misses > patience) {
        throw new GeneralSetTooSmallError(
          `the built-in multiple-choice set has only ${items.length} distinct ${options.split} questions; ask for at most that many`,
        );
      }
      continue;
    }
    misses = 0;
    seen.add(made.question);
    const choices = rng.shuffle([made.answer, ...made.distractors]) as ChoiceItem["choices"];
    const answer = letters[choices.indexOf(made.answer)] as Letter;
    items.push({
      id: contentId("choice", made.question),
      subject: made.subject,
      split: options.split,
      question: made.question,
      choices,
      answer,
    });
  }
  return items;
}

/** A multiple-choice item as a training record: the prompt with options, then the letter. */
export function choiceRecord(item: ChoiceItem): ConversationRecord {
  return {
    id: item.id,
    conversations: [
      { from: "human", value: choicePrompt(item), loss: null },
      { from: "gpt", value: item.answer, loss: null },
    ],
    meta: { family: "general-choice", split: item.split, subject: item.subject },
  };
}
