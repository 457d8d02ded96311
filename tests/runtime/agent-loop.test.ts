import { describe, expect, it } from "vitest";
import { type EpisodeOptions, runEpisode } from "../../runtime/agent/loop.ts";
import { parseReAct } from "../../runtime/agent/parse.ts";
import { isTrainedOn } from "../../runtime/data/record.ts";
import { expertGenerator } from "../../runtime/generators/expert.ts";
import type { Generator } from "../../runtime/generators/types.ts";
import { counterEnv } from "./counter-env.ts";

const scripted = (replies: string[]): Generator => ({
  name: "scripted",
  startEpisode: () => {
    let i = 0;
    return { act: async () => replies[Math.min(i++, replies.length - 1)] };
  },
});

const base = (env: ReturnType<typeof counterEnv>): EpisodeOptions => ({
  examples: [env.example],
  maxTurns: 10,
  invalidActions: "error",
});

describe("parseReAct", () => {
  it("splits thought and action", () => {
    expect(parseReAct("Thought: go left\nAction: go to desk 1")).toEqual({
      ok: true,
      reply: { thought: "go left", action: "go to desk 1" },
    });
  });
  it("accepts a reply without a thought and rejects one without an action", () => {
    expect(parseReAct("Action: look")).toEqual({ ok: true, reply: { thought: "", action: "look" } });
    const bad = parseReAct("I think I should look around");
    expect(bad.ok).toBe(false);
  });
  it("keeps a multi-line JSON action", () => {
    const parsed = parseReAct('Thought: call it\nAction: {"name": "f",\n "arguments": {}}');
    expect(parsed.ok && parsed.reply.action).toBe('{"name": "f",\n "arguments": {}}');
  });
});

describe("runEpisode", () => {
  it("act style: the expert replies with actions only, and the opening asks for that format", async () => {
    const env = counterEnv();
    const [task] = env.tasks({ split: "train", count: 1, seed: 3 });
    const result = await runEpisode(env, task, expertGenerator, { ...base(env), prompt: { style: "act" } });
    expect(result.success).toBe(true);
    const turns = result.record.conversations;
    expect(turns[0].value).toContain("Action: <one action>");
    expect(turns[0].value).not.toContain("Thought:");
    const replies = turns.filter((t) => t.from === "gpt").slice(1);
    expect(replies.length).toBeGreaterThan(0);
    expect(replies.every((t) => t.value.startsWith("Action: ") && !t.value.includes("Thought"))).toBe(true);
  });

  it("act style: a reply without an action is told the act format", async () => {
    const env = counterEnv();
    const [task] = env.tasks({ split: "train", count: 1, seed: 3 });
    const result = await runEpisode(env, task, scripted(["hello", "Action: add 9"]), {
      ...base(env),
      maxTurns: 1,
      prompt: { style: "act" },
    });
    const feedback = result.record.conversations.at(-1)!.value;
    expect(feedback).toBe('Observation: Invalid format: no "Action:" line; reply as "Action: <action>".');
  });

  it("intro = false: the task (and any example) is the whole prompt", async () => {
    const env = counterEnv();
    const [task] = env.tasks({ split: "train", count: 1, seed: 3 });
    const bare = await runEpisode(env, task, expertGenerator, {
      ...base(env),
      examples: [],
      prompt: { style: "act", intro: false },
    });
    expect(bare.success).toBe(true);
    expect(bare.record.meta?.promptTurns).toBe(0);
    expect(bare.record.conversations[0].value).toMatch(/^Now, a new task\.\nTask: /);
    const withExample = await runEpisode(env, task, expertGenerator, {
      ...base(env),
      prompt: { style: "react", intro: false },
    });
    expect(withExample.record.conversations[0].value).toMatch(/^Here is an example\./);
  });

  it("records a successful expert episode in the AgentInstruct format with loss flags", async () => {
    const env = counterEnv();
    const [task] = env.tasks({ split: "train", count: 1, seed: 3 }); // target 7
    const result = await runEpisode(env, task, expertGenerator, base(env));
    expect(result).toMatchObject({ success: true, reward: 1, finishReason: "done", turns: 3 });
    const turns = result.record.conversations;
    // Opening + example turns are never trained on; every reply to the real task is.
    const firstTask = turns.findIndex((t) => t.value.startsWith("Now, a new task."));
    expect(turns.slice(0, firstTask).some(isTrainedOn)).toBe(false);
    const replies = turns.slice(firstTask).filter((t) => t.from === "gpt");
    expect(replies).toHaveLength(3);
    expect(replies.every((t) => t.loss === true && t.value.startsWith("Thought: "))).toBe(true);
    expect(result.record.meta).toMatchObject({
      family: "counter",
      reward: 1,
      success: true,
      generator: "expert",
    });
    expect(env.closed).toBe(1);
  });

  it("stops after three identical consecutive replies", async () => {
    const env = counterEnv();
    const [task] = env.tasks({ split: "train", count: 1, seed: 4 });
    const result = await runEpisode(env, task, scripted(["Thought: hmm\nAction: add 9"]), base(env));
    expect(result.finishReason).toBe("repetition");
    expect(result.turns).toBe(3);
    expect(result.invalidActions).toBe(2);
  });

  it("maps an invalid action to the nearest valid one when asked", async () => {
    const env = counterEnv();
    const [task] = env.tasks({ split: "train", count: 1, seed: 0 }); // target 4
    const replies = ["Action: ad 3", "Action: add 1"];
    const mapped = await runEpisode(env, task, scripted(replies), { ...base(env), invalidActions: "map" });
    expect(mapped).toMatchObject({ success: true, mappedActions: 1, invalidActions: 0 });
    const sentAsIs = await runEpisode(env, task, scripted(replies), { ...base(env), maxTurns: 2 });
    expect(sentAsIs).toMatchObject({ success: false, invalidActions: 1, finishReason: "max_turns" });
  });

  it("counts invalid formats and tells the agent how to reply", async () => {
    const env = counterEnv();
    const [task] = env.tasks({ split: "train", count: 1, seed: 0 });
    const result = await runEpisode(
      env,
      task,
      scripted(["add 3 please", "Action: add 3", "Action: add 1"]),
      base(env),
    );
    expect(result).toMatchObject({ success: true, invalidFormat: 1 });
    expect(result.record.conversations.some((t) => t.value.includes('no "Action:" line'))).toBe(true);
  });

  it("records an environment crash as the episode's error and still closes it", async () => {
    const env = counterEnv({ throwOnStep: 2 });
    const [task] = env.tasks({ split: "train", count: 1, seed: 3 });
    const result = await runEpisode(env, task, expertGenerator, base(env));
    expect(result.finishReason).toBe("env_error");
    expect(result.error).toContain("simulated crash");
    expect(env.closed).toBe(1);
  });

  it("records a generator failure without throwing", async () => {
    const env = counterEnv();
    const [task] = env.tasks({ split: "train", count: 1, seed: 3 });
    const failing: Generator = {
      name: "down",
      startEpisode: () => ({
        act: async () => {
          throw new Error("endpoint timed out after 3 retries");
        },
      }),
    };
    const result = await runEpisode(env, task, failing, base(env));
    expect(result).toMatchObject({ finishReason: "generator_error", turns: 0 });
    expect(result.error).toContain("timed out");
  });

  it("stops at the context limit", async () => {
    const env = counterEnv();
    const [task] = env.tasks({ split: "train", count: 1, seed: 3 });
    const result = await runEpisode(env, task, expertGenerator, { ...base(env), maxContextChars: 50 });
    expect(result.finishReason).toBe("context_limit");
  });
});
