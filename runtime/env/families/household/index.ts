import { defineFamily } from "../../common/family.ts";
import { planHousehold } from "./expert.ts";
import { HOUSEHOLD_ACTION_HELP, HouseholdSimulation } from "./simulation.ts";
import { GOAL_KINDS, type HouseholdData, type HouseholdOptions, makeHouseholdTask } from "./world.ts";

export const household = defineFamily<HouseholdData, HouseholdOptions>({
  family: "household",
  group: "held-in",
  description:
    "ALFWorld-like household tasks in a text room (kitchen, living room, bedroom or bathroom) of receptacles, " +
    "some of which open, and objects. Goals: put an object somewhere, clean, heat or cool it first, examine it " +
    "under a desklamp, or put two of them somewhere. Reward 1 when the goal is reached, else 0.",
  actionSpace:
    "One text command per turn: go to <receptacle>, open <receptacle>, close <receptacle>, take <object> from " +
    "<receptacle>, put <object> in/on <receptacle>, heat <object> with <microwave>, cool <object> with <fridge>, " +
    "clean <object> with <sinkbasin>, use <desklamp>, examine <object or receptacle>, inventory, look. " +
    `Examples: ${HOUSEHOLD_ACTION_HELP}. You can carry one object at a time; closed receptacles must be opened ` +
    "before you can see inside, take from or put into them.",
  maxTurns: 50,
  options: {
    difficulty: {
      description: "room size and clutter: easy (few receptacles and objects), medium, hard (a full room)",
      default: "medium",
      choices: ["easy", "medium", "hard"],
    },
    goal: {
      description: "restrict tasks to one goal kind, or 'any'",
      default: "any",
      choices: ["any", ...GOAL_KINDS],
    },
  },
  generate: makeHouseholdTask,
  simulate: (data, task) => new HouseholdSimulation(data, task.instruction),
  plan: (data, task) => planHousehold(data, task.instruction),
  afterEnd: { thought: "The task is complete.", action: "look" },
  exampleOptions: { goal: "clean" },
});
