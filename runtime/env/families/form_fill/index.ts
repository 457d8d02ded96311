import type { Rng } from "../../../util/random.ts";
import { invalidStep, type Simulation } from "../../common/episode.ts";
import { defineFamily } from "../../common/family.ts";
import type { TaskContent } from "../../common/tasks.ts";
import type { Move, ResetResult, StepResult } from "../../types.ts";
import { FORMS, type FormField } from "./forms.ts";

export interface FormFillData {
  form: string;
  title: string;
  submitLabel: string;
  fields: FormField[];
  /** What each requested field must hold: text, an option, or true for a ticked box. */
  target: Record<string, string | boolean>;
}

export interface FormFillOptions {
  form: string;
}

const FORM_ACTION_HELP = "type [field] [text], select [field] [option], check [field], click [submit]";

function describeValue(field: FormField, value: string | boolean): string {
  if (field.kind === "checkbox") return `tick "${field.label}"`;
  if (field.kind === "select") return `choose "${value}" for ${field.label.toLowerCase()}`;
  return `enter "${value}" as the ${field.label.replace(/ \(.*\)$/, "").toLowerCase()}`;
}

function makeFormTask(rng: Rng, options: FormFillOptions): TaskContent<FormFillData> {
  const form = options.form === "any" ? rng.pick(Object.keys(FORMS)) : options.form;
  const template = FORMS[form];
  const target: Record<string, string | boolean> = {};
  for (const field of template.fields) {
    if (!template.always.includes(field.name) && !rng.chance(0.5)) continue;
    target[field.name] = field.kind === "checkbox" ? true : template.values[field.name](rng);
  }
  const parts = template.fields.filter((f) => f.name in target).map((f) => describeValue(f, target[f.name]));
  const list =
    parts.length > 1 ? `${parts.slice(0, -1).join(", ")} and ${parts[parts.length - 1]}` : parts[0];
  const instruction = `${list[0].toUpperCase()}${list.slice(1)}, leave everything else as it is, then submit the form.`;
  return {
    instruction,
    data: { form, title: template.title, submitLabel: template.submitLabel, fields: template.fields, target },
  };
}

const quote = (text: string) => text.replace(/&/g, "&amp;").replace(/"/g, "&quot;");

class FormFillSimulation implements Simulation {
  private values = new Map<string, string | boolean>();

  constructor(
    private readonly data: FormFillData,
    private readonly instruction: string,
  ) {}

  reset(): ResetResult {
    this.values = new Map(this.data.fields.map((f) => [f.name, f.kind === "checkbox" ? false : ""]));
    return { observation: `Task: ${this.instruction}\n\n${this.render()}` };
  }

  private render(): string {
    const lines = this.data.fields.map((f) => {
      const value = this.values.get(f.name);
      if (f.kind === "checkbox")
        return `  <input type="checkbox" name="${f.name}"${value ? " checked" : ""}> ${f.label}`;
      if (f.kind === "select") {
        const options = ["--", ...(f.options ?? [])].map(
          (o) => `<option${o === (value || "--") ? " selected" : ""}>${o}</option>`,
        );
        return `  <label>${f.label}</label> <select name="${f.name}">${options.join("")}</select>`;
      }
      return `  <label>${f.label}</label> <input type="text" name="${f.name}" value="${quote(String(value))}">`;
    });
    return [
      `<form title="${this.data.title}">`,
      ...lines,
      `  <button name="submit">${this.data.submitLabel}</button>`,
      "</form>",
    ].join("\n");
  }

  step(raw: string): StepResult {
    const m = raw.trim().match(/^(type|select|check|click)\s*\[([^\]]*)\](?:\s*\[(.*)\])?$/is);
    if (!m) return invalidStep(`Invalid action: '${raw.trim()}'. Actions look like: ${FORM_ACTION_HELP}.`);
    const verb = m[1].toLowerCase();
    const name = m[2].trim();
    const argument = m[3];
    const ok = (): StepResult => ({
      observation: this.render(),
      reward: 0,
      done: false,
      info: { valid: true },
    });
    if (verb === "click") {
      if (name.toLowerCase() !== "submit")
        return invalidStep(`Invalid action: the only thing to click is the button: click [submit].`);
      return this.submit();
    }
    const field = this.data.fields.find((f) => f.name === name.toLowerCase());
    if (!field) {
      return invalidStep(
        `Invalid action: there is no field '${name}'. The fields are: ${this.data.fields.map((f) => f.name).join(", ")}.`,
      );
    }
    const expected = { type: "text", select: "select", check: "checkbox" }[verb];
    if (field.kind !== expected) {
      const verbFor = { text: "type", select: "select", checkbox: "check" }[field.kind];
      return invalidStep(
        `Invalid action: '${name}' is a ${field.kind === "text" ? "text box" : field.kind}; use ${verbFor} [${name}]${field.kind === "checkbox" ? "" : " [...]"}.`,
      );
    }
    if (verb === "check") {
      this.values.set(field.name, !this.values.get(field.name));
      return ok();
    }
    if (argument === undefined)
      return invalidStep(
        `Invalid action: ${verb} needs a value, e.g. ${verb} [${name}] [${verb === "type" ? "some text" : field.options?.[0]}].`,
      );
    if (verb === "select") {
      const option = field.options?.find((o) => o.toLowerCase() === argument.trim().toLowerCase());
      if (!option)
        return invalidStep(
          `Invalid action: '${argument.trim()}' is not an option of ${name}. Options: ${field.options?.join(", ")}.`,
        );
      this.values.set(field.name, option);
      return ok();
    }
    this.values.set(field.name, argument);
    return ok();
  }

  private submit(): StepResult {
    // Every field counts: requested ones must hold their value, the others must be left empty.
    let correct = 0;
    for (const field of this.data.fields) {
      const want = this.data.target[field.name] ?? (field.kind === "checkbox" ? false : "");
      if (this.values.get(field.name) === want) correct++;
    }
    const reward = correct / this.data.fields.length;
    return {
      observation: `The form was submitted. ${correct} of ${this.data.fields.length} fields were as requested.`,
      reward: Math.round(reward * 1e6) / 1e6,
      done: true,
      info: { valid: true, success: correct === this.data.fields.length },
    };
  }

  validActions(): string[] {
    const actions: string[] = [];
    for (const f of this.data.fields) {
      if (f.kind === "checkbox") actions.push(`check [${f.name}]`);
      if (f.kind === "select") for (const o of f.options ?? []) actions.push(`select [${f.name}] [${o}]`);
    }
    actions.push("click [submit]");
    return actions;
  }
}

function planForm(data: FormFillData): Move[] {
  const moves: Move[] = [];
  const requested = data.fields.filter((f) => f.name in data.target);
  requested.forEach((field, i) => {
    const value = data.target[field.name];
    const lead =
      i === 0
        ? `The task asks me to fill ${requested.length} field${requested.length > 1 ? "s" : ""} and submit. `
        : "";
    if (field.kind === "checkbox") {
      moves.push({
        thought: `${lead}The task says to tick "${field.label}", and it is unticked, so I check ${field.name}.`,
        action: `check [${field.name}]`,
      });
    } else if (field.kind === "select") {
      moves.push({
        thought: `${lead}The ${field.label.toLowerCase()} should be "${value}", so I select it in ${field.name}.`,
        action: `select [${field.name}] [${value}]`,
      });
    } else {
      moves.push({
        thought: `${lead}The ${field.label.toLowerCase()} should be "${value}", so I type it into ${field.name}.`,
        action: `type [${field.name}] [${value}]`,
      });
    }
  });
  moves.push({
    thought: "Every requested field now holds its value and the rest are untouched, so I submit the form.",
    action: "click [submit]",
  });
  return moves;
}

export const formFill = defineFamily<FormFillData, FormFillOptions>({
  family: "form_fill",
  group: "held-out",
  description:
    "MiniWoB-like form filling: an HTML form (log in, sign up, shipping address, survey, room booking) and an " +
    "instruction naming the values to enter. Reward on submit: the fraction of the form's fields that end as " +
    "requested (unrequested fields must stay empty or unticked); success when all do.",
  actionSpace: `One action per turn: ${FORM_ACTION_HELP}. Fields are named by their name attribute, e.g. type [email] [ana@example.com]; check toggles a box.`,
  maxTurns: 12,
  options: {
    form: {
      description: "restrict tasks to one form, or 'any'",
      default: "any",
      choices: ["any", ...Object.keys(FORMS)],
    },
  },
  generate: makeFormTask,
  simulate: (data, task) => new FormFillSimulation(data, task.instruction),
  plan: (data) => planForm(data),
  afterEnd: { thought: "The form is already submitted.", action: "click [submit]" },
  exampleOptions: { form: "signup" },
});
