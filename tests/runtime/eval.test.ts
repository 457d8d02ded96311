import { describe, expect, it } from "vitest";
import type { EpisodeResult } from "../../runtime/agent/loop.ts";
import { normalisedScores } from "../../runtime/eval/scores.ts";
import { classifyEpisode } from "../../runtime/eval/taxonomy.ts";

function episode(replies: string[], outcome: Partial<EpisodeResult> = {}): EpisodeResult {
  return {
    record: {
      id: "t",
      conversations: [
        { from: "human", value: "prompt", loss: false },
        ...replies.flatMap((value) => [
          { from: "gpt" as const, value, loss: true },
          { from: "human" as const, value: "Observation: ok", loss: false },
        ]),
      ],
      meta: { promptTurns: 1 },
    },
    reward: 0,
    success: false,
    finishReason: "done",
    turns: replies.length,
    invalidFormat: 0,
    invalidActions: 0,
    mappedActions: 0,
    ...outcome,
  };
}

describe("error taxonomy", () => {
  it("finds nothing wrong with a successful episode", () => {
    expect(classifyEpisode(episode(["Action: look"], { success: true, reward: 1 }))).toEqual([]);
  });

  it("labels each crafted failure", () => {
    expect(classifyEpisode(episode(["I will look around"], { invalidFormat: 1 }))).toEqual([
      "invalid_format",
    ]);
    expect(classifyEpisode(episode(["Action: fly"], { invalidActions: 1 }))).toEqual(["invalid_action"]);
    expect(
      classifyEpisode(episode(['Action: {"name": "nope"}'], { invalidActions: 1 }), {
        functionCalling: true,
      }),
    ).toEqual(["function_call_error"]);
    expect(
      classifyEpisode(
        episode(["Action: look", "Action: look", "Action: look"], { finishReason: "repetition" }),
      ),
    ).toEqual(["short_term_repetition"]);
    const loop = ["Action: go to desk 1", "Action: go to bed 1"].flatMap((r) => [r, r.replace("1", "2")]);
    expect(
      classifyEpisode(episode([...loop, ...loop, "Action: go to desk 1", "Action: go to desk 1"])),
    ).toContain("long_term_repetition");
    expect(
      classifyEpisode(episode(["Thought: I'm sorry, I cannot help with that.\nAction: finish"])),
    ).toEqual(["refusal"]);
    expect(classifyEpisode(episode(["Action: look"], { finishReason: "max_turns" }))).toEqual([
      "task_limit_exceeded",
    ]);
    expect(classifyEpisode(episode(["Action: look"], { finishReason: "context_limit" }))).toEqual([
      "context_limit_exceeded",
    ]);
  });
});

describe("normalised scores", () => {
  it("divides each task by the mean over models, then averages per group", () => {
    const scores = [
      { model: "base", task: "household", group: "held_in", score: 0.1 },
      { model: "tuned", task: "household", group: "held_in", score: 0.3 },
      { model: "base", task: "shop", group: "held_in", score: 0.5 },
      { model: "tuned", task: "shop", group: "held_in", score: 0.5 },
      { model: "base", task: "sciworld", group: "held_out", score: 0 },
      { model: "tuned", task: "sciworld", group: "held_out", score: 0 },
    ];
    const result = normalisedScores(scores);
    const get = (model: string, group: string) => result.find((r) => r.model === model && r.group === group)!;
    expect(get("base", "held_in").normalised).toBeCloseTo((0.5 + 1) / 2);
    expect(get("tuned", "held_in").normalised).toBeCloseTo((1.5 + 1) / 2);
    expect(get("tuned", "held_in").raw).toBeCloseTo(0.4);
    expect(get("base", "held_out").normalised).toBe(0);
  });
});
