import { defineFamily } from "../../common/family.ts";
import type { Move } from "../../types.ts";
import { WEB_ACTION_HELP, WebSimulation } from "./simulation.ts";
import { SITES } from "./sites.ts";
import { makeWebTask, type WebData, type WebOptions } from "./task.ts";

/** The expert reads the task and the previous actions, finds the step still missing, and takes it. */
function planWeb(data: WebData, instruction: string): Move[] {
  const element = data.elements.find((e) => e.id === data.answer.id)!;
  const done =
    data.previous.length === 0
      ? "No actions have been taken yet."
      : `The previous actions already did ${data.previous.length} step${data.previous.length === 1 ? "" : "s"}, the last being "${data.previous[data.previous.length - 1]}".`;
  const { op, value, id } = data.answer;
  const how =
    op === "TYPE"
      ? `type "${value}" into the "${element.label}" box (id ${id})`
      : op === "SELECT"
        ? `select "${value}" in the "${element.label}" menu (id ${id})`
        : `click the "${element.label}" ${element.role} (id ${id})`;
  const action = op === "CLICK" ? `CLICK [${id}]` : `${op} [${id}] [${value}]`;
  return [
    { thought: `The task is: ${instruction} ${done} Next I need to ${data.purpose}, so I ${how}.`, action },
  ];
}

export const web = defineFamily<WebData, WebOptions>({
  family: "web",
  group: "held-in",
  description:
    "Mind2Web-like single-step web navigation: a cleaned HTML snapshot of a site's page (links, text boxes, " +
    "menus, buttons, with element ids), the user's task and the actions already taken. The agent answers with " +
    "the one next operation. Reward: 1 when element, operation and value are right; 2/3 when element and " +
    "operation are right but the value is not; 1/3 when only the element is right; 0 otherwise. Success at 1.",
  actionSpace: `Exactly one operation: ${WEB_ACTION_HELP}. CLICK also ticks check boxes and presses buttons.`,
  maxTurns: 3,
  options: {
    site: {
      description: "restrict tasks to one site template, or 'any'",
      default: "any",
      choices: ["any", ...Object.keys(SITES)],
    },
  },
  generate: makeWebTask,
  simulate: (data, task) => new WebSimulation(data, task.instruction),
  plan: (data, task) => planWeb(data, task.instruction),
  afterEnd: { thought: "I have already answered.", action: "CLICK [0]" },
  exampleOptions: { site: "flight" },
});
