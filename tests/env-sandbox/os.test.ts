import { describe, expect, it } from "vitest";
import { runEpisode } from "../../runtime/agent/loop.ts";
import { osEnv, osExampleTask, osTasks } from "../../runtime/env/os/index.ts";
import { osTemplateNames } from "../../runtime/env/os/tasks.ts";
import { expertGenerator } from "../../runtime/generators/expert.ts";
import { mapLimit, playExpert } from "./play.ts";

describe("os family: tasks", () => {
  it("is deterministic: the same query gives the same tasks", () => {
    const a = osTasks({ split: "train", count: 50, seed: 3 });
    const b = osTasks({ split: "train", count: 50, seed: 3 });
    expect(b).toEqual(a);
    expect(osTasks({ split: "train", count: 50, seed: 4 })).not.toEqual(a);
  });

  it("keeps train and test disjoint over 1000 tasks each, with distinct tasks within a split", () => {
    const train = osTasks({ split: "train", count: 1000, seed: 1 });
    const test = osTasks({ split: "test", count: 1000, seed: 1 });
    const key = (t: { instruction: string; data: unknown }) => JSON.stringify([t.instruction, t.data]);
    const trainKeys = new Set(train.map(key));
    expect(trainKeys.size).toBe(1000);
    expect(new Set(test.map(key)).size).toBe(1000);
    expect(test.filter((t) => trainKeys.has(key(t)))).toEqual([]);
    expect(new Set([...train, ...test].map((t) => t.id)).size).toBe(2000);
    expect(test.every((t) => t.split === "test" && t.id.startsWith("os/test/"))).toBe(true);
    // Every template is represented.
    expect(new Set(train.map((t) => (t.data as { template: string }).template))).toEqual(
      new Set(osTemplateNames),
    );
  });

  it("rejects unknown options and bad values with a message naming them", () => {
    expect(() => osTasks({ split: "train", count: 1, seed: 0, options: { colour: "red" } })).toThrow(
      /unknown option 'colour'/,
    );
    expect(() => osTasks({ split: "train", count: 1, seed: 0, options: { templates: ["nope"] } })).toThrow(
      /unknown template 'nope'/,
    );
    // change-mode alone has 210 distinct tasks in all: asking for 300 train tasks says so.
    expect(() =>
      osTasks({ split: "train", count: 300, seed: 0, options: { templates: ["change-mode"] } }),
    ).toThrow(/only \d+ distinct train tasks could be drawn, not the 300 asked for/);
    const only = osTasks({ split: "train", count: 20, seed: 0, options: { templates: ["csv-sum"] } });
    expect(only.every((t) => (t.data as { template: string }).template === "csv-sum")).toBe(true);
  });
});

describe("os family: episodes in the sandbox", () => {
  it("the expert solves at least 99% of 200 tasks by running commands", async () => {
    const tasks = osTasks({ split: "test", count: 200, seed: 11 });
    const played = await mapLimit(tasks, 4, (task) => playExpert(osEnv, task));
    const solved = played.filter((p) => p.reward === 1).length;
    expect(solved / tasks.length).toBeGreaterThanOrEqual(0.99);
    // It acts: every episode runs at least one command before finishing.
    expect(played.every((p) => p.actions[0].startsWith("bash: "))).toBe(true);
  });

  it("the expert's episodes survive the runtime's agent loop (ReAct parsing, repetition rule)", async () => {
    const tasks = osTasks({ split: "train", count: 20, seed: 12 });
    const results = await mapLimit(tasks, 4, (task) =>
      runEpisode(osEnv, task, expertGenerator, {
        examples: [osEnv.example],
        maxTurns: osEnv.maxTurns,
        invalidActions: "map",
      }),
    );
    expect(results.map((r) => r.finishReason)).toEqual(tasks.map(() => "done"));
    expect(
      results.every((r) => r.success && r.record.conversations.some((t) => t.from === "gpt" && t.loss)),
    ).toBe(true);
  });

  it("replays the 1-shot example exactly", async () => {
    const episode = await osEnv.open(osExampleTask);
    const reset = await episode.reset();
    expect(reset.observation).toBe(osEnv.example.observation);
    for (const step of osEnv.example.steps) {
      const result = await episode.step(step.action);
      expect(result.observation).toBe(step.observation);
    }
    await episode.close();
  });

  it("gives clear observations for invalid actions and keeps the episode going", async () => {
    const [question] = osTasks({
      split: "train",
      count: 1,
      seed: 5,
      options: { templates: ["count-lines"] },
    });
    const episode = await osEnv.open(question);
    await episode.reset();
    const bad = await episode.step("ls -l");
    expect(bad.info.valid).toBe(false);
    expect(bad.done).toBe(false);
    expect(bad.observation).toContain('Use "bash: <command>"');
    expect((await episode.step("bash:")).observation).toContain("needs text after the colon");
    expect((await episode.step("finish")).observation).toContain("answer: <text>");
    const wrong = await episode.step("answer: -1");
    expect(wrong).toMatchObject({ reward: 0, done: true, info: { valid: true, success: false } });
    expect((await episode.step("bash: ls")).observation).toBe("The episode is over.");
    await episode.close();
  });

  it("judges end-state tasks on disk: finishing without the change fails", async () => {
    const [task] = osTasks({ split: "train", count: 1, seed: 2, options: { templates: ["change-mode"] } });
    const episode = await osEnv.open(task);
    await episode.reset();
    expect((await episode.step("answer: done")).info.valid).toBe(false);
    const result = await episode.step("finish");
    expect(result.reward).toBe(0);
    expect(result.observation).toMatch(/has mode 644/);
    await episode.close();
  });

  it("gives each episode its own fresh home directory", async () => {
    const [task] = osTasks({ split: "train", count: 1, seed: 9, options: { templates: ["create-file"] } });
    const first = await osEnv.open(task);
    const second = await osEnv.open(task);
    await first.reset();
    await second.reset();
    await first.step("bash: echo mine > marker.txt");
    expect((await second.step("bash: cat marker.txt")).observation).toMatch(
      /No such file[\s\S]*\[exit code 1\]$/,
    );
    await first.close();
    await second.close();
    await first.close(); // safe to call twice
  });

  it("shows a command's output with its exit code and cuts long output with a note", async () => {
    const [task] = osTasks({ split: "train", count: 1, seed: 1 });
    const episode = await osEnv.open(task);
    await episode.reset();
    expect((await episode.step("bash: echo hello; exit 3")).observation).toBe("hello\n[exit code 3]");
    const long = await episode.step("bash: seq 1 5000");
    expect(long.observation).toMatch(
      /\[output truncated: showing the first 2000 of \d+ characters\]\n\[exit code 0\]$/,
    );
    await episode.close();
  });
});
