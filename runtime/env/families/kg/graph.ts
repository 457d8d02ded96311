/** The kg family's built-in knowledge graph (Freebase-style relation names), generated from a fixed seed. */
import { Rng } from "../../../util/random.ts";

export type EntityType =
  | "people.person"
  | "film.film"
  | "film.film_genre"
  | "location.citytown"
  | "location.country"
  | "education.university"
  | "organization.organization";

export interface Entity {
  name: string;
  type: EntityType;
  attributes: Record<string, number>;
}

/** Each forward relation with its reverse, so every edge can be walked both ways. */
const RELATIONS: Array<{ forward: string; reverse: string; from: EntityType; to: EntityType }> = [
  {
    forward: "people.person.place_of_birth",
    reverse: "location.location.people_born_here",
    from: "people.person",
    to: "location.citytown",
  },
  {
    forward: "people.person.education",
    reverse: "education.educational_institution.students_graduates",
    from: "people.person",
    to: "education.university",
  },
  { forward: "film.film.directed_by", reverse: "film.director.film", from: "film.film", to: "people.person" },
  { forward: "film.film.starring", reverse: "film.actor.film", from: "film.film", to: "people.person" },
  {
    forward: "film.film.genre",
    reverse: "film.film_genre.films_in_this_genre",
    from: "film.film",
    to: "film.film_genre",
  },
  {
    forward: "location.location.containedby",
    reverse: "location.location.contains",
    from: "location.citytown",
    to: "location.country",
  },
  {
    forward: "education.university.located_in",
    reverse: "location.location.educational_institutions",
    from: "education.university",
    to: "location.citytown",
  },
  {
    forward: "organization.organization.headquarters",
    reverse: "location.location.headquartered_organizations",
    from: "organization.organization",
    to: "location.citytown",
  },
  {
    forward: "organization.organization.founders",
    reverse: "organization.organization_founder.organizations_founded",
    from: "organization.organization",
    to: "people.person",
  },
];

export class KnowledgeGraph {
  readonly entities = new Map<string, Entity>();
  /** entity name → relation → neighbour names (sorted, for deterministic output). */
  private readonly edges = new Map<string, Map<string, string[]>>();

  add(entity: Entity): void {
    this.entities.set(entity.name.toLowerCase(), entity);
  }

  get(name: string): Entity | undefined {
    return this.entities.get(name.trim().toLowerCase());
  }

  link(from: string, relation: string, to: string): void {
    const spec = RELATIONS.find((r) => r.forward === relation)!;
    this.push(from, spec.forward, to);
    this.push(to, spec.reverse, from);
  }

  private push(from: string, relation: string, to: string): void {
    const byRelation = this.edges.get(from) ?? new Map<string, string[]>();
    this.edges.set(from, byRelation);
    const list = byRelation.get(relation) ?? [];
    if (!list.includes(to)) list.push(to);
    byRelation.set(relation, list);
  }

  relations(name: string): string[] {
    return [...(this.edges.get(name)?.keys() ?? [])].sort();
  }

  neighbors(name: string, relation: string): string[] {
    return this.edges.get(name)?.get(relation) ?? [];
  }

  attributeNames(name: string): string[] {
    return Object.keys(this.get(name)?.attributes ?? {}).sort();
  }

  ofType(type: EntityType): Entity[] {
    return [...this.entities.values()].filter((e) => e.type === type);
  }
}

const SYLLABLES = [
  "va",
  "lor",
  "men",
  "ta",
  "ri",
  "kos",
  "ba",
  "del",
  "ni",
  "sar",
  "to",
  "ve",
  "quin",
  "ma",
  "dor",
  "el",
  "fa",
  "gri",
  "hal",
  "os",
];
const FIRST = [
  "Ada",
  "Bruno",
  "Clara",
  "Dmitri",
  "Elena",
  "Farah",
  "Gustav",
  "Hana",
  "Ivo",
  "Jonas",
  "Kira",
  "Luca",
  "Mira",
  "Nils",
  "Olga",
  "Pavel",
  "Rosa",
  "Sami",
  "Tess",
  "Umar",
  "Vera",
  "Wim",
  "Yara",
  "Zeno",
  "Ines",
  "Otto",
  "Lena",
  "Marek",
  "Noor",
  "Teo",
];
const LAST = [
  "Kowalski",
  "Lindqvist",
  "Moreau",
  "Okafor",
  "Petrov",
  "Quintero",
  "Rasmussen",
  "Sato",
  "Tanaka",
  "Varga",
  "Weber",
  "Yilmaz",
  "Abara",
  "Brandt",
  "Castell",
  "Dalby",
  "Eriksen",
  "Fontaine",
  "Gallo",
  "Haddad",
  "Iversen",
  "Jensen",
  "Kaur",
  "Lund",
  "Mendes",
  "Novak",
  "Orsini",
  "Pires",
  "Reyes",
  "Strand",
];
const FILM_ADJ = [
  "Silent",
  "Crimson",
  "Last",
  "Hidden",
  "Broken",
  "Golden",
  "Distant",
  "Frozen",
  "Endless",
  "Burning",
  "Hollow",
  "Velvet",
  "Iron",
  "Paper",
  "Midnight",
  "Glass",
];
const FILM_NOUN = [
  "River",
  "Harbor",
  "Orchard",
  "Signal",
  "Kingdom",
  "Garden",
  "Lantern",
  "Horizon",
  "Mirror",
  "Compass",
  "Tide",
  "Voyage",
  "Summit",
  "Archive",
  "Meadow",
  "Engine",
];
const GENRES = [
  "Drama",
  "Comedy",
  "Thriller",
  "Documentary",
  "Science Fiction",
  "Romance",
  "Horror",
  "Animation",
  "Western",
  "Musical",
  "Mystery",
  "Adventure",
];
const COMPANY_WORDS = [
  "Brightline",
  "Northgate",
  "Bluepeak",
  "Ironwood",
  "Silverleaf",
  "Redstone",
  "Clearwater",
  "Stonebridge",
  "Highfield",
  "Oakmont",
  "Suncrest",
  "Westbrook",
];
const COMPANY_SUFFIX = ["Systems", "Foods", "Motors", "Media", "Labs", "Logistics", "Energy", "Textiles"];

const KG_SEED = "kg-graph-v1";
let graph: KnowledgeGraph | undefined;

/** The graph (about 1,370 entities), built on first use; the same on every machine. */
export function knowledgeGraph(): KnowledgeGraph {
  if (graph) return graph;
  const rng = new Rng(KG_SEED);
  const kg = new KnowledgeGraph();
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
  const placeName = () => {
    const word = Array.from({ length: rng.range(2, 3) }, () => rng.pick(SYLLABLES)).join("");
    return word[0].toUpperCase() + word.slice(1);
  };
  const distinctNumbers = new Set<string>();
  // Numeric attributes are kept distinct per attribute so argmax/argmin answers are unique.
  const distinct = (attribute: string, make: () => number) => {
    for (;;) {
      const value = make();
      const key = `${attribute}=${value}`;
      if (!distinctNumbers.has(key)) {
        distinctNumbers.add(key);
        return value;
      }
    }
  };

  const countries = Array.from({ length: 12 }, () => {
    const name = unique(() => `${placeName()}ia`);
    kg.add({ name, type: "location.country", attributes: {} });
    return name;
  });
  const cities = Array.from({ length: 72 }, (_, i) => {
    const name = unique(placeName);
    kg.add({
      name,
      type: "location.citytown",
      attributes: {
        "location.location.population": distinct(
          "population",
          () => rng.range(20, 5000) * 1000 + rng.range(1, 999),
        ),
      },
    });
    kg.link(name, "location.location.containedby", countries[i % countries.length]);
    return name;
  });
  const people = Array.from({ length: 700 }, () => {
    const name = unique(() => `${rng.pick(FIRST)} ${rng.pick(LAST)}`);
    kg.add({
      name,
      type: "people.person",
      attributes: {
        "people.person.birth_year": rng.range(1930, 2000),
        "people.person.height_meters": rng.range(150, 200) / 100,
      },
    });
    kg.link(name, "people.person.place_of_birth", rng.pick(cities));
    return name;
  });
  const universities = Array.from({ length: 40 }, () => {
    const city = rng.pick(cities);
    const name = unique(() =>
      rng.chance(0.5)
        ? `University of ${city}`
        : `${rng.pick(LAST)} Institute of ${rng.pick(["Technology", "Arts", "Science"])}`,
    );
    kg.add({
      name,
      type: "education.university",
      attributes: {
        "education.university.founded": distinct("founded", () => rng.range(1700, 1990)),
        "education.university.enrollment": distinct("enrollment", () => rng.range(800, 60000)),
      },
    });
    kg.link(name, "education.university.located_in", city);
    return name;
  });
  for (const person of people)
    if (rng.chance(0.7)) kg.link(person, "people.person.education", rng.pick(universities));
  for (const genre of GENRES) kg.add({ name: genre, type: "film.film_genre", attributes: {} });
  const directors = rng.sample(people, 120);
  const actors = people.filter((p) => !directors.includes(p) || rng.chance(0.2));
  for (let i = 0; i < 450; i++) {
    const name = unique(
      () => `The ${rng.pick(FILM_ADJ)} ${rng.pick(FILM_NOUN)}${rng.chance(0.3) ? ` ${rng.range(2, 4)}` : ""}`,
    );
    kg.add({
      name,
      type: "film.film",
      attributes: {
        "film.film.runtime": distinct("runtime", () => rng.range(75, 190) + rng.range(0, 9) / 10),
        "film.film.release_year": rng.range(1950, 2023),
      },
    });
    kg.link(name, "film.film.directed_by", rng.pick(directors));
    for (const actor of rng.sample(actors.slice(0, 300), rng.range(3, 6)))
      kg.link(name, "film.film.starring", actor);
    kg.link(name, "film.film.genre", rng.pick(GENRES));
  }
  for (let i = 0; i < 80; i++) {
    const name = unique(() => `${rng.pick(COMPANY_WORDS)} ${rng.pick(COMPANY_SUFFIX)}`);
    kg.add({
      name,
      type: "organization.organization",
      attributes: {
        "organization.organization.founded": distinct("company-founded", () => rng.range(1850, 2020)),
        "organization.organization.employees": distinct("employees", () => rng.range(10, 200000)),
      },
    });
    kg.link(name, "organization.organization.headquarters", rng.pick(cities));
    for (const founder of rng.sample(people, rng.range(1, 3)))
      kg.link(name, "organization.organization.founders", founder);
  }
  graph = kg;
  return kg;
}
