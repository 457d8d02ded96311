/**
 * The `os` family (AgentBench OS-like): real bash in a bubblewrap sandbox over a generated home
 * directory. Questions end with `answer:`, file-changing tasks with `finish`.
 */

import { readNameList } from "../common/options.ts";
import { DEFAULT_LIMITS, ensureSandbox, type SandboxLimits } from "../sandbox/bwrap.ts";
import { contentHash, drawTasks } from "../sandbox/random.ts";
import type { Environment, EnvTask, ExampleTrajectory, TaskQuery } from "../types.ts";
import { osDerivation } from "./derive.ts";
import { OS_INTRO, OsEpisode } from "./episode.ts";
import { osExpert } from "./expert.ts";
import { type OsCandidate, type OsTaskData, type OsTemplate, osTemplateNames, osTemplates } from "./tasks.ts";

const options = {
  templates: {
    description: `Which task templates to draw from (any of: ${osTemplateNames.join(", ")}).`,
    default: osTemplateNames,
  },
  commandTimeoutMs: {
    description: "Wall-clock limit for one command, in milliseconds.",
    default: DEFAULT_LIMITS.wallMs,
  },
};

interface OsOptions {
  templates: OsTemplate[];
  commandTimeoutMs: number;
}

function readOptions(raw: Record<string, unknown> = {}): OsOptions {
  for (const key of Object.keys(raw)) {
    if (!(key in options)) {
      throw new Error(`os: unknown option '${key}'. Known options: ${Object.keys(options).join(", ")}.`);
    }
  }
  const templates = readNameList("os", "templates", raw.templates, osTemplateNames, osTemplateNames);
  const timeout = raw.commandTimeoutMs ?? DEFAULT_LIMITS.wallMs;
  if (typeof timeout !== "number" || !(timeout >= 100 && timeout <= 600_000)) {
    throw new Error("os: option 'commandTimeoutMs' must be a number of milliseconds between 100 and 600000.");
  }
  return { templates, commandTimeoutMs: timeout };
}

/** Task data plus the per-command limits the episode runs under. */
export interface OsTaskPayload extends OsTaskData {
  limits: SandboxLimits;
}

export function osTasks(query: TaskQuery): EnvTask[] {
  const opts = readOptions(query.options);
  const limits: SandboxLimits = {
    ...DEFAULT_LIMITS,
    wallMs: opts.commandTimeoutMs,
    cpuSeconds: Math.max(1, Math.ceil(opts.commandTimeoutMs / 1000)),
  };
  const candidates = drawTasks<OsCandidate>(query.split, query.count, query.seed, (rng) =>
    osTemplates[rng.pick(opts.templates)](rng),
  );
  return candidates.map((candidate) => ({
    id: `os/${query.split}/${contentHash(candidate).slice(0, 12)}`,
    family: "os",
    split: query.split,
    instruction: candidate.instruction,
    data: { ...candidate.data, limits } satisfies OsTaskPayload,
  }));
}

/** The task behind the 1-shot example; a test replays the example on it. */
export const osExampleTask: EnvTask = {
  id: "os/example",
  family: "os",
  split: "train",
  instruction: "How many lines of logs/app.log contain the word ERROR? Answer with a number.",
  data: {
    template: "count-lines",
    params: { file: "logs/app.log", word: "ERROR" },
    files: [
      {
        path: "logs/app.log",
        content:
          "2024-03-02 10:01 INFO api started\n2024-03-02 10:04 ERROR api timeout\n" +
          "2024-03-02 10:09 WARN api slow\n2024-03-02 10:12 ERROR db refused\n",
      },
    ],
    goal: { kind: "question", answer: "2", answerType: "number" },
    limits: DEFAULT_LIMITS,
  } satisfies OsTaskPayload,
};

const example: ExampleTrajectory = {
  instruction: osExampleTask.instruction,
  observation: `${OS_INTRO} When you know the answer, reply "answer: <text>".`,
  steps: [
    {
      thought: "First look at the log's format.",
      action: "bash: head -n 3 logs/app.log",
      observation:
        "2024-03-02 10:01 INFO api started\n2024-03-02 10:04 ERROR api timeout\n2024-03-02 10:09 WARN api slow\n[exit code 0]",
    },
    {
      thought: "The level is a word on each line; grep -c -w counts the lines containing ERROR.",
      action: "bash: grep -c -w ERROR logs/app.log",
      observation: "2\n[exit code 0]",
    },
    { thought: "grep counted 2 matching lines.", action: "answer: 2", observation: "Correct." },
  ],
};

export const osEnv: Environment = {
  family: "os",
  group: "held-in",
  description:
    "Operating-system tasks (AgentBench OS-like): real bash in a bubblewrap sandbox (no network, only the " +
    "episode's home directory writable, CPU/memory/process/output limits). Questions about seeded files " +
    "(count matching lines, largest file, sum a CSV column, who owns a file …) are answered with `answer:`; " +
    "tasks that create, move, rename, delete or chmod files end with `finish` and are checked on disk.",
  actionSpace:
    "bash: <command>   run a command in a fresh shell in /home/user; you see its output (cut at 2000 characters) and exit code\n" +
    "answer: <text>    give the final answer to a question (ends the episode)\n" +
    "finish            declare a file-changing task done (ends the episode; the files are checked)\n" +
    "Examples: bash: grep -c ERROR logs/app.log | answer: 42 | finish",
  maxTurns: 8,
  options,
  tasks: osTasks,
  async open(task: EnvTask) {
    if (task.family !== "os")
      throw new Error(`os: cannot open a task of family '${task.family}' (${task.id}).`);
    await ensureSandbox();
    return new OsEpisode(task, (task.data as OsTaskPayload).limits ?? DEFAULT_LIMITS);
  },
  example,
  expert: osExpert,
  derivation: osDerivation,
};
