import { invalidStep, type Simulation } from "../../common/episode.ts";
import { defineFamily } from "../../common/family.ts";
import type { Move, ResetResult, StepResult } from "../../types.ts";
import { qaCorpus } from "./corpus.ts";
import { makeQaTask, QA_TEMPLATES, type QaData, type QaOptions, tokenF1 } from "./task.ts";

const QA_ACTION_HELP = "search[entity], lookup[keyword], finish[answer]";
const SUMMARY_SENTENCES = 3;

const wordsOf = (text: string) => new Set(text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []);

class QaSimulation implements Simulation {
  private page: { title: string; sentences: string[] } | null = null;
  private lookup: { keyword: string; hits: string[]; next: number } | null = null;

  constructor(
    private readonly data: QaData,
    private readonly question: string,
  ) {}

  reset(): ResetResult {
    this.page = null;
    this.lookup = null;
    return { observation: `Question: ${this.question}\nUse ${QA_ACTION_HELP}.` };
  }

  step(raw: string): StepResult {
    const m = raw.trim().match(/^(search|lookup|finish)\s*\[(.*)\]$/is);
    if (!m)
      return invalidStep(
        `Invalid action: '${raw.trim()}'. Use one of ${QA_ACTION_HELP}, e.g. search[The Amber Orchard].`,
      );
    const verb = m[1].toLowerCase();
    const argument = m[2].trim().replace(/^["']|["']$/g, "");
    const ok = (observation: string): StepResult => ({
      observation,
      reward: 0,
      done: false,
      info: { valid: true },
    });
    if (verb === "finish") {
      const reward = tokenF1(argument, this.data.answer);
      return {
        observation: `Episode finished. Your answer: ${argument}`,
        reward: Math.round(reward * 1e6) / 1e6,
        done: true,
        info: { valid: true, success: reward === 1 },
      };
    }
    if (!argument)
      return invalidStep(
        `Invalid action: ${verb}[] needs something inside the brackets, e.g. ${verb}[${verb === "search" ? "Norland" : "born"}].`,
      );
    if (verb === "search") {
      const page = qaCorpus().pages.get(argument.toLowerCase());
      if (!page) {
        const query = wordsOf(argument);
        const similar = [...qaCorpus().pages.values()]
          .map((p) => ({ title: p.title, overlap: [...wordsOf(p.title)].filter((w) => query.has(w)).length }))
          .filter((p) => p.overlap > 0)
          .sort((a, b) => b.overlap - a.overlap || a.title.localeCompare(b.title))
          .slice(0, 5)
          .map((p) => p.title);
        return ok(`Could not find [${argument}]. Similar: [${similar.join(", ")}].`);
      }
      this.page = page;
      this.lookup = null;
      return ok(page.sentences.slice(0, SUMMARY_SENTENCES).join(" "));
    }
    if (!this.page)
      return invalidStep("Invalid action: there is no page to look things up in yet; search[entity] first.");
    const keyword = argument.toLowerCase();
    if (this.lookup?.keyword !== keyword) {
      this.lookup = {
        keyword,
        hits: this.page.sentences.filter((s) => s.toLowerCase().includes(keyword)),
        next: 0,
      };
    }
    const { hits } = this.lookup;
    if (this.lookup.next >= hits.length) return ok("No more results.");
    const sentence = hits[this.lookup.next++];
    return ok(`(Result ${this.lookup.next} / ${hits.length}) ${sentence}`);
  }
}

/** What the expert needs from a page: a pattern with one capture group, and the word to look it up by. */
interface Fact {
  pattern: RegExp;
  keyword: string;
  what: string;
}
const BORN_CITY: Fact = {
  pattern: /was born in ([^.]+?) in \d{4}\./,
  keyword: "born",
  what: "where {} was born",
};
const BORN_YEAR: Fact = {
  pattern: /was born in [^.]+? in (\d{4})\./,
  keyword: "born",
  what: "when {} was born",
};
const FOUNDED: Fact = {
  pattern: /It was founded in (\d+)\./,
  keyword: "founded",
  what: "when {} was founded",
};
const RUNTIME: Fact = {
  pattern: /The film runs (\d+) minutes\./,
  keyword: "minutes",
  what: "how long {} runs",
};
const LEAD: Fact = {
  pattern: /It stars (.+?) in the lead role/,
  keyword: "lead role",
  what: "who plays the lead in {}",
};
const SHOT: Fact = { pattern: /shot on location in ([^.]+)\./, keyword: "shot", what: "where {} was shot" };
const DIRECTOR: Fact = {
  pattern: /film directed by ([^.]+)\./,
  keyword: "directed",
  what: "who directed {}",
};
const COUNTRY: Fact = {
  pattern: /is a city in ([^.]+)\./,
  keyword: "city in",
  what: "which country {} is in",
};

/** The expert: searches each page the question needs, looks up a fact when the summary lacks it. */
function planQa(data: QaData, question: string): Move[] {
  const sim = new QaSimulation(data, question);
  sim.reset();
  const moves: Move[] = [];
  let observation = "";
  const act = (thought: string, action: string) => {
    moves.push({ thought, action });
    observation = sim.step(action).observation;
  };
  /** Searches `title` (with `why` as the thought) and returns the fact, looking it up if needed. */
  const read = (title: string, fact: Fact, why: string): string => {
    act(why, `search[${title}]`);
    const found = observation.match(fact.pattern);
    if (found) return found[1];
    act(
      `The summary of ${title} does not say ${fact.what.replace("{}", title)}, so I'll look up "${fact.keyword}".`,
      `lookup[${fact.keyword}]`,
    );
    return observation.match(fact.pattern)![1];
  };
  const finish = (answer: string, because: string) =>
    act(`${because} So the answer is ${answer}.`, `finish[${answer}]`);
  const [first, second] = data.supporting;

  switch (data.template) {
    case "director_birthplace": {
      const director = read(
        first,
        DIRECTOR,
        `I need to find who directed ${first}, then where that person was born. I'll search ${first} first.`,
      );
      const place = read(
        director,
        BORN_CITY,
        `${first} was directed by ${director}. Next I need to find where ${director} was born.`,
      );
      finish(place, `${director} was born in ${place}.`);
      break;
    }
    case "birthplace_founded": {
      const place = read(
        first,
        BORN_CITY,
        `I need to find where ${first} was born, then when that city was founded. I'll search ${first} first.`,
      );
      const year = read(
        place,
        FOUNDED,
        `${first} was born in ${place}. Next I need to find when ${place} was founded.`,
      );
      finish(year, `${place} was founded in ${year}.`);
      break;
    }
    case "born_first": {
      const a = Number(
        read(
          first,
          BORN_YEAR,
          `I need the birth years of ${first} and ${second} to compare them. I'll search ${first} first.`,
        ),
      );
      const b = Number(
        read(second, BORN_YEAR, `${first} was born in ${a}. Next I need ${second}'s birth year.`),
      );
      finish(
        a < b ? first : second,
        `${first} was born in ${a} and ${second} in ${b}, so ${a < b ? first : second} was born first.`,
      );
      break;
    }
    case "longer_film": {
      const a = Number(
        read(
          first,
          RUNTIME,
          `I need the running times of ${first} and ${second} to compare them. I'll search ${first} first.`,
        ),
      );
      const b = Number(
        read(second, RUNTIME, `${first} runs ${a} minutes. Next I need the running time of ${second}.`),
      );
      finish(
        a > b ? first : second,
        `${first} runs ${a} minutes and ${second} runs ${b}, so ${a > b ? first : second} is longer.`,
      );
      break;
    }
    case "lead_actor_country": {
      const lead = read(
        first,
        LEAD,
        `I need the lead actor of ${first}, then where they were born, then that city's country. I'll search ${first} first.`,
      );
      const place = read(
        lead,
        BORN_CITY,
        `The lead actor of ${first} is ${lead}. Next I need to find where ${lead} was born.`,
      );
      const country = read(
        place,
        COUNTRY,
        `${lead} was born in ${place}. Now I need to find which country ${place} is in.`,
      );
      finish(country, `${place} is a city in ${country}.`);
      break;
    }
    case "filming_country": {
      const place = read(
        first,
        SHOT,
        `I need to find where ${first} was shot, then which country that city is in. I'll search ${first} first.`,
      );
      const country = read(
        place,
        COUNTRY,
        `${first} was shot in ${place}. Next I need to find which country ${place} is in.`,
      );
      finish(country, `${place} is a city in ${country}.`);
      break;
    }
  }
  return moves;
}

export const multihopQa = defineFamily<QaData, QaOptions>({
  family: "multihop_qa",
  group: "held-out",
  description:
    "HotpotQA-like multi-hop question answering over a built-in collection of 860 generated pages " +
    "(people, films, cities). search[entity] shows a page's first sentences, lookup[keyword] the next sentence " +
    "of that page containing the keyword, finish[answer] ends. Reward: HotpotQA token F1 against the gold answer; " +
    "success on an exact match.",
  actionSpace: `One action per turn: ${QA_ACTION_HELP}. Search takes an exact page title, e.g. search[The Amber Orchard]; a miss lists similar titles.`,
  maxTurns: 10,
  options: {
    template: {
      description: "restrict questions to one template, or 'any'",
      default: "any",
      choices: ["any", ...Object.keys(QA_TEMPLATES)],
    },
  },
  generate: makeQaTask,
  simulate: (data, task) => new QaSimulation(data, task.instruction),
  plan: (data, task) => planQa(data, task.instruction),
  afterEnd: { thought: "I have already answered.", action: "finish[]" },
  exampleOptions: { template: "director_birthplace" },
});
