import { mkdtempSync, readFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateGeneral } from "../../runtime/data/general/index.ts";
import { executePlan } from "../../runtime/executor/executor.ts";
import type { Progress } from "../../runtime/executor/progress.ts";
import { PlanBuilder } from "../../runtime/plan/build.ts";
import type { FamilyResult } from "../../runtime/stages/eval-stage.ts";
import { stageHandlers } from "../../runtime/stages/handlers.ts";

const quiet = (): Progress => ({ start() {}, advance() {}, finish() {} });
const query = { split: "test" as const, count: 12, seed: 4 };
const answers = new Map(generateGeneral(query).map((item) => [item.instruction, item.reference]));

// An endpoint that knows every reference answer of the built-in test questions.
const oracle = createServer((request, response) => {
  let body = "";
  request.on("data", (chunk) => {
    body += chunk;
  });
  request.on("end", () => {
    const question = JSON.parse(body).messages.at(-1).content;
    response.setHeader("content-type", "application/json");
    response.end(
      JSON.stringify({
        id: "x",
        object: "chat.completion",
        created: 0,
        model: "oracle",
        choices: [
          {
            index: 0,
            finish_reason: "stop",
            message: { role: "assistant", content: answers.get(question) ?? "?" },
          },
        ],
      }),
    );
  });
});
beforeAll(() => new Promise<void>((resolve) => oracle.listen(0, "127.0.0.1", resolve)));
afterAll(() => new Promise<void>((resolve) => oracle.close(() => resolve())));

describe("eval stage on general questions", () => {
  it("scores each reply with the item's checker; a generator that cannot answer scores 0 and is counted", async () => {
    const port = (oracle.address() as AddressInfo).port;
    const plan = new PlanBuilder("test");
    plan.add("builtin_data.general_eval", "builtin_data", { name: "general", ...query });
    const openai = {
      type: "openai",
      baseURL: `http://127.0.0.1:${port}/v1`,
      model: "oracle",
      temperature: 0,
      maxTokens: 64,
      concurrency: 4,
      timeoutMs: 5000,
      retries: 0,
    };
    plan.add(
      "eval.general",
      "eval",
      {
        models: [
          { name: "oracle", generator: openai },
          { name: "expert", generator: { type: "expert" } },
        ],
        sets: [],
        general: [{ stage: "builtin_data.general_eval" }],
        shots: 0,
        invalidActions: "error",
        concurrency: 4,
      },
      ["builtin_data.general_eval"],
    );
    plan.add("report.r", "report", { title: "general", evals: [{ stage: "eval.general" }] }, [
      "eval.general",
    ]);
    const root = mkdtempSync(join(tmpdir(), "atune-general-"));
    const manifest = await executePlan(plan.build({ name: "g", file: "g.atune", sha256: "0" }, {}), {
      root,
      handlers: stageHandlers,
      progress: quiet,
    });
    const families = (manifest.stages[1].summary as { families: FamilyResult[] }).families;
    expect(families).toEqual([
      {
        model: "oracle",
        family: "general",
        group: "general",
        episodes: 12,
        success: 12,
        successRate: 1,
        meanReward: 1,
        errors: {},
      },
      {
        model: "expert",
        family: "general",
        group: "general",
        episodes: 12,
        success: 0,
        successRate: 0,
        meanReward: 0,
        errors: {},
        failed: 12,
      },
    ]);
    // The report accepts an eval with question sets (which have no episodes to browse).
    const report = readFileSync(join(root, "cache", manifest.stages[2].key, "report.md"), "utf8");
    expect(report).toContain("| general | general | 100.0% / 1.000 (12) | 0.0% / 0.000 (12) |");
  });
});
