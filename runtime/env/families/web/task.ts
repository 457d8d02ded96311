/** Web tasks: one page snapshot, the task, the actions already taken, and the one correct next action. */
import type { Rng } from "../../../util/random.ts";
import type { TaskContent } from "../../common/tasks.ts";
import { FOOTER_LINKS, HEADER_LINKS, type Operation, type Role, SITES, type WebElement } from "./sites.ts";

export type Section = "header" | "form" | "footer";

export interface WebData {
  site: string;
  heading: string;
  elements: Array<WebElement & { section: Section }>;
  /** Earlier actions in Mind2Web's notation, e.g. "[textbox] Leaving from -> TYPE: Boston". */
  previous: string[];
  answer: { id: number; op: Operation; value?: string };
  /** Why the answer is the next step, e.g. "enter the departure date" (the expert's reasoning). */
  purpose: string;
}

export interface WebOptions {
  site: string;
}

export const describeAction = (role: Role, label: string, op: Operation, value?: string) =>
  `[${role}] ${label} -> ${op}${value === undefined ? "" : `: ${value}`}`;

export function makeWebTask(rng: Rng, options: WebOptions): TaskContent<WebData> {
  const siteName = options.site === "any" ? rng.pick(Object.keys(SITES)) : options.site;
  const site = SITES[siteName](rng);
  const stepIndex = rng.int(site.steps.length);
  const form = site.form.map((e) => ({ ...e }));
  const previous: string[] = [];
  for (const step of site.steps.slice(0, stepIndex)) {
    const element = form[step.element];
    if (step.op === "TYPE" || step.op === "SELECT") element.value = step.value;
    else if (element.role === "checkbox") element.checked = true;
    else if (element.role === "button") element.pressed = true;
    previous.push(describeAction(element.role, element.label, step.op, step.value));
  }

  // Ids look like Mind2Web's backend node ids: distinct, unordered numbers.
  const header = rng.sample(HEADER_LINKS, rng.range(3, 6)).map((label) => ({ role: "link" as const, label }));
  const footer = [
    { role: "textbox" as const, label: "Email for our newsletter" },
    { role: "button" as const, label: "Subscribe" },
    ...rng.sample(FOOTER_LINKS, rng.range(2, 5)).map((label) => ({ role: "link" as const, label })),
  ];
  const all = [
    ...header.map((e) => ({ ...e, section: "header" as const })),
    ...form.map((e) => ({ ...e, section: "form" as const })),
    ...footer.map((e) => ({ ...e, section: "footer" as const })),
  ];
  const ids = new Set<number>();
  while (ids.size < all.length) ids.add(rng.range(100, 999));
  const idList = [...ids];
  const elements = all.map((e, i) => ({ ...e, id: idList[i] }));
  const step = site.steps[stepIndex];
  const answerElement = elements[header.length + step.element];
  const answer: WebData["answer"] = { id: answerElement.id, op: step.op };
  if (step.value !== undefined) answer.value = step.value;
  return {
    instruction: site.task,
    data: { site: site.site, heading: site.heading, elements, previous, answer, purpose: step.purpose },
  };
}

const attr = (name: string, value: string) => ` ${name}="${value.replace(/"/g, "&quot;")}"`;

/** The cleaned HTML snapshot shown to the agent (Mind2Web style: only elements that matter, with ids). */
export function renderPage(data: WebData): string {
  const render = (e: WebElement) => {
    switch (e.role) {
      case "link":
        return `<a id=${e.id}> ${e.label} </a>`;
      case "button":
        return `<button id=${e.id}${e.pressed ? attr("aria-pressed", "true") : ""}> ${e.label} </button>`;
      case "textbox":
        return `<input id=${e.id} type=text${attr("placeholder", e.label)}${attr("value", e.value ?? "")} />`;
      case "checkbox":
        return `<input id=${e.id} type=checkbox${attr("aria-label", e.label)}${e.checked ? " checked" : ""} />`;
      case "combobox":
        return `<select id=${e.id}${attr("aria-label", e.label)}> ${(e.options ?? [])
          .map((o) => `<option${o === e.value ? " selected" : ""}> ${o} </option>`)
          .join(" ")} </select>`;
    }
  };
  const section = (name: Section) => data.elements.filter((e) => e.section === name).map(render);
  return [
    "<html>",
    `<header> <span> ${data.site} </span> ${section("header").join(" ")} </header>`,
    `<main> <h1> ${data.heading} </h1> <form>`,
    ...section("form").map((line) => `  ${line}`),
    "</form> </main>",
    `<footer> ${section("footer").join(" ")} </footer>`,
    "</html>",
  ].join("\n");
}
