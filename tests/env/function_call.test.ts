import { describe, expect, it } from "vitest";
import { functionCall } from "../../runtime/env/families/function_call/index.ts";
import { familySuite } from "./family-suite.ts";

familySuite(functionCall, {
  invalid: [
    { action: "get_weather(Paris)", says: "not valid JSON" },
    { action: '{"name": "fly_to_moon", "arguments": {}}', says: "unknown function 'fly_to_moon'" },
    { action: '{"name": "get_weather", "arguments": {}}', says: "missing required argument 'city'" },
    {
      action: '{"name": "get_weather", "arguments": {"city": "Oslo", "unit": "kelvin"}}',
      says: "argument 'unit' must be one of",
    },
    {
      action: '{"name": "get_weather", "arguments": {"city": "Oslo", "wind": true}}',
      says: "unknown argument 'wind'",
    },
    { action: '{"name": "set_alarm", "arguments": {"time": 7}}', says: "argument 'time' must be a string" },
    { action: "[1, 2]", says: "expected one JSON object" },
  ],
});

describe("function_call specifics", () => {
  it("exposes its tools as JSON schemas on the environment", () => {
    expect(functionCall.tools?.map((t) => t.name)).toContain("book_flight");
    for (const tool of functionCall.tools ?? []) expect(tool.parameters).toMatchObject({ type: "object" });
  });

  it("accepts an explicit default for an optional argument and rejects a wrong value", async () => {
    const tasks = functionCall.tasks({ split: "test", count: 200, seed: 9 });
    const weather = tasks.find(
      (t) =>
        (t.data as { arguments: object }).arguments &&
        !("unit" in (t.data as { arguments: object }).arguments) &&
        t.instruction.startsWith("How's the weather"),
    )!;
    const city = (weather.data as { arguments: { city: string } }).arguments.city;
    const run = async (action: string) => {
      const episode = await functionCall.open(weather);
      await episode.reset();
      return episode.step(action);
    };
    expect(
      (await run(JSON.stringify({ name: "get_weather", arguments: { city, unit: "celsius" } }))).reward,
    ).toBe(1);
    expect(
      (await run(JSON.stringify({ name: "get_weather", arguments: { city: city.toUpperCase() } }))).reward,
    ).toBe(1);
    const wrong = await run(JSON.stringify({ name: "get_weather", arguments: { city, unit: "fahrenheit" } }));
    expect(wrong.done).toBe(true);
    expect(wrong.reward).toBe(0);
    expect(wrong.info.success).toBe(false);
  });
});
