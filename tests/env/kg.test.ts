import { describe, expect, it } from "vitest";
import { kg } from "../../runtime/env/families/kg/index.ts";
import { answerF1 } from "../../runtime/env/families/kg/simulation.ts";
import type { KgData } from "../../runtime/env/families/kg/task.ts";
import { familySuite } from "./family-suite.ts";

familySuite(kg, {
  invalid: [
    { action: "find the answer", says: "is not a tool call" },
    { action: "get_neighbours(#0, x)", says: "unknown tool 'get_neighbours'" },
    { action: "count(#3)", says: "there is no variable #3 yet" },
    { action: "get_relations(Nobody Atall)", says: "there is no entity 'Nobody Atall'" },
    { action: "Final Answer: Paris", says: "the final answer must be a variable" },
  ],
});

describe("kg specifics", () => {
  it("scores the answer set by F1 against the gold set", () => {
    expect(answerF1(["a", "b"], ["A", "B"])).toBe(1);
    expect(answerF1(["a"], ["a", "b"])).toBeCloseTo(2 / 3, 10);
    expect(answerF1(["c"], ["a"])).toBe(0);
  });

  it("gives partial credit for a superset answer and explains a missing relation", async () => {
    const [task] = kg.tasks({ split: "test", count: 1, seed: 4, options: { template: "actors_in_both" } });
    const data = task.data as KgData;
    const episode = await kg.open(task);
    await episode.reset();
    expect((await episode.step(`get_neighbors(${data.entities[0]}, film.film.starring)`)).observation).toBe(
      "Variable #0, which are instances of people.person",
    );
    const missing = await episode.step("get_neighbors(#0, film.film.runtime)");
    expect(missing.info.valid).toBe(false);
    expect(missing.observation).toContain("Call get_relations(#0)");
    const answer = await episode.step("Final Answer: #0");
    expect(answer.done).toBe(true);
    // All the film's actors include the gold ones: recall 1, precision below 1.
    expect(answer.reward).toBeGreaterThan(0);
    expect(answer.info.success).toBe(answer.reward === 1);
  });

  it("counts with count() and answers with a number", async () => {
    const [task] = kg.tasks({
      split: "test",
      count: 1,
      seed: 4,
      options: { template: "count_films_of_actor" },
    });
    const data = task.data as KgData;
    expect(Number(data.gold[0])).toBeGreaterThan(0);
    const episode = await kg.open(task);
    await episode.reset();
    await episode.step(`get_neighbors(${data.entities[0]}, film.actor.film)`);
    expect((await episode.step("count(#0)")).observation).toBe("Variable #1, which is a number");
    expect((await episode.step("argmax(#1, film.film.runtime)")).info.valid).toBe(false);
    expect((await episode.step("Final Answer: #1")).reward).toBe(1);
  });
});
