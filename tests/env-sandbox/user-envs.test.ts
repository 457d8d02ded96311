/** The user-environment examples (examples/envs/): each must be a working Environment with a reliable expert. */
import { describe, expect, it } from "vitest";
import { expenseEnv, expenseExampleTask } from "../../examples/envs/expense.ts";
import { gridEnv, gridExampleTask } from "../../examples/envs/grid.ts";
import { guessEnv, guessExampleTask } from "../../examples/envs/template.ts";
import { toolsEnv, toolsExampleTask } from "../../examples/envs/tools.ts";
import { DISCLAIMER, triageEnv, triageExampleTask } from "../../examples/envs/triage.ts";
import { tutorEnv, tutorExampleTask } from "../../examples/envs/tutor.ts";
import { runEpisode } from "../../runtime/agent/loop.ts";
import type { Environment, EnvTask } from "../../runtime/env/types.ts";
import { expertGenerator } from "../../runtime/generators/expert.ts";
import { playExpert } from "./play.ts";

const cases: Array<[Environment, EnvTask]> = [
  [guessEnv, guessExampleTask],
  [toolsEnv, toolsExampleTask],
  [expenseEnv, expenseExampleTask],
  [tutorEnv, tutorExampleTask],
  [triageEnv, triageExampleTask],
  [gridEnv, gridExampleTask],
];

describe.each(cases)("user environment %#", (env, exampleTask) => {
  it(`${env.family}: the expert solves at least 99% of 250 test tasks`, async () => {
    const tasks = env.tasks({ split: "test", count: 250, seed: 5 });
    let solved = 0;
    for (const task of tasks) if ((await playExpert(env, task)).reward === 1) solved++;
    expect(solved / tasks.length).toBeGreaterThanOrEqual(0.99);
  });

  it(`${env.family}: the expert's episodes survive the runtime's agent loop (ReAct parsing, repetition rule)`, async () => {
    const tasks = env.tasks({ split: "train", count: 40, seed: 12 });
    for (const task of tasks) {
      const result = await runEpisode(env, task, expertGenerator, {
        examples: [env.example],
        maxTurns: env.maxTurns,
        invalidActions: "map",
      });
      expect({ task: task.id, finish: result.finishReason, success: result.success }).toEqual({
        task: task.id,
        finish: "done",
        success: true,
      });
    }
  });

  it(`${env.family}: tasks are deterministic, distinct, and train/test disjoint`, () => {
    expect(env.tasks({ split: "train", count: 30, seed: 9 })).toEqual(
      env.tasks({ split: "train", count: 30, seed: 9 }),
    );
    const train = env.tasks({ split: "train", count: 1000, seed: 1 });
    const test = env.tasks({ split: "test", count: 300, seed: 1 });
    const key = (t: EnvTask) => JSON.stringify(t.data);
    const trainKeys = new Set(train.map(key));
    expect(trainKeys.size).toBe(train.length);
    expect(test.filter((t) => trainKeys.has(key(t)))).toEqual([]);
    expect(() => env.tasks({ split: "train", count: 1, seed: 0, options: { bogus: 1 } })).toThrow(
      /unknown option 'bogus'/,
    );
  });

  it(`${env.family}: replays its 1-shot example and rejects nonsense actions`, async () => {
    const episode = await env.open(exampleTask);
    expect((await episode.reset()).observation).toBe(env.example.observation);
    const nonsense = await episode.step("dance wildly");
    expect(nonsense.info.valid).toBe(false);
    expect(nonsense.done).toBe(false);
    expect(nonsense.observation).toMatch(/^Invalid action "dance wildly"\. /);
    let last = { reward: 0, done: false };
    for (const step of env.example.steps) {
      const result = await episode.step(step.action);
      expect(result.observation).toBe(step.observation);
      last = result;
    }
    expect(last).toMatchObject({ reward: 1, done: true });
    expect((await episode.step(env.example.steps[0].action)).observation).toBe("The episode is over.");
    await episode.close();
  });
});

describe("user environment specifics", () => {
  it("triage says it is synthetic and not medical advice in its description and every instruction", () => {
    expect(triageEnv.description).toContain(DISCLAIMER);
    expect(
      triageEnv
        .tasks({ split: "train", count: 200, seed: 3 })
        .every((t) => t.instruction.includes("not medical advice")),
    ).toBe(true);
  });

  it("grid observations carry an RGB image whose size matches the grid, and text that never gives positions", async () => {
    const [task] = gridEnv.tasks({ split: "train", count: 1, seed: 4 });
    const episode = await gridEnv.open(task);
    const first = await episode.reset();
    const image = first.image!;
    expect(image.channels).toBe(3);
    expect(image.pixels.length).toBe(image.width * image.height * 3);
    expect(
      image.pixels.filter((v, i) => i % 3 === 0 && v === 255 && image.pixels[i + 1] === 0).length,
    ).toBeGreaterThan(0);
    expect(first.observation).not.toMatch(/\d+,\s*\d+|column|row \d/);
    await episode.close();
  });

  it("lists valid actions where they can be enumerated, so the agent loop can map near misses", async () => {
    const episode = await gridEnv.open(gridExampleTask);
    expect(episode.validActions?.()).toEqual([]);
    await episode.reset();
    expect(episode.validActions?.()).toEqual(["move: up", "move: down", "move: left", "move: right"]);
    await episode.close();
    const expense = await expenseEnv.open(expenseExampleTask);
    await expense.reset();
    expect(expense.validActions?.()).toContain("decide: reject meal-limit");
    expect(expense.validActions?.()).toHaveLength(10);
    await expense.close();
  });

  it("tools declares JSON-schema tools and reports tool errors as observations", async () => {
    expect(toolsEnv.tools!.map((t) => t.name)).toEqual(["calculator", "convert", "calendar"]);
    const episode = await toolsEnv.open(toolsExampleTask);
    await episode.reset();
    expect((await episode.step('call: convert {"value": 1, "from": "kg", "to": "km"}')).observation).toBe(
      "error: cannot convert mass to length",
    );
    expect((await episode.step("call: calculator {not json}")).observation).toMatch(
      /^error: the arguments of calculator must be a JSON object/,
    );
    expect((await episode.step('call: calculator {"expression": "2 * (3 + 4"}')).observation).toBe(
      "error: missing ')'",
    );
    await episode.close();
  });
});
