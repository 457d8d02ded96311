import { describe, expect, it } from "vitest";
import { web } from "../../runtime/env/families/web/index.ts";
import type { WebData } from "../../runtime/env/families/web/task.ts";
import { familySuite } from "./family-suite.ts";

familySuite(web, {
  invalid: [
    {
      action: "click the search button",
      says: "Answer with CLICK [id], TYPE [id] [text] or SELECT [id] [option]",
    },
    { action: "CLICK [1]", says: "there is no element with id 1" },
  ],
});

describe("web specifics", () => {
  const tasks = web.tasks({ split: "test", count: 40, seed: 6 });
  const typed = tasks.find((t) => (t.data as WebData).answer.op === "TYPE")!;
  const data = typed.data as WebData;

  it("gives partial credit in thirds: element, then operation, then value", async () => {
    const score = async (action: string) => {
      const episode = await web.open(typed);
      await episode.reset();
      const result = await episode.step(action);
      expect(result.done).toBe(true);
      return result;
    };
    const { id, value } = data.answer;
    expect((await score(`TYPE [${id}] [${value}]`)).reward).toBe(1);
    expect((await score(`type [${id}] [  ${value!.toUpperCase()} ]`)).reward).toBe(1);
    const wrongValue = await score(`TYPE [${id}] [somewhere else]`);
    expect(wrongValue.reward).toBeCloseTo(2 / 3, 10);
    expect(wrongValue.info.success).toBe(false);
    expect((await score(`CLICK [${id}]`)).reward).toBeCloseTo(1 / 3, 10);
    const other = data.elements.find((e) => e.id !== id)!;
    expect((await score(`CLICK [${other.id}]`)).reward).toBe(0);
  });

  it("asks for a value when TYPE has none, without ending the episode", async () => {
    const episode = await web.open(typed);
    await episode.reset();
    const result = await episode.step(`TYPE [${data.answer.id}]`);
    expect(result.info.valid).toBe(false);
    expect(result.done).toBe(false);
    expect(result.observation).toContain("TYPE needs a value");
  });

  it("shows the effect of previous actions on the page", async () => {
    const later = tasks.find((t) => (t.data as WebData).previous.some((p) => p.includes("-> TYPE: ")))!;
    const typedValue = (later.data as WebData).previous
      .find((p) => p.includes("-> TYPE: "))!
      .split("-> TYPE: ")[1];
    const episode = await web.open(later);
    expect((await episode.reset()).observation).toContain(`value="${typedValue}"`);
  });
});
