import { describe, expect, it } from "vitest";
import { multihopQa } from "../../runtime/env/families/multihop_qa/index.ts";
import { normaliseAnswer, type QaData, tokenF1 } from "../../runtime/env/families/multihop_qa/task.ts";
import { familySuite } from "./family-suite.ts";

familySuite(multihopQa, {
  invalid: [
    { action: "tell me the answer", says: "Use one of search[entity], lookup[keyword], finish[answer]" },
    { action: "lookup[born]", says: "search[entity] first" },
    { action: "search[]", says: "needs something inside the brackets" },
  ],
});

describe("multihop_qa specifics", () => {
  it("scores answers with HotpotQA's normalised token F1", () => {
    expect(normaliseAnswer("The Amber Orchard!")).toEqual(["amber", "orchard"]);
    expect(tokenF1("the Amber Orchard", "Amber Orchard")).toBe(1);
    expect(tokenF1("Amber", "Amber Orchard")).toBeCloseTo(2 / 3, 10);
    expect(tokenF1("Norland", "Estavia")).toBe(0);
  });

  it("suggests similar titles on a miss and pages through lookups", async () => {
    const [task] = multihopQa.tasks({
      split: "test",
      count: 1,
      seed: 2,
      options: { template: "director_birthplace" },
    });
    const film = (task.data as QaData).supporting[0];
    const episode = await multihopQa.open(task);
    await episode.reset();
    const miss = await episode.step(`search[${film.split(" ").slice(-2).join(" ")} xyz]`);
    expect(miss.info.valid).toBe(true);
    expect(miss.observation).toMatch(/^Could not find \[.*\]\. Similar: \[/);
    await episode.step(`search[${film}]`);
    const first = await episode.step("lookup[film]");
    expect(first.observation).toMatch(/^\(Result 1 \/ \d\) /);
    let last = first;
    for (let i = 0; i < 6; i++) last = await episode.step("lookup[film]");
    expect(last.observation).toBe("No more results.");
    const wrong = await episode.step("finish[Nowhere]");
    expect(wrong.done).toBe(true);
    expect(wrong.reward).toBe(0);
  });
});
