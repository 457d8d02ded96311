// The tuned model as the next round's teacher: the `openai` generator drives an agent episode
// against `atune serve`.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runEpisode } from "../../runtime/agent/loop.ts";
import { openaiGenerator } from "../../runtime/generators/openai.ts";
import { type RunningServer, startServer } from "../../runtime/serve/server.ts";
import { type Gpu, openGpu } from "../../runtime/train/device/index.ts";
import { counterEnv } from "../runtime/counter-env.ts";
import { scriptedModelDir } from "./models.ts";

let gpu: Gpu;
let server: RunningServer;
const batchSizes: number[] = [];

beforeAll(async () => {
  gpu = await openGpu();
  // "ad 1" is no valid action; the episode maps it to the nearest one, "add 1".
  server = await startServer({
    modelDir: scriptedModelDir("Action:ad 1", "teacher"),
    gpu,
    onBatch: (n) => batchSizes.push(n),
  });
});

afterAll(async () => {
  await server?.close();
  gpu?.destroy();
});

describe("the openai generator against atune serve", () => {
  it("drives counter episodes to success, concurrently, with replies from the served model", async () => {
    const env = counterEnv();
    const generator = openaiGenerator({
      baseURL: server.url,
      model: "teacher",
      temperature: 0,
      maxTokens: 16,
    });
    const tasks = env.tasks({ split: "test", count: 2, seed: 0 });
    const results = await Promise.all(
      tasks.map((task) =>
        runEpisode(env, task, generator, {
          examples: [env.example],
          maxTurns: 10,
          invalidActions: "map",
          repetitionLimit: 20,
        }),
      ),
    );
    for (const [i, result] of results.entries()) {
      const target = (tasks[i].data as { target: number }).target;
      expect(result.error).toBeUndefined();
      expect(result.finishReason).toBe("done");
      expect(result.success).toBe(true);
      expect(result.turns).toBe(target);
      expect(result.mappedActions).toBe(target);
      const replies = result.record.conversations.slice(result.record.meta!.promptTurns as number);
      expect(replies.filter((turn) => turn.from === "gpt").map((turn) => turn.value)).toEqual(
        Array(target).fill("Action:ad 1"),
      );
      expect(result.record.meta!.generator).toBe("openai:teacher");
    }
    const turns = results.reduce((sum, result) => sum + result.turns, 0);
    expect(generator.stats()).toMatchObject({ requests: turns, replies: turns, failures: 0 });
    expect(batchSizes.reduce((a, b) => a + b, 0)).toBe(turns);
  });
});
