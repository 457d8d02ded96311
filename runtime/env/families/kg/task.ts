/** kg questions: templates over the built-in graph, each with its gold answer set and tool program. */
import type { Rng } from "../../../util/random.ts";
import type { TaskContent } from "../../common/tasks.ts";
import { knowledgeGraph } from "./graph.ts";

/** One tool call of the reference program; `#n` refers to the variable the n-th call created. */
export type KgCall =
  | { tool: "get_neighbors"; subject: string; relation: string }
  | { tool: "intersection"; left: string; right: string }
  | { tool: "argmax" | "argmin"; subject: string; attribute: string }
  | { tool: "count"; subject: string };

export interface KgData {
  template: string;
  /** The entities named in the question. */
  entities: string[];
  program: KgCall[];
  /** The answer set: entity names, or one number for counting questions. */
  gold: string[];
  /** The graph the question was written against. */
  graph: "v1";
}

export interface KgOptions {
  template: string;
}

type Template = (rng: Rng) => TaskContent<KgData> | null;
const kg = () => knowledgeGraph();
const byType = new Map<string, string[]>();
const entitiesOf = (type: string) => {
  const cached = byType.get(type);
  if (cached) return cached;
  const names = [...kg().entities.values()].filter((e) => e.type === type).map((e) => e.name);
  byType.set(type, names);
  return names;
};

/** Runs a program against the graph; the value of its last variable. */
export function runProgram(program: KgCall[]): string[] {
  const graph = kg();
  const vars: string[][] = [];
  const resolve = (ref: string) =>
    ref.startsWith("#") ? vars[Number(ref.slice(1))] : [graph.get(ref)!.name];
  for (const call of program) {
    if (call.tool === "get_neighbors") {
      const out = new Set<string>();
      for (const e of resolve(call.subject)) for (const n of graph.neighbors(e, call.relation)) out.add(n);
      vars.push([...out].sort());
    } else if (call.tool === "intersection") {
      const right = new Set(resolve(call.right));
      vars.push(resolve(call.left).filter((e) => right.has(e)));
    } else if (call.tool === "count") {
      vars.push([String(resolve(call.subject).length)]);
    } else {
      const values = resolve(call.subject).map((e) => ({ e, v: graph.get(e)!.attributes[call.attribute] }));
      const best =
        call.tool === "argmax" ? Math.max(...values.map((x) => x.v)) : Math.min(...values.map((x) => x.v));
      vars.push(values.filter((x) => x.v === best).map((x) => x.e));
    }
  }
  return vars[vars.length - 1];
}

function build(
  template: string,
  question: string,
  entities: string[],
  program: KgCall[],
): TaskContent<KgData> | null {
  const gold = runProgram(program);
  if (gold.length === 0 || gold.length > 30) return null;
  return { instruction: question, data: { template, entities, program, gold, graph: "v1" } };
}

export const TEMPLATES: Record<string, Template> = {
  films_by_directors_born_in(rng) {
    const city = rng.pick(entitiesOf("location.citytown"));
    return build(
      "films_by_directors_born_in",
      `which films were directed by people born in ${city}?`,
      [city],
      [
        { tool: "get_neighbors", subject: city, relation: "location.location.people_born_here" },
        { tool: "get_neighbors", subject: "#0", relation: "film.director.film" },
      ],
    );
  },
  actors_in_both(rng) {
    const actor = rng.pick(entitiesOf("people.person"));
    const films = kg().neighbors(actor, "film.actor.film");
    if (films.length < 2) return null;
    const [a, b] = rng.sample(films, 2);
    return build(
      "actors_in_both",
      `which actors appeared in both ${a} and ${b}?`,
      [a, b],
      [
        { tool: "get_neighbors", subject: a, relation: "film.film.starring" },
        { tool: "get_neighbors", subject: b, relation: "film.film.starring" },
        { tool: "intersection", left: "#0", right: "#1" },
      ],
    );
  },
  longest_film_by(rng) {
    const director = rng.pick(entitiesOf("people.person"));
    if (kg().neighbors(director, "film.director.film").length < 2) return null;
    const longest = rng.chance(0.5);
    return build(
      "longest_film_by",
      `which film directed by ${director} has the ${longest ? "longest" : "shortest"} runtime?`,
      [director],
      [
        { tool: "get_neighbors", subject: director, relation: "film.director.film" },
        { tool: longest ? "argmax" : "argmin", subject: "#0", attribute: "film.film.runtime" },
      ],
    );
  },
  city_population_extreme(rng) {
    const country = rng.pick(entitiesOf("location.country"));
    const largest = rng.chance(0.5);
    return build(
      "city_population_extreme",
      `which city in ${country} has the ${largest ? "largest" : "smallest"} population?`,
      [country],
      [
        { tool: "get_neighbors", subject: country, relation: "location.location.contains" },
        { tool: largest ? "argmax" : "argmin", subject: "#0", attribute: "location.location.population" },
      ],
    );
  },
  count_films_of_actor(rng) {
    const actor = rng.pick(entitiesOf("people.person"));
    if (kg().neighbors(actor, "film.actor.film").length === 0) return null;
    return build(
      "count_films_of_actor",
      `how many films has ${actor} starred in?`,
      [actor],
      [
        { tool: "get_neighbors", subject: actor, relation: "film.actor.film" },
        { tool: "count", subject: "#0" },
      ],
    );
  },
  graduates_born_in(rng) {
    const person = rng.pick(entitiesOf("people.person"));
    const [university] = kg().neighbors(person, "people.person.education");
    const [city] = kg().neighbors(person, "people.person.place_of_birth");
    if (!university) return null;
    return build(
      "graduates_born_in",
      `which graduates of ${university} were born in ${city}?`,
      [university, city],
      [
        {
          tool: "get_neighbors",
          subject: university,
          relation: "education.educational_institution.students_graduates",
        },
        { tool: "get_neighbors", subject: city, relation: "location.location.people_born_here" },
        { tool: "intersection", left: "#0", right: "#1" },
      ],
    );
  },
  films_of_actor_by_director(rng) {
    const film = rng.pick(entitiesOf("film.film"));
    const actor = rng.pick(kg().neighbors(film, "film.film.starring"));
    const [director] = kg().neighbors(film, "film.film.directed_by");
    return build(
      "films_of_actor_by_director",
      `which films starring ${actor} were directed by ${director}?`,
      [actor, director],
      [
        { tool: "get_neighbors", subject: actor, relation: "film.actor.film" },
        { tool: "get_neighbors", subject: director, relation: "film.director.film" },
        { tool: "intersection", left: "#0", right: "#1" },
      ],
    );
  },
  genre_films_of_actor(rng) {
    const film = rng.pick(entitiesOf("film.film"));
    const actor = rng.pick(kg().neighbors(film, "film.film.starring"));
    const [genre] = kg().neighbors(film, "film.film.genre");
    return build(
      "genre_films_of_actor",
      `which ${genre} films did ${actor} star in?`,
      [actor, genre],
      [
        { tool: "get_neighbors", subject: actor, relation: "film.actor.film" },
        { tool: "get_neighbors", subject: genre, relation: "film.film_genre.films_in_this_genre" },
        { tool: "intersection", left: "#0", right: "#1" },
      ],
    );
  },
  longest_film_of_actor(rng) {
    const actor = rng.pick(entitiesOf("people.person"));
    if (kg().neighbors(actor, "film.actor.film").length < 2) return null;
    const longest = rng.chance(0.5);
    return build(
      "longest_film_of_actor",
      `which film starring ${actor} has the ${longest ? "longest" : "shortest"} runtime?`,
      [actor],
      [
        { tool: "get_neighbors", subject: actor, relation: "film.actor.film" },
        { tool: longest ? "argmax" : "argmin", subject: "#0", attribute: "film.film.runtime" },
      ],
    );
  },
  directors_of_actor(rng) {
    const actor = rng.pick(entitiesOf("people.person"));
    return build(
      "directors_of_actor",
      `who directed the films that ${actor} starred in?`,
      [actor],
      [
        { tool: "get_neighbors", subject: actor, relation: "film.actor.film" },
        { tool: "get_neighbors", subject: "#0", relation: "film.film.directed_by" },
      ],
    );
  },
  universities_in_country(rng) {
    const country = rng.pick(entitiesOf("location.country"));
    return build(
      "universities_in_country",
      `which universities are located in cities of ${country}?`,
      [country],
      [
        { tool: "get_neighbors", subject: country, relation: "location.location.contains" },
        { tool: "get_neighbors", subject: "#0", relation: "location.location.educational_institutions" },
      ],
    );
  },
  oldest_company_founded_by_people_from(rng) {
    const city = rng.pick(entitiesOf("location.citytown"));
    return build(
      "oldest_company_founded_by_people_from",
      `which is the oldest company founded by people born in ${city}?`,
      [city],
      [
        { tool: "get_neighbors", subject: city, relation: "location.location.people_born_here" },
        {
          tool: "get_neighbors",
          subject: "#0",
          relation: "organization.organization_founder.organizations_founded",
        },
        { tool: "argmin", subject: "#1", attribute: "organization.organization.founded" },
      ],
    );
  },
};

export function makeKgTask(rng: Rng, options: KgOptions): TaskContent<KgData> {
  // Some draws have an empty answer (e.g. nobody from that city founded a company); draw again.
  for (let attempt = 0; attempt < 1000; attempt++) {
    const name = options.template === "any" ? rng.pick(Object.keys(TEMPLATES)) : options.template;
    const made = TEMPLATES[name](rng);
    if (made) return made;
  }
  throw new Error(
    `kg: template '${options.template}' produced no answerable question in 1000 draws; this is a bug.`,
  );
}
