import type { Rng } from "../../../util/random.ts";
import { invalidStep, type Simulation } from "../../common/episode.ts";
import { defineFamily } from "../../common/family.ts";
import type { TaskContent } from "../../common/tasks.ts";
import type { Move, ResetResult, StepResult, ToolSpec } from "../../types.ts";
import { type CallRequest, FUNCTION_TOOLS, makeRequest } from "./tools.ts";

export interface FunctionCallData {
  name: string;
  arguments: Record<string, string | number | boolean>;
}

type Property = { type: string; enum?: unknown[]; minimum?: number; maximum?: number; default?: unknown };
const propertiesOf = (t: ToolSpec) => t.parameters.properties as Record<string, Property>;
const requiredOf = (t: ToolSpec) => t.parameters.required as string[];

/** "get_weather(city: string, unit?: "celsius" | "fahrenheit") — Get the current weather for a city." */
function signature(t: ToolSpec): string {
  const required = requiredOf(t);
  const params = Object.entries(propertiesOf(t)).map(([name, p]) => {
    const type = p.enum ? p.enum.map((v) => JSON.stringify(v)).join(" | ") : p.type;
    return `${name}${required.includes(name) ? "" : "?"}: ${type}`;
  });
  return `${t.name}(${params.join(", ")}) — ${t.description}`;
}

const CALL_HELP = 'one JSON object: {"name": "<function>", "arguments": {<argument>: <value>, …}}';

/** Checks a value against one parameter's schema; an error message, or null when it fits. */
function checkValue(name: string, value: unknown, p: Property): string | null {
  const fits =
    p.type === "string"
      ? typeof value === "string"
      : p.type === "integer"
        ? Number.isInteger(value)
        : p.type === "number"
          ? typeof value === "number" && Number.isFinite(value)
          : p.type === "boolean"
            ? typeof value === "boolean"
            : true;
  if (!fits)
    return `argument '${name}' must be ${p.type === "integer" ? "an integer" : `a ${p.type}`} (got ${JSON.stringify(value)})`;
  if (p.enum && !p.enum.includes(value)) {
    return `argument '${name}' must be one of ${p.enum.map((v) => JSON.stringify(v)).join(", ")} (got ${JSON.stringify(value)})`;
  }
  if (
    typeof value === "number" &&
    ((p.minimum !== undefined && value < p.minimum) || (p.maximum !== undefined && value > p.maximum))
  ) {
    return `argument '${name}' must be between ${p.minimum} and ${p.maximum} (got ${value})`;
  }
  return null;
}

const same = (a: unknown, b: unknown) =>
  typeof a === "string" && typeof b === "string"
    ? a.trim().toLowerCase() === b.trim().toLowerCase()
    : a === b;

class FunctionCallSimulation implements Simulation {
  constructor(
    private readonly data: FunctionCallData,
    private readonly request: string,
  ) {}

  reset(): ResetResult {
    return {
      observation:
        `User request: ${this.request}\n\nAvailable functions:\n${FUNCTION_TOOLS.map((t) => `- ${signature(t)}`).join("\n")}\n\n` +
        `Answer with ${CALL_HELP}.`,
    };
  }

  step(raw: string): StepResult {
    const text = raw.trim().replace(/^```(?:json)?\s*|\s*```$/g, "");
    let call: unknown;
    try {
      call = JSON.parse(text);
    } catch (error) {
      return invalidStep(
        `Invalid call: not valid JSON (${(error as Error).message}). Answer with ${CALL_HELP}.`,
      );
    }
    if (call === null || typeof call !== "object" || Array.isArray(call))
      return invalidStep(`Invalid call: expected ${CALL_HELP}.`);
    const { name, arguments: args } = call as { name?: unknown; arguments?: unknown };
    if (typeof name !== "string")
      return invalidStep(`Invalid call: "name" must be a string naming a function. Expected ${CALL_HELP}.`);
    const spec = FUNCTION_TOOLS.find((t) => t.name === name);
    if (!spec) {
      return invalidStep(
        `Invalid call: unknown function '${name}'. Available functions: ${FUNCTION_TOOLS.map((t) => t.name).join(", ")}.`,
      );
    }
    if (args === null || typeof args !== "object" || Array.isArray(args)) {
      return invalidStep(
        `Invalid call: "arguments" must be an object, e.g. {"name": "${name}", "arguments": {…}}.`,
      );
    }
    const given = args as Record<string, unknown>;
    const properties = propertiesOf(spec);
    const problems: string[] = [];
    for (const key of Object.keys(given)) if (!properties[key]) problems.push(`unknown argument '${key}'`);
    for (const key of requiredOf(spec))
      if (!(key in given)) problems.push(`missing required argument '${key}'`);
    for (const [key, value] of Object.entries(given)) {
      const problem = properties[key] && checkValue(key, value, properties[key]);
      if (problem) problems.push(problem);
    }
    if (problems.length > 0) {
      return invalidStep(
        `Invalid call to ${name}: ${problems.join("; ")}. Its signature is ${signature(spec)}.`,
      );
    }
    // Exact match: every argument the request implies, and nothing else unless it is that argument's default.
    const expected = this.data.arguments;
    const correct =
      name === this.data.name &&
      Object.keys(properties).every((key) => {
        if (key in expected) return same(given[key], expected[key]);
        return !(key in given) || same(given[key], properties[key].default);
      });
    const shown = Object.entries(given)
      .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
      .join(", ");
    return {
      observation: `Called ${name}(${shown}).`,
      reward: correct ? 1 : 0,
      done: true,
      info: { valid: true, success: correct },
    };
  }
}

function planCall(data: FunctionCallData, request: string): Move[] {
  const spec = FUNCTION_TOOLS.find((t) => t.name === data.name)!;
  const parts = Object.entries(data.arguments).map(([k, v]) => `${k} ${JSON.stringify(v)}`);
  const omitted = Object.keys(propertiesOf(spec)).filter((k) => !(k in data.arguments));
  return [
    {
      thought:
        `The user asks: "${request}" The function ${data.name} does this (${spec.description.toLowerCase().replace(/\.$/, "")}). ` +
        `From the request I take ${parts.join(", ")}` +
        (omitted.length
          ? `; the request says nothing about ${omitted.join(" or ")}, so I leave ${omitted.length > 1 ? "them" : "it"} out.`
          : "."),
      action: JSON.stringify({ name: data.name, arguments: data.arguments }),
    },
  ];
}

export const functionCall = defineFamily<FunctionCallData, Record<string, never>>({
  family: "function_call",
  group: "held-out",
  description:
    "BFCL-like function calling: a user request and ten functions described by JSON schemas; the agent answers " +
    "with one JSON call. Calls that are not JSON, name an unknown function or break the schema are refused with " +
    "the reason. Reward 1 when the function and every argument match the request exactly (strings compared " +
    "case-insensitively; an optional argument may be omitted or given its default).",
  actionSpace: `Exactly ${CALL_HELP}, e.g. {"name": "get_weather", "arguments": {"city": "Paris"}}.`,
  tools: FUNCTION_TOOLS,
  maxTurns: 3,
  options: {},
  generate: (rng: Rng): TaskContent<FunctionCallData> => {
    const made: CallRequest = makeRequest(rng);
    return { instruction: made.request, data: { name: made.name, arguments: made.arguments } };
  },
  simulate: (data, task) => new FunctionCallSimulation(data, task.instruction),
  plan: (data, task) => planCall(data, task.instruction),
  afterEnd: { thought: "I have already made the call.", action: "{}" },
});
