/**
 * Where candidate tasks come from: the family's offline `propose` (the built-in expert teacher),
 * or a model (openai / model generator) prompted with the task format and a few seed tasks and
 * asked for one new task as JSON. Each attempt is a pure function of its number, so a resumed
 * stage asks again exactly what it asked before (and an openai teacher's replies come back from
 * the response cache).
 */

import { mixSeed, Rng } from "../env/sandbox/random.ts";
import type { Environment, EnvTask, TaskContent, TaskWriting } from "../env/types.ts";
import type { ChatMessage, Generator } from "../generators/types.ts";

export type DeriveMode = "derive" | "self_instruct";

export type Proposal = { ok: true; content: TaskContent } | { ok: false; reason: string; detail: string };

export interface TaskWriter {
  propose(attempt: number): Promise<Proposal>;
}

/** Seed tasks shown to the model as examples of the JSON format. */
const EXAMPLES = 2;

export function offlineWriter(
  env: Environment,
  propose: NonNullable<NonNullable<Environment["derivation"]>["propose"]>,
  seeds: EnvTask[],
  seed: number,
): TaskWriter {
  return {
    async propose(attempt) {
      const content = propose(seeds, mixSeed(seed, attempt));
      return content
        ? { ok: true, content }
        : {
            ok: false,
            reason: "no_candidate",
            detail: `the ${env.family} family made no task from these seeds`,
          };
    },
  };
}

export function modelWriter(
  env: Environment,
  writing: TaskWriting,
  generator: Generator,
  mode: DeriveMode,
  seeds: EnvTask[],
  seed: number,
): TaskWriter {
  // Task writing is plain chat: no tools offered, whatever the family's agents use.
  const writingEnv: Environment = { ...env, tools: undefined };
  return {
    async propose(attempt) {
      const rng = new Rng(mixSeed(seed, attempt));
      const base = rng.pick(seeds);
      const examples = rng
        .shuffle(seeds)
        .map((task) => writing.toJson(task))
        .filter((json): json is Record<string, unknown> => json !== undefined)
        .slice(0, EXAMPLES);
      const messages = writingMessages(env, writing, mode, base, examples);
      // The attempt's own id keys the response cache, so a rerun reads back this attempt's reply.
      const request: EnvTask = {
        id: `${env.family}/${mode}/attempt-${seed}-${attempt}`,
        family: env.family,
        split: "train",
        instruction: "write a new task",
        data: null,
      };
      let reply: string;
      try {
        reply = await generator.startEpisode(writingEnv, request).act(messages, "");
      } catch (error) {
        return { ok: false, reason: "generator_error", detail: (error as Error).message };
      }
      let value: unknown;
      try {
        value = parseJsonReply(reply);
      } catch (error) {
        return { ok: false, reason: "unparseable", detail: (error as Error).message };
      }
      try {
        return { ok: true, content: writing.fromJson(value, base) };
      } catch (error) {
        return { ok: false, reason: "unparseable", detail: `not a valid task: ${(error as Error).message}` };
      }
    },
  };
}

export function writingMessages(
  env: Environment,
  writing: TaskWriting,
  mode: DeriveMode,
  base: EnvTask,
  examples: Record<string, unknown>[],
): ChatMessage[] {
  const goal =
    mode === "derive"
      ? "Derive a new task from the existing data below: a new question or goal over the same data, with its reference solution."
      : "Write a new task of this kind yourself (Self-Instruct): the task, a reference solution, and a checker.";
  const system = [
    `You write new tasks for the '${env.family}' environment; agents will be trained on them. ${env.description}`,
    "",
    "The agent's actions:",
    env.actionSpace,
  ].join("\n");
  const user = [
    goal,
    "",
    writing.describe(base),
    ...(examples.length > 0
      ? ["", "Examples of tasks in that JSON form:", ...examples.map((example) => JSON.stringify(example))]
      : []),
    "",
    "Write one new task, different from the examples. Reply with the JSON object only.",
  ].join("\n");
  return [
    { role: "system", content: system },
    { role: "user", content: user },
  ];
}

/** The JSON object in a model's reply: the whole reply, a ```json fenced block, or the first {...} in it. */
export function parseJsonReply(reply: string): unknown {
  const text = reply.trim();
  const fenced = /```(?:json)?\s*([\s\S]*?)```/i.exec(text)?.[1];
  const start = text.indexOf("{");
  const end = text.lastIndexOf("}");
  const attempts = [text, fenced, start >= 0 && end > start ? text.slice(start, end + 1) : undefined];
  for (const candidate of attempts) {
    if (candidate === undefined) continue;
    try {
      return JSON.parse(candidate);
    } catch {
      // try the next reading
    }
  }
  const preview = text.replace(/\s+/g, " ").slice(0, 120);
  throw new Error(`the reply holds no JSON object (${preview === "" ? "empty" : `"${preview}…"`})`);
}
