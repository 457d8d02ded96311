import { defineFamily } from "../../common/family.ts";
import { planKg } from "./expert.ts";
import { KG_TOOLS_HELP, KgSimulation } from "./simulation.ts";
import { type KgData, type KgOptions, makeKgTask, TEMPLATES } from "./task.ts";

export const kg = defineFamily<KgData, KgOptions>({
  family: "kg",
  group: "held-in",
  description:
    "Freebase-like knowledge-graph question answering (AgentBench's KG task) over a built-in generated graph " +
    "of people, films, genres, cities, countries, universities and companies, with numeric attributes. The " +
    "agent calls tools that store entity sets in variables #0, #1, … and ends with 'Final Answer: #n'. " +
    "Reward: F1 of the answer set against the gold set; success at 1.",
  actionSpace:
    `One tool call per turn: ${KG_TOOLS_HELP}. Entities are written by name, e.g. get_relations(The Silent River); ` +
    "relations and attributes by their full Freebase-style names, e.g. get_neighbors(#0, film.director.film).",
  maxTurns: 15,
  options: {
    template: {
      description: "restrict questions to one template, or 'any'",
      default: "any",
      choices: ["any", ...Object.keys(TEMPLATES)],
    },
  },
  generate: makeKgTask,
  simulate: (data, task) => new KgSimulation(data, task.instruction),
  plan: (data, task) => planKg(data, task.instruction),
  afterEnd: { thought: "I have already given the final answer.", action: "Final Answer: #0" },
  exampleOptions: { template: "longest_film_by" },
});
