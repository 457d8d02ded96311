/**
 * The kg expert: follows the question's reference program, exploring as a careful agent would (listing
 * relations before following one, attributes before ranking by one). Its thoughts cite the question
 * and the tool outputs only.
 */
import type { Move } from "../../types.ts";
import type { KgData } from "./task.ts";

/** What following a relation yields, in words. */
const RELATION_WORDS: Record<string, string> = {
  "location.location.people_born_here": "the people born there",
  "film.director.film": "the films they directed",
  "film.actor.film": "the films they starred in",
  "film.film.starring": "the actors who starred in it",
  "film.film.directed_by": "their directors",
  "film.film_genre.films_in_this_genre": "the films in that genre",
  "location.location.contains": "the cities it contains",
  "location.location.educational_institutions": "the universities located there",
  "education.educational_institution.students_graduates": "its graduates",
  "organization.organization_founder.organizations_founded": "the companies they founded",
};

export function planKg(data: KgData, question: string): Move[] {
  const moves: Move[] = [];
  const descriptions: string[] = [];
  let explored = 0;
  data.program.forEach((call, index) => {
    const variable = `#${index}`;
    if (call.tool === "get_neighbors") {
      const from = call.subject.startsWith("#")
        ? `${call.subject} (${descriptions[Number(call.subject.slice(1))]})`
        : call.subject;
      const lead =
        explored === 0
          ? `To answer "${question}", I'll start from ${call.subject}. First I'll list its relations to find one that helps.`
          : `Next I need to go on from ${from}. Let me list the relations available there.`;
      moves.push({ thought: lead, action: `get_relations(${call.subject})` });
      explored++;
      const words = RELATION_WORDS[call.relation] ?? call.relation;
      moves.push({
        thought: `From the relations above, ${call.relation} gives ${words}. I'll follow it; the result will be ${variable}.`,
        action: `get_neighbors(${call.subject}, ${call.relation})`,
      });
      descriptions.push(
        `${words} of ${call.subject.startsWith("#") ? descriptions[Number(call.subject.slice(1))] : call.subject}`,
      );
    } else if (call.tool === "intersection") {
      const [a, b] = [call.left, call.right].map((v) => `${v} (${descriptions[Number(v.slice(1))]})`);
      moves.push({
        thought: `The answer must be in both ${a} and ${b}, so I'll intersect them into ${variable}.`,
        action: `intersection(${call.left}, ${call.right})`,
      });
      descriptions.push("the entities in both");
    } else if (call.tool === "count") {
      moves.push({
        thought: `The question asks how many, so I'll count ${call.subject}; the count will be ${variable}.`,
        action: `count(${call.subject})`,
      });
      descriptions.push("the count");
    } else {
      const which = call.tool === "argmax" ? "largest" : "smallest";
      moves.push({
        thought: `Now I need the one in ${call.subject} with the ${which} value the question asks about. Let me see which attributes these entities have.`,
        action: `get_attributes(${call.subject})`,
      });
      moves.push({
        thought: `${call.attribute} is the attribute the question is about, so ${call.tool} over it gives the answer as ${variable}.`,
        action: `${call.tool}(${call.subject}, ${call.attribute})`,
      });
      descriptions.push(`the ${which} by ${call.attribute}`);
    }
  });
  const last = data.program.length - 1;
  moves.push({ thought: `#${last} is the final answer to the question.`, action: `Final Answer: #${last}` });
  return moves;
}
