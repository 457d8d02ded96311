/**
 * Self-Instruct for os (as AgentTuning did): a new task comes with a reference solution (a bash
 * script) and a checker (the expected answer, or checks on the files). It is kept only if the
 * solution, run in the sandbox, satisfies the checker, and a second, independent solve by the
 * verifier — an agent in the sandboxed environment — satisfies it too.
 */
import { DEFAULT_LIMITS, ensureSandbox, type SandboxLimits } from "../sandbox/bwrap.ts";
import { Rng, splitOf } from "../sandbox/random.ts";
import type { EnvTask, TaskContent, TaskDerivation, Verdict, VerifyContext } from "../types.ts";
import { OsEpisode } from "./episode.ts";
import { commandOutput } from "./expert.ts";
import { answerMatches } from "./judge.ts";
import { type FileCheck, type OsTaskData, type OsTemplate, osTemplates, type SeedFile } from "./tasks.ts";

/** A self-instructed task's data: the task, its reference solution, and the seed's limits. */
export interface SelfInstructData extends Omit<OsTaskData, "template"> {
  /** A built-in template (written offline), or "self-instruct" (written by a model). */
  template: OsTemplate | "self-instruct";
  /** A bash script, run in /home/user, that solves the task (a question's answer is its last output line). */
  solution: string;
  limits?: SandboxLimits;
}

const quote = (text: string | number) => `'${String(text).replace(/'/g, `'\\''`)}'`;

/** The reference solution of a task made from a built-in template. */
export function referenceSolution(data: OsTaskData): string {
  const p = data.params;
  switch (data.template) {
    case "count-lines":
      return `grep -c -w ${quote(p.word)} ${quote(p.file)}`;
    case "largest-file":
      return `find ${quote(p.dir)} -maxdepth 1 -type f -printf '%s %f\\n' | sort -n | tail -n 1 | cut -d' ' -f2-`;
    case "csv-sum":
      return `awk -F, -v col=${quote(p.column)} 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == col) c = i; next } { t += $c } END { print t }' ${quote(p.file)}`;
    case "file-owner":
      return `grep -F ${quote(` ${p.name}`)} ${quote(p.file)} | awk '{ print $3 }'`;
    case "top-owner":
      return `awk '{ print $3 }' ${quote(p.file)} | sort | uniq -c | sort -n | tail -n 1 | awk '{ print $2 }'`;
    case "passwd-uid":
      return `awk -F: '$3 == ${Number(p.uid)} { print $1 }' ${quote(p.file)}`;
    case "count-extension":
      return `find ${quote(p.dir)} -type f -name ${quote(`*.${p.extension}`)} | wc -l`;
    case "distinct-ips":
      return `cut -d' ' -f1 ${quote(p.file)} | sort -u | wc -l`;
    case "find-codeword":
      return `grep -rlw ${quote(p.word)} ${quote(p.dir)}`;
    case "create-file":
      return `mkdir -p "$(dirname ${quote(p.path)})" && printf '%s\\n' ${quote(p.line)} > ${quote(p.path)}`;
    case "rename-file":
      return `mv ${quote(p.from)} ${quote(p.to)}`;
    case "move-logs":
      return `mkdir -p ${quote(p.to)} && mv ${quote(p.from)}/*.${p.extension} ${quote(`${p.to}/`)}`;
    case "change-mode":
      return `chmod ${p.mode} ${quote(p.path)}`;
    case "delete-temp":
      return `find ${quote(p.dir)} -maxdepth 1 -type f -name ${quote(`*.${p.extension}`)} -delete`;
    case "write-line-count":
      return `wc -l < ${quote(p.file)} > ${quote(p.target)}`;
  }
}

const isTemplate = (name: unknown): name is OsTemplate =>
  typeof name === "string" && Object.hasOwn(osTemplates, name);

/** The offline teacher: a fresh task of a seed's kind, with its reference solution and the seed's limits. */
function propose(seeds: EnvTask[], seed: number): TaskContent | undefined {
  const rng = new Rng(seed);
  const usable = seeds.filter((task) => isTemplate((task.data as OsTaskData).template));
  if (usable.length === 0) return undefined;
  const base = rng.pick(usable).data as SelfInstructData;
  const made = osTemplates[base.template as OsTemplate](rng);
  const data: SelfInstructData = {
    ...made.data,
    solution: referenceSolution(made.data),
    ...(base.limits ? { limits: base.limits } : {}),
  };
  return { instruction: made.instruction, data };
}

// --- tasks written by a model --------------------------------------------------------------------

const MAX_FILES = 30;
const MAX_FILE_CHARS = 20_000;

function describe(): string {
  return [
    "An os task is done in bash, as the user `user` in /home/user, in a sandbox without network.",
    "It gives the files the home directory starts with, the instruction, a reference solution (a bash script run",
    "in /home/user) and a checker: either the expected answer to a question (the solution prints it as its last",
    "line), or checks on the files after a file-changing task. Invent new file contents; keep them short.",
    "",
    "Reply with one JSON object:",
    '{"instruction": "…", "files": [{"path": "relative/path", "content": "…", "mode": "644"}],',
    ' "solution": "bash commands", "answer": "the expected answer", "answer_type": "number" or "text"}',
    'or, for a file-changing task, "checks" instead of "answer" and "answer_type":',
    '"checks": [{"path": "p", "content": "the exact content"}, {"path": "p", "absent": true}, {"path": "p", "mode": "755"}]',
  ].join("\n");
}

function toJson(task: EnvTask): Record<string, unknown> | undefined {
  const data = task.data as OsTaskData;
  if (!isTemplate(data.template)) return undefined;
  const files = data.files.map((f) => ({
    path: f.path,
    content: f.content,
    ...(f.mode === undefined ? {} : { mode: f.mode.toString(8) }),
  }));
  const checker =
    data.goal.kind === "question"
      ? { answer: data.goal.answer, answer_type: data.goal.answerType }
      : {
          checks: data.goal.checks.map((c) =>
            c.type === "absent"
              ? { path: c.path, absent: true }
              : c.type === "mode"
                ? { path: c.path, mode: c.mode.toString(8) }
                : { path: c.path, content: c.content },
          ),
        };
  return { instruction: task.instruction, files, solution: referenceSolution(data), ...checker };
}

/** A path inside the home directory: relative, no "..", plain characters. */
function relativePath(value: unknown, where: string): string {
  if (typeof value !== "string" || !/^[\w.-]+(\/[\w.-]+)*$/.test(value) || value.split("/").includes(".."))
    throw new Error(
      `${where}: "path" must be a relative path of letters, digits, ".", "_", "-" and "/", without ".."`,
    );
  if (value.length > 200) throw new Error(`${where}: "path" is longer than 200 characters`);
  return value;
}

function octalMode(value: unknown, where: string): number {
  const text = typeof value === "number" ? String(value) : value;
  if (typeof text !== "string" || !/^[0-7]{3}$/.test(text))
    throw new Error(`${where}: "mode" must be three octal digits, e.g. "644"`);
  return Number.parseInt(text, 8);
}

function readFiles(value: unknown): SeedFile[] {
  if (!Array.isArray(value)) throw new Error('"files" must be a list of {"path", "content"} objects');
  if (value.length > MAX_FILES) throw new Error(`"files" lists more than ${MAX_FILES} files`);
  return value.map((file, i) => {
    const where = `files[${i}]`;
    if (file === null || typeof file !== "object") throw new Error(`${where} is not an object`);
    const path = relativePath(file.path, where);
    if (typeof file.content !== "string" || file.content.length > MAX_FILE_CHARS)
      throw new Error(`${where}: "content" must be a string of at most ${MAX_FILE_CHARS} characters`);
    return {
      path,
      content: file.content,
      ...(file.mode === undefined ? {} : { mode: octalMode(file.mode, where) }),
    };
  });
}

function readChecks(value: unknown): FileCheck[] {
  if (!Array.isArray(value) || value.length === 0 || value.length > MAX_FILES)
    throw new Error(`"checks" must be a list of 1 to ${MAX_FILES} checks`);
  return value.map((check, i): FileCheck => {
    const where = `checks[${i}]`;
    if (check === null || typeof check !== "object") throw new Error(`${where} is not an object`);
    const path = relativePath(check.path, where);
    if (check.absent === true) return { type: "absent", path };
    if (check.mode !== undefined) return { type: "mode", path, mode: octalMode(check.mode, where) };
    if (typeof check.content === "string") return { type: "content", path, content: check.content };
    throw new Error(`${where} needs "content", "absent": true or "mode"`);
  });
}

function fromJson(value: unknown, seed: EnvTask): TaskContent {
  if (value === null || typeof value !== "object" || Array.isArray(value))
    throw new Error('expected a JSON object {"instruction", "files", "solution", …}');
  const task = value as Record<string, unknown>;
  if (typeof task.instruction !== "string" || task.instruction.trim() === "")
    throw new Error('"instruction" must be a non-empty string');
  if (typeof task.solution !== "string" || task.solution.trim() === "" || task.solution.length > 4000)
    throw new Error('"solution" must be a bash script of 1 to 4000 characters');
  const files = readFiles(task.files ?? []);
  let goal: OsTaskData["goal"];
  if (task.checks !== undefined) {
    goal = { kind: "end-state", checks: readChecks(task.checks) };
  } else {
    if (typeof task.answer !== "string" && typeof task.answer !== "number")
      throw new Error(
        'give "answer" (and "answer_type") for a question, or "checks" for a file-changing task',
      );
    const answerType = task.answer_type ?? (typeof task.answer === "number" ? "number" : "text");
    if (answerType !== "number" && answerType !== "text")
      throw new Error('"answer_type" must be "number" or "text"');
    goal = { kind: "question", answer: String(task.answer), answerType };
  }
  const limits = (seed.data as SelfInstructData).limits;
  const data: SelfInstructData = {
    template: "self-instruct",
    params: {},
    files,
    goal,
    solution: task.solution,
    ...(limits ? { limits } : {}),
  };
  return { instruction: task.instruction.trim(), data };
}

// --- verification --------------------------------------------------------------------------------

const reject = (reason: string, detail: string): Verdict => ({ ok: false, reason, detail });

/** Runs the reference solution in a fresh sandboxed home; undefined when the checker accepts what it did. */
async function solutionProblem(task: EnvTask): Promise<string | undefined> {
  const data = task.data as SelfInstructData;
  await ensureSandbox();
  const episode = new OsEpisode(task, data.limits ?? DEFAULT_LIMITS);
  try {
    await episode.reset();
    const ran = await episode.step(`bash: ${data.solution}`);
    const exit = /\[exit code (-?\d+)\]\s*$/.exec(ran.observation)?.[1];
    if (exit !== "0") {
      const ending = ran.observation.split("\n").pop();
      return `the reference solution did not succeed (${ending})`;
    }
    if (data.goal.kind === "question") {
      const lines = commandOutput(ran.observation).trim().split("\n");
      const printed = lines[lines.length - 1]?.trim() ?? "";
      return answerMatches(printed, data.goal.answer, data.goal.answerType)
        ? undefined
        : `the reference solution prints ${JSON.stringify(printed)}, but the checker expects ${JSON.stringify(data.goal.answer)}`;
    }
    const finished = await episode.step("finish");
    return finished.reward >= 1 ? undefined : `after the reference solution: ${finished.observation}`;
  } finally {
    await episode.close();
  }
}

async function verify(task: EnvTask, context: VerifyContext): Promise<Verdict> {
  const problem = await solutionProblem(task);
  if (problem) return reject("solution_disagreed", problem);
  const second = await context.solve(task);
  if (second.finishReason === "generator_error" || second.finishReason === "env_error") {
    const hint =
      (task.data as SelfInstructData).template === "self-instruct"
        ? " (an expert verifier knows only the built-in templates: verify model-written tasks with a model, e.g. verifier = teacher)"
        : "";
    return reject(
      "verifier_error",
      `the verifier could not finish its solve: ${second.error ?? second.finishReason}${hint}`,
    );
  }
  if (!second.success)
    return reject(
      "verifier_disagreed",
      `the verifier's own solve failed the checker (finish: ${second.finishReason}, reward ${second.reward})`,
    );
  return { ok: true, task };
}

/** The content as osTasks() hashes it (no solution, no limits): the partition that decides train and test. */
function inTestSplit(content: TaskContent): boolean {
  const { solution: _solution, limits: _limits, ...data } = content.data as SelfInstructData;
  return splitOf({ instruction: content.instruction, data }) === "test";
}

export const osDerivation: TaskDerivation = {
  propose,
  writing: { describe, toJson, fromJson },
  verify,
  inTestSplit,
};
