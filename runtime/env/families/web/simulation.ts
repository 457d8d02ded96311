/** The web episode: one decision. The agent names the next operation; it is judged, and the episode ends. */
import { invalidStep, type Simulation } from "../../common/episode.ts";
import type { ResetResult, StepResult } from "../../types.ts";
import { renderPage, type WebData } from "./task.ts";

export const WEB_ACTION_HELP =
  "CLICK [id], TYPE [id] [text] or SELECT [id] [option], e.g. TYPE [412] [Boston]";

const normalise = (text: string) =>
  text
    .trim()
    .replace(/^["']|["']$/g, "")
    .replace(/\s+/g, " ")
    .toLowerCase();

export class WebSimulation implements Simulation {
  constructor(
    private readonly data: WebData,
    private readonly instruction: string,
  ) {}

  reset(): ResetResult {
    const previous = this.data.previous.length ? this.data.previous.join("\n") : "None";
    return {
      observation: [
        `Task: ${this.instruction}`,
        `Previous actions:\n${previous}`,
        `Page:\n${renderPage(this.data)}`,
        `What is the next action? Answer with ${WEB_ACTION_HELP}.`,
      ].join("\n\n"),
    };
  }

  step(raw: string): StepResult {
    const m = raw.trim().match(/^(CLICK|TYPE|SELECT)\s*\[\s*(\d+)\s*\](?:\s*\[(.*)\])?$/is);
    if (!m) return invalidStep(`Invalid action: '${raw.trim()}'. Answer with ${WEB_ACTION_HELP}.`);
    const op = m[1].toUpperCase();
    const id = Number(m[2]);
    const value = m[3];
    const element = this.data.elements.find((e) => e.id === id);
    if (!element)
      return invalidStep(
        `Invalid action: there is no element with id ${id} on this page. Use an id from the page's HTML.`,
      );
    if (op !== "CLICK" && (value === undefined || value.trim() === "")) {
      return invalidStep(
        `Invalid action: ${op} needs a value, e.g. ${op} [${id}] [${op === "TYPE" ? "some text" : "an option"}].`,
      );
    }
    // Partial credit in thirds: the element, then the operation, then the value (CLICK has none).
    const { answer } = this.data;
    const elementOk = id === answer.id;
    const opOk = elementOk && op === answer.op;
    const valueOk =
      opOk && (answer.value === undefined || normalise(value ?? "") === normalise(answer.value));
    const reward = (Number(elementOk) + Number(opOk) + Number(valueOk)) / 3;
    const verdict = valueOk
      ? "correct."
      : opOk
        ? "the right element and operation, but the wrong value."
        : elementOk
          ? "the right element, but the wrong operation."
          : "the wrong element.";
    return {
      observation: `Action recorded: ${op} [${id}]${value !== undefined && op !== "CLICK" ? ` [${value.trim()}]` : ""}. It is ${verdict}`,
      reward,
      done: true,
      info: { valid: true, success: valueOk, elementCorrect: elementOk, operationCorrect: opOk },
    };
  }

  validActions(): string[] {
    const actions: string[] = [];
    for (const e of this.data.elements) {
      if (e.role === "combobox") for (const o of e.options ?? []) actions.push(`SELECT [${e.id}] [${o}]`);
      else actions.push(`CLICK [${e.id}]`);
    }
    return actions;
  }
}
