/** The multihop_qa family's built-in document collection: people, films and cities, from a fixed seed. */
import { Rng } from "../../../util/random.ts";

export interface Person {
  name: string;
  occupation: string;
  city: string;
  year: number;
  pronoun: "He" | "She";
}
export interface Film {
  title: string;
  year: number;
  genre: string;
  director: string;
  lead: string;
  costar: string;
  runtime: number;
  city: string;
}
export interface City {
  name: string;
  country: string;
  founded: number;
  population: number;
}

export interface Corpus {
  people: Person[];
  films: Film[];
  cities: City[];
  /** Title (lower case) → the document's title and sentences. */
  pages: Map<string, { title: string; sentences: string[] }>;
}

const FIRST_F = [
  "Amelia",
  "Beatrix",
  "Celia",
  "Dagny",
  "Esme",
  "Freya",
  "Greta",
  "Helga",
  "Imogen",
  "Juno",
  "Katya",
  "Livia",
  "Maren",
  "Noemi",
  "Odile",
  "Petra",
  "Rhea",
  "Selma",
  "Thea",
  "Ulla",
];
const FIRST_M = [
  "Anders",
  "Bastian",
  "Cyril",
  "Dorian",
  "Emil",
  "Felix",
  "Gideon",
  "Hugo",
  "Isak",
  "Jasper",
  "Konrad",
  "Leopold",
  "Magnus",
  "Nikolai",
  "Osric",
  "Pieter",
  "Rune",
  "Silas",
  "Tobias",
  "Viggo",
];
const LAST = [
  "Ahlberg",
  "Bellamy",
  "Corvin",
  "Delacroix",
  "Engstrom",
  "Falk",
  "Grieve",
  "Holm",
  "Ivers",
  "Jovanovic",
  "Kessler",
  "Lindgren",
  "Marchetti",
  "Nyberg",
  "Ostrova",
  "Pellerin",
  "Quist",
  "Rosendahl",
  "Sandoval",
  "Thorne",
  "Ulvaeus",
  "Vance",
  "Wexler",
  "Zoller",
];
const OCCUPATIONS = [
  "novelist",
  "painter",
  "physicist",
  "architect",
  "composer",
  "poet",
  "chemist",
  "journalist",
  "sculptor",
  "economist",
];
const GENRES = [
  "drama",
  "comedy",
  "thriller",
  "documentary",
  "science fiction",
  "romance",
  "mystery",
  "western",
];
const ADJ = [
  "Silent",
  "Amber",
  "Northern",
  "Hollow",
  "Scarlet",
  "Quiet",
  "Wandering",
  "Falling",
  "Painted",
  "Lonely",
  "Bright",
  "Distant",
];
const NOUN = [
  "Lighthouse",
  "Orchard",
  "Winter",
  "Harbour",
  "Lantern",
  "Meridian",
  "Vineyard",
  "Crossing",
  "Glacier",
  "Carnival",
  "Tide",
  "Station",
];
const COUNTRIES = [
  "Estavia",
  "Norland",
  "Calderon",
  "Veloria",
  "Ostmark",
  "Lusitania",
  "Brevia",
  "Kaltheim",
  "Marovia",
  "Sundria",
  "Tarvos",
  "Elbonia",
];
const FEATURES = [
  "canals",
  "old harbour",
  "botanical garden",
  "cathedral",
  "jazz festival",
  "textile mills",
  "hot springs",
  "river bridges",
  "university",
  "fish market",
];
const SYLLABLES = [
  "bel",
  "mor",
  "ast",
  "ven",
  "dra",
  "kel",
  "sor",
  "tam",
  "vil",
  "ros",
  "gan",
  "lis",
  "ter",
  "hol",
  "mir",
  "dun",
];
const PRIZES = ["Aurora", "Castell", "Halden", "Meridian", "Sterling", "Vantor"];

let corpus: Corpus | undefined;

/** The collection (860 pages), built on first use; the same on every machine. */
export function qaCorpus(): Corpus {
  if (corpus) return corpus;
  const rng = new Rng("multihop-corpus-v1");
  const used = new Set<string>();
  const unique = (make: () => string) => {
    for (;;) {
      const name = make();
      if (!used.has(name.toLowerCase())) {
        used.add(name.toLowerCase());
        return name;
      }
    }
  };
  const cities: City[] = Array.from({ length: 100 }, () => {
    const cityName = () => {
      const word = Array.from({ length: rng.range(2, 3) }, () => rng.pick(SYLLABLES)).join("");
      return word[0].toUpperCase() + word.slice(1);
    };
    return {
      name: unique(cityName),
      country: rng.pick(COUNTRIES),
      founded: rng.range(900, 1900),
      population: rng.range(12, 3000) * 1000,
    };
  });
  const person = (occupation: string): Person => {
    const pronoun = rng.chance(0.5) ? "He" : "She";
    const name = unique(() => `${rng.pick(pronoun === "He" ? FIRST_M : FIRST_F)} ${rng.pick(LAST)}`);
    return { name, occupation, city: rng.pick(cities).name, year: rng.range(1880, 1999), pronoun };
  };
  const directors = Array.from({ length: 60 }, () => person("film director"));
  const actors = Array.from({ length: 160 }, () => person("actor"));
  const others = Array.from({ length: 280 }, () => person(rng.pick(OCCUPATIONS)));
  const films: Film[] = Array.from({ length: 260 }, () => {
    const [lead, costar] = rng.sample(actors, 2);
    const runtime = rng.range(75, 200);
    return {
      title: unique(() =>
        rng.chance(0.3)
          ? `The ${rng.pick(ADJ)} ${rng.pick(NOUN)}`
          : `${rng.pick(ADJ)} ${rng.pick(NOUN)} ${rng.pick(["Nights", "Rising", "Forever", "Returns", "Blues"])}`,
      ),
      year: rng.range(1950, 2023),
      genre: rng.pick(GENRES),
      director: rng.pick(directors).name,
      lead: lead.name,
      costar: costar.name,
      runtime,
      city: rng.pick(cities).name,
    };
  });
  const people = [...directors, ...actors, ...others];

  const pages = new Map<string, { title: string; sentences: string[] }>();
  const add = (title: string, first: string, rest: string[]) =>
    pages.set(title.toLowerCase(), { title, sentences: [first, ...rng.shuffle(rest)] });
  for (const p of people) {
    const known = films.find((f) => f.director === p.name || f.lead === p.name);
    add(p.name, `${p.name} is a ${p.occupation}.`, [
      known
        ? `${p.pronoun} is best known for ${known.title}.`
        : `${p.pronoun} has worked mostly in ${rng.pick(cities).name}.`,
      `${p.name} was born in ${p.city} in ${p.year}.`,
      `${p.pronoun} studied at the University of ${rng.pick(cities).name}.`,
      `${p.pronoun} received the ${rng.pick(PRIZES)} Prize in ${Math.min(p.year + rng.range(25, 60), 2023)}.`,
    ]);
  }
  for (const f of films) {
    add(f.title, `${f.title} is a ${f.year} ${f.genre} film directed by ${f.director}.`, [
      `It stars ${f.lead} in the lead role, alongside ${f.costar}.`,
      `The film runs ${f.runtime} minutes.`,
      `It was shot on location in ${f.city}.`,
      ((n) => `It received ${n} award nomination${n === 1 ? "" : "s"}.`)(rng.range(0, 9)),
    ]);
  }
  for (const c of cities) {
    add(c.name, `${c.name} is a city in ${c.country}.`, [
      `It was founded in ${c.founded}.`,
      `It has a population of about ${c.population.toLocaleString("en-US")}.`,
      `The city is known for its ${rng.pick(FEATURES)}.`,
    ]);
  }
  corpus = { people, films, cities, pages };
  return corpus;
}
