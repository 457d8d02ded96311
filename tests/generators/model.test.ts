// The local checkpoint generator: replies of concurrent episodes batched together; an act-style
// reply ends at its first line, a ReAct reply keeps its lines.
import { afterAll, describe, expect, it } from "vitest";
import type { Environment, EnvTask } from "../../runtime/env/types.ts";
import { modelGenerator } from "../../runtime/generators/model.ts";
import { closeRunGpu, runGpu } from "../../runtime/stages/gpu.ts";
import { scriptedModelDir } from "../serve/models.ts";

afterAll(closeRunGpu);

const env = { family: "test" } as Environment;
const task = { id: "t", family: "test", split: "test", instruction: "go", data: null } as EnvTask;
const messages = [{ role: "user" as const, content: "go" }];

describe("modelGenerator", () => {
  it("stops an act-style reply at its first newline and keeps ReAct replies whole, in one run", async () => {
    const generator = modelGenerator({
      modelDir: scriptedModelDir("Action: x\nyz"),
      name: "model:scripted",
      temperature: 0,
      maxTokens: 32,
      seed: 0,
      maxBatch: 8,
      openGpu: runGpu,
    });
    try {
      const act = generator.startEpisode(env, task, { prompt: { style: "act" } });
      const react = generator.startEpisode(env, task, { prompt: { style: "react" } });
      const [a, r, a2] = await Promise.all([
        act.act(messages, "go"),
        react.act(messages, "go"),
        act.act(messages, "go"),
      ]);
      expect(a).toBe("Action: x");
      expect(a2).toBe("Action: x");
      expect(r).toBe("Action: x\nyz");
    } finally {
      generator.close?.();
    }
  });
});
