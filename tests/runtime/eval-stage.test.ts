import { mkdtempSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { executePlan } from "../../runtime/executor/executor.ts";
import type { Progress } from "../../runtime/executor/progress.ts";
import { PlanBuilder } from "../../runtime/plan/build.ts";
import type { FamilyResult } from "../../runtime/stages/eval-stage.ts";
import { stageHandlers } from "../../runtime/stages/handlers.ts";

const quiet = (): Progress => ({ start() {}, advance() {}, finish() {} });
const counterModule = {
  path: fileURLToPath(new URL("./counter-env.ts", import.meta.url)),
  export: "counter",
};

// An OpenAI-compatible endpoint whose model always repeats one invalid action.
const server = createServer((request, response) => {
  request.resume();
  request.on("end", () => {
    response.setHeader("content-type", "application/json");
    response.end(
      JSON.stringify({
        id: "x",
        object: "chat.completion",
        created: 0,
        model: "stuck",
        choices: [
          {
            index: 0,
            finish_reason: "stop",
            message: { role: "assistant", content: "Thought: more\nAction: add 9" },
          },
        ],
        usage: { prompt_tokens: 10, completion_tokens: 3, total_tokens: 13 },
      }),
    );
  });
});
beforeAll(() => new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve)));
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe("eval stage", () => {
  it("scores models per family with the error taxonomy and normalised group scores", async () => {
    const port = (server.address() as AddressInfo).port;
    const plan = new PlanBuilder("test");
    plan.add("tasks.counter_test", "tasks", {
      env: { module: counterModule },
      split: "test",
      count: 5,
      seed: 1,
      options: {},
    });
    plan.add(
      "eval.compare",
      "eval",
      {
        models: [
          { name: "expert", generator: { type: "expert" } },
          {
            name: "stuck",
            generator: {
              type: "openai",
              baseURL: `http://127.0.0.1:${port}/v1`,
              model: "stuck",
              temperature: 0,
              maxTokens: 64,
              concurrency: 2,
              timeoutMs: 5000,
              retries: 0,
              prices: { prompt: 2, completion: 8 },
            },
          },
        ],
        sets: [{ stage: "tasks.counter_test", group: "held_in" }],
        shots: 1,
        invalidActions: "error",
        concurrency: 2,
      },
      ["tasks.counter_test"],
    );
    const root = mkdtempSync(join(tmpdir(), "atune-eval-"));
    const manifest = await executePlan(plan.build({ name: "e", file: "e.atune", sha256: "0" }, {}), {
      root,
      handlers: stageHandlers,
      progress: quiet,
    });
    const summary = manifest.stages[1].summary as {
      families: FamilyResult[];
      groups: Array<{ model: string; normalised: number }>;
    };
    expect(summary.families).toEqual([
      {
        model: "expert",
        family: "counter",
        group: "held_in",
        episodes: 5,
        success: 5,
        successRate: 1,
        meanReward: 1,
        errors: {},
      },
      {
        model: "stuck",
        family: "counter",
        group: "held_in",
        episodes: 5,
        success: 0,
        successRate: 0,
        meanReward: 0,
        errors: { invalid_action: 5, short_term_repetition: 5 },
      },
    ]);
    // The endpoint's reported usage, per request (three identical replies end each episode), at the
    // recipe's prices per million tokens; the expert is free.
    const costUsd = (150 * 2 + 45 * 8) / 1e6;
    expect(manifest.stages[1].summary?.usage).toEqual({ promptTokens: 150, completionTokens: 45, costUsd });
    expect(manifest.tokens).toMatchObject({ promptTokens: 150, completionTokens: 45, totalTokens: 195 });
    expect(manifest.tokens?.cost).toBeCloseTo(costUsd, 12);
    expect(summary.groups.map((g) => [g.model, g.normalised])).toEqual([
      ["expert", 2],
      ["stuck", 0],
    ]);
  });
});
