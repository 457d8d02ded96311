import { describe, expect, it } from "vitest";
import { household } from "../../runtime/env/families/household/index.ts";
import { familySuite, playExpert } from "./family-suite.ts";

familySuite(household, {
  invalid: [
    { action: "tkae mug 1", says: "'tkae mug 1' is not a valid action" },
    { action: "go to moon 1", says: "There is no 'moon 1' here" },
    { action: "open cabinet 1", says: "go to cabinet 1 first" },
    { action: "put apple 1 in/on countertop 1", says: "You are not carrying" },
    { action: "heat mug 1 with fridge 1", says: "You can only heat things with a microwave" },
  ],
});

describe("household specifics", () => {
  it("shows what is on a receptacle and hides what is inside a closed one", async () => {
    const [task] = household.tasks({ split: "train", count: 1, seed: 1, options: { goal: "heat" } });
    const episode = await household.open(task);
    const first = await episode.reset();
    expect(first.observation).toContain("Your task is to: ");
    expect((await episode.step("go to microwave 1")).observation).toBe(
      "You arrive at microwave 1. The microwave 1 is closed.",
    );
    expect((await episode.step("open microwave 1")).observation).toMatch(
      /^You open the microwave 1\. The microwave 1 is open\. In it, you see /,
    );
    expect((await episode.step("inventory")).observation).toBe("You are not carrying anything.");
  });

  it("has experts whose thoughts name only objects the observations have shown", async () => {
    for (const task of household.tasks({ split: "test", count: 60, seed: 21 })) {
      const { transcript } = await playExpert(household, task);
      let shown = transcript[0];
      for (let i = 1; i < transcript.length; i += 4) {
        const thought = transcript[i];
        for (const [name] of thought.matchAll(/[a-z]+ \d+/g)) {
          expect(shown, `${task.id}: thought mentions unseen '${name}'`).toContain(name);
        }
        shown += `\n${transcript[i + 2]}`;
      }
    }
  });

  it("restricts goal kinds with the goal option", () => {
    const tasks = household.tasks({
      split: "train",
      count: 30,
      seed: 2,
      options: { goal: "examine", difficulty: "hard" },
    });
    for (const task of tasks) expect(task.instruction).toMatch(/desklamp/);
  });
});
