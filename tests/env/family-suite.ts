/** The checks every built-in family must pass; each family's test file calls `familySuite`. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { exampleTaskOf } from "../../runtime/env/common/family.ts";
import { taskSignature } from "../../runtime/env/common/tasks.ts";
import type { Environment, EnvTask, StepResult } from "../../runtime/env/types.ts";

export interface SuiteOptions {
  /** Actions that must be refused in a fresh episode of the first test task, with a message containing `says`. */
  invalid: Array<{ action: string; says: string }>;
  /** How many tasks to count for distinctness (default 3000). */
  distinct?: number;
  /** How many tasks the expert plays (default 200). */
  expertTasks?: number;
}

/** Plays the family's expert on a task; the whole transcript and the last step's result. */
export async function playExpert(env: Environment, task: EnvTask) {
  const episode = await env.open(task);
  const first = await episode.reset();
  const policy = env.expert!(task);
  const transcript: string[] = [first.observation];
  let observation = first.observation;
  let last: StepResult | undefined;
  const invalid: string[] = [];
  for (let turn = 0; turn < env.maxTurns; turn++) {
    const move = policy.next(observation);
    expect(move.thought.trim().length).toBeGreaterThan(0);
    last = await episode.step(move.action);
    if (!last.info.valid) invalid.push(`${move.action} → ${last.observation}`);
    transcript.push(move.thought, move.action, last.observation, String(last.reward));
    observation = last.observation;
    if (last.done) break;
  }
  await episode.close();
  return { transcript, last, invalid };
}

async function replay(env: Environment, task: EnvTask, actions: string[]) {
  const episode = await env.open(task);
  const out: unknown[] = [await episode.reset()];
  for (const action of actions) out.push(await episode.step(action));
  await episode.close();
  return out;
}

export function familySuite(env: Environment, options: SuiteOptions): void {
  const distinct = options.distinct ?? 3000;
  const expertTasks = options.expertTasks ?? 200;

  describe(`${env.family} environment`, () => {
    it("gives the same tasks and the same transcripts for the same query and actions", async () => {
      const a = env.tasks({ split: "train", count: 20, seed: 7 });
      const b = env.tasks({ split: "train", count: 20, seed: 7 });
      expect(JSON.stringify(a)).toBe(JSON.stringify(b));
      // A longer query extends a shorter one, and another seed gives other tasks.
      expect(env.tasks({ split: "train", count: 30, seed: 7 }).slice(0, 20)).toEqual(a);
      const other = env.tasks({ split: "train", count: 20, seed: 8 });
      expect(other.map(taskSignature)).not.toEqual(a.map(taskSignature));
      for (const task of a.slice(0, 5)) {
        const { transcript } = await playExpert(env, task);
        const actions = transcript.filter((_, i) => i % 4 === 2);
        const random = ["look", "inventory", "click[Buy Now]", "search[red]", "play 3", "{}", ...actions];
        expect(JSON.stringify(await replay(env, task, random))).toBe(
          JSON.stringify(await replay(env, task, random)),
        );
        expect(JSON.stringify((await playExpert(env, task)).transcript)).toBe(JSON.stringify(transcript));
      }
    });

    it("keeps train and test tasks disjoint (1000 of each)", () => {
      const train = new Set(env.tasks({ split: "train", count: 1000, seed: 1 }).map(taskSignature));
      const test = env.tasks({ split: "test", count: 1000, seed: 1 }).map(taskSignature);
      expect(train.size).toBe(1000);
      expect(test.filter((s) => train.has(s))).toEqual([]);
      // Even a different seed for the test split cannot reach a train task.
      const test2 = env.tasks({ split: "test", count: 1000, seed: 99 }).map(taskSignature);
      expect(test2.filter((s) => train.has(s))).toEqual([]);
    });

    it(`makes thousands of distinct tasks (${distinct} asked)`, () => {
      const tasks = env.tasks({ split: "train", count: distinct, seed: 3 });
      expect(new Set(tasks.map(taskSignature)).size).toBe(distinct);
      expect(new Set(tasks.map((t) => t.id)).size).toBe(distinct);
      for (const task of tasks.slice(0, 50)) {
        expect(task.family).toBe(env.family);
        expect(JSON.parse(JSON.stringify(task))).toEqual(task);
      }
    });

    it(`has an expert that fully solves ≥ 99% of ${expertTasks} test tasks, with valid actions`, async () => {
      const tasks = env.tasks({ split: "test", count: expertTasks, seed: 11 });
      let solved = 0;
      const failures: string[] = [];
      for (const task of tasks) {
        const { last, invalid } = await playExpert(env, task);
        expect(invalid).toEqual([]);
        if (last?.done && last.reward === 1 && last.info.success === true) solved++;
        else failures.push(task.id);
      }
      expect(solved / tasks.length, `failed: ${failures.join(", ")}`).toBeGreaterThanOrEqual(0.99);
    });

    it("replays its 1-shot example exactly", async () => {
      const example = env.example;
      expect(example.steps.length).toBeGreaterThan(0);
      const task = exampleTaskOf(env)!;
      expect(example.instruction).toBe(task.instruction);
      const episode = await env.open(task);
      expect((await episode.reset()).observation).toBe(example.observation);
      let last: StepResult | undefined;
      for (const step of example.steps) {
        expect(step.thought.length).toBeGreaterThan(10);
        last = await episode.step(step.action);
        expect(last.observation).toBe(step.observation);
        expect(last.info.valid).toBe(true);
      }
      expect(last?.done).toBe(true);
      expect(last?.reward).toBe(1);
      expect(last?.info.success).toBe(true);
    });

    it("refuses invalid actions with an observation that says what was wrong", async () => {
      const [task] = env.tasks({ split: "test", count: 1, seed: 5 });
      for (const { action, says } of options.invalid) {
        const episode = await env.open(task);
        await episode.reset();
        const result = await episode.step(action);
        expect(result.info.valid, action).toBe(false);
        expect(result.done, action).toBe(false);
        expect(result.observation, action).toContain(says);
      }
    });

    it("never throws on arbitrary action strings", async () => {
      const tasks = env.tasks({ split: "test", count: 3, seed: 2 });
      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom(...tasks),
          fc.array(fc.string({ maxLength: 40 }), { maxLength: 6 }),
          async (task, actions) => {
            const episode = await env.open(task);
            await episode.reset();
            for (const action of actions) {
              const result = await episode.step(action);
              expect(typeof result.observation).toBe("string");
              expect(result.reward).toBeGreaterThanOrEqual(0);
              expect(result.reward).toBeLessThanOrEqual(1);
            }
            await episode.close();
            await episode.close();
          },
        ),
        { numRuns: 60 },
      );
    });

    it("accepts every action validActions() lists", async () => {
      const tasks = env.tasks({ split: "test", count: 4, seed: 4 });
      let checked = 0;
      for (const [n, task] of tasks.entries()) {
        const episode = await env.open(task);
        await episode.reset();
        if (!episode.validActions) return;
        for (let turn = 0; turn < 15; turn++) {
          const actions = episode.validActions();
          if (actions.length === 0) break;
          const action = actions[(turn * 7 + n) % actions.length];
          const result = await episode.step(action);
          expect(result.info.valid, `${task.id}: ${action} → ${result.observation}`).toBe(true);
          checked++;
          if (result.done) break;
        }
      }
      expect(checked).toBeGreaterThan(0);
    });

    it("rejects unknown options and bad queries with a clear message", () => {
      expect(() => env.tasks({ split: "train", count: 1, seed: 1, options: { nonsense: 1 } })).toThrow(
        /unknown option 'nonsense'/,
      );
      expect(() => env.tasks({ split: "dev" as "train", count: 1, seed: 1 })).toThrow(/split must be/);
      for (const [name, spec] of Object.entries(env.options ?? {})) {
        const wrong = typeof spec.default === "string" ? 12 : "twelve";
        expect(() => env.tasks({ split: "train", count: 1, seed: 1, options: { [name]: wrong } })).toThrow(
          new RegExp(`option '${name}'`),
        );
      }
    });
  });
}
