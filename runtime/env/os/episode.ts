/** One os episode: a fresh home directory, commands run in the bubblewrap sandbox, an answer or a final check. */
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { type CommandResult, handToSandbox, runSandboxed, type SandboxLimits } from "../sandbox/bwrap.ts";
import type { EnvTask, Episode, ResetResult, StepResult } from "../types.ts";
import { answerMatches, firstFailedCheck } from "./judge.ts";
import type { OsTaskData } from "./tasks.ts";

/** Characters of command output shown to the agent; the rest is cut with a note. */
export const OBSERVATION_CHARS = 2000;

export const OS_INTRO =
  "You are logged in as `user` in /home/user. Each `bash:` action runs in a fresh shell in /home/user " +
  "(cd and variables do not carry over; chain commands with && or ;).";

/** The observation for one command: its output (cut to OBSERVATION_CHARS with a note) and how it ended. */
export function describeCommand(result: CommandResult, limits: SandboxLimits): string {
  let output = result.output;
  if (output.length > OBSERVATION_CHARS) {
    output = `${output.slice(0, OBSERVATION_CHARS)}\n[output truncated: showing the first ${OBSERVATION_CHARS} of ${result.output.length}${result.outputLimitHit ? "+" : ""} characters]`;
  }
  const body = output.endsWith("\n") || output === "" ? output : `${output}\n`;
  if (result.timedOut)
    return `${body}[killed: the command ran longer than the ${limits.wallMs / 1000} s time limit]`;
  if (result.outputLimitHit)
    return `${body}[killed: the command printed more than ${limits.outputBytes} bytes]`;
  return `${body}[exit code ${result.exitCode}]`;
}

type ParsedAction = { verb: "bash" | "answer"; argument: string } | { verb: "finish" } | { error: string };

export function parseOsAction(action: string): ParsedAction {
  const match = /^\s*(bash|answer|finish)\s*(?::\s*([\s\S]*))?$/i.exec(action);
  if (!match) {
    return {
      error: `Invalid action ${JSON.stringify(action.slice(0, 80))}. Use "bash: <command>", "answer: <text>" or "finish".`,
    };
  }
  const verb = match[1].toLowerCase();
  const argument = (match[2] ?? "").trim();
  if (verb === "finish") return { verb: "finish" };
  if (argument === "")
    return { error: `Invalid action: "${verb}:" needs text after the colon, e.g. "${verb}: ls -l".` };
  return { verb: verb as "bash" | "answer", argument };
}

/** Removes a home directory even when the agent took away its own permissions (chmod 000 on a folder). */
function removeTree(path: string): void {
  try {
    rmSync(path, { recursive: true, force: true });
  } catch {
    const restore = (p: string) => {
      chmodSync(p, 0o700);
      for (const entry of readdirSync(p, { withFileTypes: true })) {
        if (entry.isDirectory()) restore(join(p, entry.name));
      }
    };
    restore(path);
    rmSync(path, { recursive: true, force: true });
  }
}

export class OsEpisode implements Episode {
  private home: string | undefined;
  private done = false;

  constructor(
    private readonly task: EnvTask,
    private readonly limits: SandboxLimits,
  ) {}

  private get data(): OsTaskData {
    return this.task.data as OsTaskData;
  }

  async reset(): Promise<ResetResult> {
    await this.close();
    this.done = false;
    const home = mkdtempSync(join(tmpdir(), "atune-os-"));
    for (const file of this.data.files) {
      const path = join(home, file.path);
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, file.content);
      chmodSync(path, file.mode ?? 0o644);
    }
    handToSandbox(home);
    this.home = home;
    const finishHint =
      this.data.goal.kind === "question"
        ? 'When you know the answer, reply "answer: <text>".'
        : 'When the files are in the requested state, reply "finish".';
    return { observation: `${OS_INTRO} ${finishHint}` };
  }

  async step(action: string): Promise<StepResult> {
    if (!this.home) throw new Error("os episode: step() called before reset()");
    if (this.done)
      return { observation: "The episode is over.", reward: 0, done: true, info: { valid: false } };
    const parsed = parseOsAction(action);
    if ("error" in parsed)
      return { observation: parsed.error, reward: 0, done: false, info: { valid: false } };
    const goal = this.data.goal;
    if (parsed.verb === "bash") {
      const result = await runSandboxed(this.home, parsed.argument, this.limits);
      return {
        observation: describeCommand(result, this.limits),
        reward: 0,
        done: false,
        info: { valid: true, exitCode: result.exitCode, timedOut: result.timedOut },
      };
    }
    if (parsed.verb === "answer") {
      if (goal.kind !== "question") {
        return {
          observation:
            'This task asks you to change files, not to answer a question: reply "finish" when done.',
          reward: 0,
          done: false,
          info: { valid: false },
        };
      }
      this.done = true;
      const correct = answerMatches(parsed.argument, goal.answer, goal.answerType);
      return {
        observation: correct ? "Correct." : "Incorrect.",
        reward: correct ? 1 : 0,
        done: true,
        info: { valid: true, success: correct },
      };
    }
    if (goal.kind !== "end-state") {
      return {
        observation: 'This task asks a question: reply "answer: <text>" instead of "finish".',
        reward: 0,
        done: false,
        info: { valid: false },
      };
    }
    this.done = true;
    const failure = firstFailedCheck(this.home, goal.checks);
    return {
      observation: failure ? `The task is not done: ${failure}.` : "The files are in the requested state.",
      reward: failure ? 0 : 1,
      done: true,
      info: { valid: true, success: !failure },
    };
  }

  async close(): Promise<void> {
    if (this.home) removeTree(this.home);
    this.home = undefined;
  }
}
