/**
 * The `db` family (AgentBench DB-like): SQLite through better-sqlite3, a fresh copy of a generated
 * reference database per episode, run in a worker process with a statement timeout.
 */
import { readNameList } from "../common/options.ts";
import { contentHash, drawTasks } from "../sandbox/random.ts";
import type { Environment, EnvTask, ExampleTrajectory, TaskQuery } from "../types.ts";
import { dbDerivation } from "./derive.ts";
import { DbEpisode, type DbLimits } from "./episode.ts";
import { dbExpert } from "./expert.ts";
import {
  type DbCandidate,
  type DbDomain,
  type DbTaskData,
  dbDomainNames,
  dbDomains,
  dbTemplateKinds,
  dbTemplateNames,
} from "./tasks.ts";

const DEFAULT_TIMEOUT_MS = 2000;

const options = {
  domains: {
    description: `Which database domains to draw from (any of: ${dbDomainNames.join(", ")}).`,
    default: dbDomainNames,
  },
  kinds: {
    description: 'Task kinds: "select" (questions), "modify" (changes), or both.',
    default: ["select", "modify"],
  },
  templates: {
    description: `Only these task templates (${Object.entries(dbTemplateNames)
      .map(([domain, names]) => `${domain}: ${names.join(", ")}`)
      .join("; ")}).`,
    default: Object.values(dbTemplateNames).flat(),
  },
  statementTimeoutMs: {
    description: "Wall-clock limit for one SQL statement, in milliseconds.",
    default: DEFAULT_TIMEOUT_MS,
  },
};

function readOptions(raw: Record<string, unknown> = {}) {
  for (const key of Object.keys(raw)) {
    if (!(key in options))
      throw new Error(`db: unknown option '${key}'. Known options: ${Object.keys(options).join(", ")}.`);
  }
  const domains = (raw.domains ?? dbDomainNames) as unknown;
  if (!Array.isArray(domains) || domains.length === 0 || domains.some((d) => !dbDomainNames.includes(d))) {
    throw new Error(`db: option 'domains' must be a non-empty list of: ${dbDomainNames.join(", ")}.`);
  }
  const kinds = (raw.kinds ?? ["select", "modify"]) as unknown;
  if (!Array.isArray(kinds) || kinds.length === 0 || kinds.some((k) => k !== "select" && k !== "modify")) {
    throw new Error(`db: option 'kinds' must be a non-empty list of "select" and/or "modify".`);
  }
  // The chosen domains' templates are the known names, and the default.
  const known = (domains as DbDomain[]).flatMap((d) => dbTemplateNames[d]);
  const templates = readNameList(
    "db",
    "templates",
    raw.templates,
    known,
    known,
    `for domains ${domains.join(", ")}`,
  );
  // A listed template of a kind left out would never be drawn: say so now, not "0 tasks" later.
  if (raw.templates !== undefined) {
    const kindOf = (name: string) =>
      (domains as DbDomain[]).map((d) => dbTemplateKinds[d][name]).find((k) => k !== undefined) ?? "";
    const excluded = templates.filter((name) => !(kinds as string[]).includes(kindOf(name)));
    if (excluded.length > 0) {
      throw new Error(
        `db: template${excluded.length > 1 ? "s" : ""} ${excluded.map((t) => `'${t}' (${kindOf(t)})`).join(", ")} ` +
          `cannot be drawn with option 'kinds' = [${(kinds as string[]).join(", ")}]; add the kind to 'kinds' or drop the template.`,
      );
    }
  }
  const timeout = raw.statementTimeoutMs ?? DEFAULT_TIMEOUT_MS;
  if (typeof timeout !== "number" || !(timeout >= 50 && timeout <= 600_000)) {
    throw new Error(
      "db: option 'statementTimeoutMs' must be a number of milliseconds between 50 and 600000.",
    );
  }
  return { domains: domains as DbDomain[], kinds: kinds as Array<"select" | "modify">, templates, timeout };
}

export interface DbTaskPayload extends DbTaskData {
  limits: DbLimits;
}

export function dbTasks(query: TaskQuery): EnvTask[] {
  const opts = readOptions(query.options);
  const candidates = drawTasks<DbCandidate>(query.split, query.count, query.seed, (rng) => {
    const candidate = dbDomains[rng.pick(opts.domains)](rng);
    const wanted =
      opts.kinds.includes(candidate.data.kind) && opts.templates.includes(candidate.data.template);
    return wanted ? candidate : undefined;
  });
  return candidates.map((c) => {
    return {
      id: `db/${query.split}/${contentHash(c).slice(0, 12)}`,
      family: "db",
      split: query.split,
      instruction: c.instruction,
      data: { ...c.data, limits: { statementTimeoutMs: opts.timeout } } satisfies DbTaskPayload,
    };
  });
}

/** The task behind the 1-shot example; a test replays the example on it. */
export const dbExampleTask: EnvTask = {
  id: "db/example",
  family: "db",
  split: "train",
  instruction: "How many employees earn more than 50000?",
  data: {
    domain: "company",
    template: "example",
    kind: "select",
    ordered: false,
    referenceSql: "SELECT COUNT(*) FROM employees WHERE salary > 50000",
    tables: [
      {
        name: "employees",
        schema:
          "CREATE TABLE employees (id INTEGER PRIMARY KEY, name TEXT NOT NULL, salary INTEGER NOT NULL)",
        rows: [
          [1, "Ada Reed", 42000],
          [2, "Ben Stone", 61000],
          [3, "Cleo Park", 75500],
        ],
      },
    ],
    limits: { statementTimeoutMs: DEFAULT_TIMEOUT_MS },
  } satisfies DbTaskPayload,
};

const example: ExampleTrajectory = {
  instruction: dbExampleTask.instruction,
  observation:
    "The SQLite database has these tables:\n" +
    "CREATE TABLE employees (id INTEGER PRIMARY KEY, name TEXT NOT NULL, salary INTEGER NOT NULL);\n" +
    'When you know the answer, reply "answer: <value>" (several values: "answer: a, b, c" or a JSON list).',
  steps: [
    {
      thought: "Count the rows of employees whose salary is above 50000.",
      action: "sql: SELECT COUNT(*) FROM employees WHERE salary > 50000",
      observation: "COUNT(*)\n--------\n2\n(1 row)",
    },
    { thought: "The query returned 2.", action: "answer: 2", observation: "Correct." },
  ],
};

export const dbEnv: Environment = {
  family: "db",
  group: "held-in",
  description:
    "Database tasks (AgentBench DB-like): questions and changes over a generated SQLite database (company, " +
    "shop or school), each with reference SQL. Every episode works on its own copy in a worker process with a " +
    "statement timeout; ATTACH, extensions, writing PRAGMAs and explicit transactions are refused. Questions " +
    "are judged by their answer (order-insensitive unless the question asks for an order), changes by " +
    "comparing every table with the reference SQL applied to another copy.",
  actionSpace:
    "sql: <statement>      run one SQL statement; you see the rows as a small table, the number of changed rows, or the error\n" +
    'answer: <value(s)>    answer a question: one value, "a, b, c", or a JSON list such as ["a", "b"] (ends the episode)\n' +
    "commit                finish a modification task; the tables are compared with the expected ones (ends the episode)",
  maxTurns: 6,
  options,
  tasks: dbTasks,
  async open(task: EnvTask) {
    if (task.family !== "db")
      throw new Error(`db: cannot open a task of family '${task.family}' (${task.id}).`);
    return new DbEpisode(
      task,
      (task.data as DbTaskPayload).limits ?? { statementTimeoutMs: DEFAULT_TIMEOUT_MS },
    );
  },
  example,
  expert: dbExpert,
  derivation: dbDerivation,
};
