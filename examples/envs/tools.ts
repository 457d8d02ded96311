/**
 * A tool-using agent: questions answered by calling a calculator, a unit converter and a calendar.
 * The environment declares its tools as JSON schemas (`tools`), the way function-calling models
 * expect, and the action `call: <tool> <json arguments>` invokes one.
 *
 * Try it: atune env play ./examples/envs/tools.ts#toolsEnv
 */
import type {
  Environment,
  EnvTask,
  ExampleTrajectory,
  ExpertPolicy,
  ToolSpec,
} from "../../runtime/env/types.ts";
import { generatedTasks, invalid, memoryEpisode, type Outcome, parseAction, type Rng } from "./kit.ts";

// --- the tools ---------------------------------------------------------------------------------

/** Evaluates + - * / ^ and parentheses over numbers; no eval(), so arbitrary text is safe. */
export function calculate(expression: string): number {
  const tokens = expression.match(/\d+(?:\.\d+)?|[-+*/^()]|\S/g) ?? [];
  let pos = 0;
  const peek = () => tokens[pos];
  const take = () => tokens[pos++];
  const primary = (): number => {
    const token = take();
    if (token === "-") return -primary();
    if (token === "(") {
      const value = sum();
      if (take() !== ")") throw new Error("missing ')'");
      return value;
    }
    if (token === undefined || !/^\d/.test(token))
      throw new Error(`unexpected ${token === undefined ? "end" : `'${token}'`}`);
    return Number(token);
  };
  const power = (): number => {
    const base = primary();
    if (peek() === "^") {
      take();
      return base ** power();
    }
    return base;
  };
  const product = (): number => {
    let value = power();
    while (peek() === "*" || peek() === "/") value = take() === "*" ? value * power() : value / power();
    return value;
  };
  const sum = (): number => {
    let value = product();
    while (peek() === "+" || peek() === "-") value = take() === "+" ? value + product() : value - product();
    return value;
  };
  const value = sum();
  if (pos < tokens.length) throw new Error(`unexpected '${tokens[pos]}'`);
  return value;
}

const linear: Record<string, number> = {
  km: 1000,
  m: 1,
  mi: 1609.344,
  ft: 0.3048,
  kg: 1,
  lb: 0.45359237,
  l: 1,
  gal: 3.785411784,
};
const dimension: Record<string, string> = {
  km: "length",
  m: "length",
  mi: "length",
  ft: "length",
  kg: "mass",
  lb: "mass",
  l: "volume",
  gal: "volume",
  C: "temperature",
  F: "temperature",
};

export function convert(value: number, from: string, to: string): number {
  if (!(from in dimension) || !(to in dimension))
    throw new Error(`unknown unit; known: ${Object.keys(dimension).join(", ")}`);
  if (dimension[from] !== dimension[to])
    throw new Error(`cannot convert ${dimension[from]} to ${dimension[to]}`);
  if (from === "C" && to === "F") return (value * 9) / 5 + 32;
  if (from === "F" && to === "C") return ((value - 32) * 5) / 9;
  if (from === to) return value;
  return (value * linear[from]) / linear[to];
}

const weekdays = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];
const parseDate = (text: string) => {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) throw new Error(`dates are written YYYY-MM-DD, got '${text}'`);
  return new Date(`${text}T00:00:00Z`);
};
const formatDate = (date: Date) => date.toISOString().slice(0, 10);
const DAY = 86_400_000;

export function calendar(args: { op: string; date?: string; days?: number; other?: string }): string {
  switch (args.op) {
    case "add_days":
      return formatDate(new Date(parseDate(String(args.date)).getTime() + Number(args.days) * DAY));
    case "weekday":
      return weekdays[parseDate(String(args.date)).getUTCDay()];
    case "days_between":
      return String(
        Math.round((parseDate(String(args.other)).getTime() - parseDate(String(args.date)).getTime()) / DAY),
      );
    default:
      throw new Error(`unknown op '${args.op}'; use add_days, weekday or days_between`);
  }
}

const show = (n: number) => String(Number(n.toPrecision(10)));

const toolSpecs: ToolSpec[] = [
  {
    name: "calculator",
    description: "Evaluates an arithmetic expression with + - * / ^ and parentheses.",
    parameters: { type: "object", properties: { expression: { type: "string" } }, required: ["expression"] },
  },
  {
    name: "convert",
    description:
      "Converts a value between units: km, m, mi, ft (length); kg, lb (mass); l, gal (volume); C, F (temperature).",
    parameters: {
      type: "object",
      properties: { value: { type: "number" }, from: { type: "string" }, to: { type: "string" } },
      required: ["value", "from", "to"],
    },
  },
  {
    name: "calendar",
    description:
      'Date arithmetic on YYYY-MM-DD dates: op "add_days" (date, days), "weekday" (date), "days_between" (date, other).',
    parameters: {
      type: "object",
      properties: {
        op: { type: "string" },
        date: { type: "string" },
        days: { type: "number" },
        other: { type: "string" },
      },
      required: ["op", "date"],
    },
  },
];

function callTool(text: string): string {
  const match = /^(\w+)\s*([\s\S]*)$/.exec(text);
  if (!match) throw new Error("write the tool name, then its arguments as JSON");
  const [, name, json] = match;
  let args: Record<string, unknown>;
  try {
    args = JSON.parse(json || "{}");
  } catch {
    throw new Error(`the arguments of ${name} must be a JSON object, e.g. {"expression": "2 * 3"}`);
  }
  if (name === "calculator") return show(calculate(String(args.expression ?? "")));
  if (name === "convert") return show(convert(Number(args.value), String(args.from), String(args.to)));
  if (name === "calendar") return calendar(args as { op: string });
  throw new Error(`unknown tool '${name}'; the tools are calculator, convert and calendar`);
}

// --- tasks -------------------------------------------------------------------------------------

type ToolsData =
  | { kind: "arithmetic"; expression: string }
  | { kind: "convert"; value: number; from: string; to: string }
  | { kind: "date-after"; date: string; days: number }
  | { kind: "days-between"; date: string; other: string }
  | { kind: "total-distance"; km: number; miles: number };

function randomDate(rng: Rng): string {
  return `${rng.int(2020, 2026)}-${String(rng.int(1, 12)).padStart(2, "0")}-${String(rng.int(1, 28)).padStart(2, "0")}`;
}

function makeTask(rng: Rng): { instruction: string; data: ToolsData } {
  switch (rng.int(0, 4)) {
    case 0: {
      const expression = `${rng.int(2, 99)} * ${rng.int(2, 99)} ${rng.pick(["+", "-"])} ${rng.int(10, 999)} / ${rng.pick([2, 4, 5, 8])}`;
      return {
        instruction: `Compute ${expression}. Round to 2 decimals.`,
        data: { kind: "arithmetic", expression },
      };
    }
    case 1: {
      const [from, to] = rng.pick([
        ["mi", "km"],
        ["km", "mi"],
        ["lb", "kg"],
        ["kg", "lb"],
        ["gal", "l"],
        ["F", "C"],
        ["C", "F"],
        ["ft", "m"],
      ]);
      const value = rng.int(1, 500) + rng.pick([0, 0.5, 0.25]);
      return {
        instruction: `Convert ${value} ${from} to ${to}. Round to 2 decimals.`,
        data: { kind: "convert", value, from, to },
      };
    }
    case 2: {
      const date = randomDate(rng);
      const days = rng.int(1, 400);
      return {
        instruction: `Which date is ${days} days after ${date}, and what weekday is it? Answer like "2024-05-01 Wednesday".`,
        data: { kind: "date-after", date, days },
      };
    }
    case 3: {
      const date = randomDate(rng);
      const other = randomDate(rng);
      const [a, b] = date < other ? [date, other] : [other, date];
      return {
        instruction: `How many days are there from ${a} to ${b}?`,
        data: { kind: "days-between", date: a, other: b },
      };
    }
    default: {
      const km = rng.int(2, 42);
      const miles = rng.int(1, 26) + rng.pick([0, 0.5]);
      return {
        instruction: `I ran ${km} km on Monday and ${miles} mi on Tuesday. How many km did I run in total? Round to 2 decimals.`,
        data: { kind: "total-distance", km, miles },
      };
    }
  }
}

/** The expected answer, computed with the same tools the agent calls. */
function expectedAnswer(data: ToolsData): string {
  switch (data.kind) {
    case "arithmetic":
      return calculate(data.expression).toFixed(2);
    case "convert":
      return convert(data.value, data.from, data.to).toFixed(2);
    case "date-after": {
      const date = calendar({ op: "add_days", date: data.date, days: data.days });
      return `${date} ${calendar({ op: "weekday", date })}`;
    }
    case "days-between":
      return calendar({ op: "days_between", date: data.date, other: data.other });
    case "total-distance":
      return (data.km + convert(data.miles, "mi", "km")).toFixed(2);
  }
}

function answerIsRight(data: ToolsData, answer: string): boolean {
  const expected = expectedAnswer(data);
  if (data.kind === "date-after") {
    const words = answer.toLowerCase().replace(/[,.]/g, " ").split(/\s+/);
    return expected
      .toLowerCase()
      .split(" ")
      .every((part) => words.includes(part));
  }
  const given = Number(answer.replace(/[^\d.-]/g, ""));
  return answer.trim() !== "" && Math.abs(given - Number(expected)) <= 0.011;
}

// --- episode, expert, example ------------------------------------------------------------------

const ACCEPTED =
  'Use "call: <tool> <JSON arguments>" (tools: calculator, convert, calendar) or "answer: <text>".';

function open(task: EnvTask) {
  const data = task.data as ToolsData;
  return memoryEpisode(
    () => ({
      state: {},
      observation: "Tools: calculator, convert, calendar. Call them as often as you need.",
    }),
    (_state, action): Outcome => {
      const { verb, argument } = parseAction(action);
      if (verb === "call") {
        try {
          return { observation: `result: ${callTool(argument)}` };
        } catch (error) {
          return { observation: `error: ${(error as Error).message}` };
        }
      }
      if (verb === "answer" && argument !== "") {
        const right = answerIsRight(data, argument);
        return {
          observation: right ? "Correct." : "Incorrect.",
          done: true,
          reward: right ? 1 : 0,
          success: right,
        };
      }
      return invalid(action, ACCEPTED);
    },
  );
}

const result = (observation: string) => observation.replace(/^result:\s*/, "").trim();

function expert(task: EnvTask): ExpertPolicy {
  const data = task.data as ToolsData;
  const calls: Array<(previous: string) => { thought: string; action: string }> = [];
  const answer = (thought: string, format: (value: string) => string) => (previous: string) => ({
    thought: `${thought} ${result(previous)}.`,
    action: `answer: ${format(result(previous))}`,
  });
  const twoDecimals = (value: string) => Number(value).toFixed(2);
  switch (data.kind) {
    case "arithmetic":
      calls.push(
        () => ({
          thought: "Let the calculator evaluate the expression.",
          action: `call: calculator ${JSON.stringify({ expression: data.expression })}`,
        }),
        answer("The calculator returned", twoDecimals),
      );
      break;
    case "convert":
      calls.push(
        () => ({
          thought: `Convert ${data.from} to ${data.to} with the converter.`,
          action: `call: convert ${JSON.stringify({ value: data.value, from: data.from, to: data.to })}`,
        }),
        answer("The converter returned", twoDecimals),
      );
      break;
    case "date-after": {
      let date = "";
      calls.push(
        () => ({
          thought: `Add ${data.days} days to ${data.date}.`,
          action: `call: calendar ${JSON.stringify({ op: "add_days", date: data.date, days: data.days })}`,
        }),
        (previous) => {
          date = result(previous);
          return {
            thought: `The date is ${date}; now find its weekday.`,
            action: `call: calendar ${JSON.stringify({ op: "weekday", date })}`,
          };
        },
        (previous) => ({
          thought: `${date} is a ${result(previous)}.`,
          action: `answer: ${date} ${result(previous)}`,
        }),
      );
      break;
    }
    case "days-between":
      calls.push(
        () => ({
          thought: "Count the days between the two dates.",
          action: `call: calendar ${JSON.stringify({ op: "days_between", date: data.date, other: data.other })}`,
        }),
        answer("The calendar counted", (value) => value),
      );
      break;
    case "total-distance":
      calls.push(
        () => ({
          thought: "Convert Tuesday's miles to km first.",
          action: `call: convert ${JSON.stringify({ value: data.miles, from: "mi", to: "km" })}`,
        }),
        (previous) => ({
          thought: `That is ${result(previous)} km; add Monday's ${data.km} km.`,
          action: `call: calculator ${JSON.stringify({ expression: `${data.km} + ${result(previous)}` })}`,
        }),
        answer("The total is", twoDecimals),
      );
      break;
  }
  let index = 0;
  return { next: (observation) => calls[Math.min(index++, calls.length - 1)](observation) };
}

export const toolsExampleTask: EnvTask = {
  id: "tools/example",
  family: "tools",
  split: "train",
  instruction: "Convert 10 mi to km. Round to 2 decimals.",
  data: { kind: "convert", value: 10, from: "mi", to: "km" } satisfies ToolsData,
};

const example: ExampleTrajectory = {
  instruction: toolsExampleTask.instruction,
  observation: "Tools: calculator, convert, calendar. Call them as often as you need.",
  steps: [
    {
      thought: "Convert mi to km with the converter.",
      action: 'call: convert {"value":10,"from":"mi","to":"km"}',
      observation: "result: 16.09344",
    },
    { thought: "The converter returned 16.09344.", action: "answer: 16.09", observation: "Correct." },
  ],
};

export const toolsEnv: Environment = {
  family: "tools",
  group: "held-in",
  description:
    "A tool-using agent: arithmetic, unit conversion and date questions answered by calling a calculator, a unit converter and a calendar (declared as JSON-schema tools).",
  actionSpace:
    'call: <tool> <JSON arguments>   e.g. call: calculator {"expression": "2 * (3 + 4)"}\nanswer: <text>                  the final answer (ends the episode)',
  tools: toolSpecs,
  maxTurns: 6,
  tasks: generatedTasks("tools", makeTask),
  open: async (task) => open(task),
  example,
  expert,
};
