import { describe, expect, it } from "vitest";
import { sciworld } from "../../runtime/env/families/sciworld/index.ts";
import type { SciData } from "../../runtime/env/families/sciworld/world.ts";
import { familySuite, playExpert } from "./family-suite.ts";

familySuite(sciworld, {
  invalid: [
    { action: "boil everything", says: "'boil everything' is not a valid action" },
    { action: "go to moon", says: "There is no room called 'moon'" },
    { action: "pick up unicorn", says: "There is no unicorn here" },
  ],
});

describe("sciworld specifics", () => {
  it("gives partial credit as subgoals are completed, never decreasing", async () => {
    for (const task of sciworld.tasks({ split: "test", count: 20, seed: 12 })) {
      const { transcript } = await playExpert(sciworld, task);
      const rewards = transcript.filter((_, i) => i % 4 === 0 && i > 0).map(Number);
      for (let i = 1; i < rewards.length; i++) expect(rewards[i]).toBeGreaterThanOrEqual(rewards[i - 1]);
      expect(new Set(rewards.filter((r) => r > 0 && r < 1)).size).toBeGreaterThan(0);
      expect(rewards[rewards.length - 1]).toBe(1);
    }
  });

  it("ends the task when the agent focuses on the wrong thing", async () => {
    const [task] = sciworld.tasks({ split: "test", count: 1, seed: 3, options: { task: "change_state" } });
    const episode = await sciworld.open(task);
    await episode.reset();
    const clutter = (task.data as SciData).clutter.hallway[0];
    const result = await episode.step(`focus on ${clutter}`);
    expect(result.done).toBe(true);
    expect(result.info.success).toBe(false);
    expect(result.reward).toBe(0);
  });

  it("sorts into the wrong box with only partial credit", async () => {
    const [task] = sciworld.tasks({ split: "test", count: 1, seed: 5, options: { task: "conductivity" } });
    const data = task.data as SciData;
    if (data.task.kind !== "conductivity") throw new Error("expected a conductivity task");
    const episode = await sciworld.open(task);
    await episode.reset();
    if (data.task.objectRoom !== "hallway") await episode.step(`go to ${data.task.objectRoom}`);
    await episode.step(`focus on ${data.task.object}`);
    await episode.step(`pick up ${data.task.object}`);
    if (data.task.objectRoom !== "workshop") await episode.step("go to workshop");
    const wrong = data.task.conductive ? data.task.no : data.task.yes;
    const result = await episode.step(`put ${data.task.object} in ${wrong}`);
    expect(result.done).toBe(true);
    expect(result.info.success).toBe(false);
    expect(result.reward).toBe(0.5);
  });

  it("refuses to put a container inside itself", async () => {
    const [task] = sciworld.tasks({ split: "test", count: 1, seed: 3, options: { task: "change_state" } });
    const data = task.data as SciData;
    if (data.task.kind !== "change_state") throw new Error("expected a change-of-state task");
    const episode = await sciworld.open(task);
    await episode.reset();
    if (data.task.containerRoom !== "hallway") await episode.step(`go to ${data.task.containerRoom}`);
    expect((await episode.step(`pick up ${data.task.container}`)).info.valid).toBe(true);
    const result = await episode.step(`put ${data.task.container} in ${data.task.container}`);
    expect(result.info.valid).toBe(false);
    expect(result.observation).toContain("in itself");
  });
});
