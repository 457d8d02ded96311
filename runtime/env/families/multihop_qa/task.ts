/** multihop_qa questions (HotpotQA-like bridge and comparison questions) over the built-in collection. */
import type { Rng } from "../../../util/random.ts";
import type { TaskContent } from "../../common/tasks.ts";
import { qaCorpus } from "./corpus.ts";

export interface QaData {
  template: string;
  answer: string;
  /** The pages that hold the supporting facts, in the order a reader needs them. */
  supporting: string[];
  collection: "v1";
}

export interface QaOptions {
  template: string;
}

type Template = (rng: Rng) => TaskContent<QaData> | null;
const task = (
  template: string,
  question: string,
  answer: string,
  supporting: string[],
): TaskContent<QaData> => ({
  instruction: question,
  data: { template, answer, supporting, collection: "v1" },
});
const person = (name: string) => qaCorpus().people.find((p) => p.name === name)!;
const city = (name: string) => qaCorpus().cities.find((c) => c.name === name)!;

export const QA_TEMPLATES: Record<string, Template> = {
  director_birthplace(rng) {
    const film = rng.pick(qaCorpus().films);
    const director = person(film.director);
    return task(
      "director_birthplace",
      `In which city was the director of ${film.title} born?`,
      director.city,
      [film.title, director.name],
    );
  },
  birthplace_founded(rng) {
    const p = rng.pick(qaCorpus().people);
    return task(
      "birthplace_founded",
      `In what year was the city where ${p.name} was born founded?`,
      String(city(p.city).founded),
      [p.name, p.city],
    );
  },
  born_first(rng) {
    const [a, b] = rng.sample(qaCorpus().people, 2);
    if (a.year === b.year) return null;
    return task(
      "born_first",
      `Who was born first, ${a.name} or ${b.name}?`,
      a.year < b.year ? a.name : b.name,
      [a.name, b.name],
    );
  },
  longer_film(rng) {
    const [a, b] = rng.sample(qaCorpus().films, 2);
    if (a.runtime === b.runtime) return null;
    return task(
      "longer_film",
      `Which film is longer, ${a.title} or ${b.title}?`,
      a.runtime > b.runtime ? a.title : b.title,
      [a.title, b.title],
    );
  },
  lead_actor_country(rng) {
    const film = rng.pick(qaCorpus().films);
    const lead = person(film.lead);
    return task(
      "lead_actor_country",
      `In which country was the lead actor of ${film.title} born?`,
      city(lead.city).country,
      [film.title, lead.name, lead.city],
    );
  },
  filming_country(rng) {
    const film = rng.pick(qaCorpus().films);
    return task("filming_country", `In which country was ${film.title} shot?`, city(film.city).country, [
      film.title,
      film.city,
    ]);
  },
};

export function makeQaTask(rng: Rng, options: QaOptions): TaskContent<QaData> {
  for (;;) {
    const name = options.template === "any" ? rng.pick(Object.keys(QA_TEMPLATES)) : options.template;
    const made = QA_TEMPLATES[name](rng);
    if (made) return made;
  }
}

/** HotpotQA's answer normalisation: lower case, no punctuation, no articles, single spaces. */
export function normaliseAnswer(text: string): string[] {
  return text
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s]/gu, " ")
    .split(/\s+/)
    .filter((t) => t && !["a", "an", "the"].includes(t));
}

/** HotpotQA's token F1 between a prediction and the gold answer. */
export function tokenF1(prediction: string, gold: string): number {
  const p = normaliseAnswer(prediction);
  const g = normaliseAnswer(gold);
  if (p.length === 0 || g.length === 0) return p.length === g.length ? 1 : 0;
  const counts = new Map<string, number>();
  for (const t of g) counts.set(t, (counts.get(t) ?? 0) + 1);
  let common = 0;
  for (const t of p) {
    const left = counts.get(t) ?? 0;
    if (left > 0) {
      common++;
      counts.set(t, left - 1);
    }
  }
  if (common === 0) return 0;
  const precision = common / p.length;
  const recall = common / g.length;
  return (2 * precision * recall) / (precision + recall);
}
