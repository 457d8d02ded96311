import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterEach, describe, expect, it } from "vitest";
import {
  canonicalJson,
  ResponseCache,
  type ResponseKeyParts,
  responseKey,
} from "../../runtime/generators/response-cache.ts";

const parts: ResponseKeyParts = {
  baseURL: "http://127.0.0.1:8000/v1",
  model: "m",
  messages: [{ role: "user", content: "hi" }],
  sampling: { temperature: 0.7, max_tokens: 64 },
  taskId: "counter/train/0",
  sampleIndex: 0,
};

const dirs: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), "atune-cache-"));
  dirs.push(dir);
  return dir;
};
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe("responseKey", () => {
  it("is the same for the same inputs, whatever the key order, and ignores a trailing slash", () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.nat(5), (content, sampleIndex) => {
        const a = responseKey({ ...parts, messages: [{ role: "user", content }], sampleIndex });
        const b = responseKey({
          sampleIndex,
          taskId: "counter/train/0",
          sampling: { max_tokens: 64, temperature: 0.7 },
          messages: [{ content, role: "user" }],
          model: "m",
          baseURL: "http://127.0.0.1:8000/v1/",
        });
        return a === b && /^[0-9a-f]{64}$/.test(a);
      }),
    );
  });

  it("differs when anything that decides the reply differs", () => {
    const base = responseKey(parts);
    const variants: ResponseKeyParts[] = [
      { ...parts, baseURL: "http://127.0.0.1:8001/v1" },
      { ...parts, model: "m2" },
      { ...parts, messages: [{ role: "user", content: "hi!" }] },
      { ...parts, sampling: { temperature: 0.8, max_tokens: 64 } },
      { ...parts, tools: [{ type: "function", function: { name: "f" } }] },
      { ...parts, taskId: "counter/train/1" },
      { ...parts, sampleIndex: 1 },
    ];
    const keys = new Set([base, ...variants.map(responseKey)]);
    expect(keys.size).toBe(variants.length + 1);
  });

  it("canonical JSON drops undefined fields and sorts keys at every depth", () => {
    expect(canonicalJson({ b: 1, a: { d: undefined, c: [{ z: 1, y: 2 }] } })).toBe(
      '{"a":{"c":[{"y":2,"z":1}]},"b":1}',
    );
  });
});

describe("ResponseCache", () => {
  it("round-trips an entry through one JSON file and leaves no temporary files", () => {
    const dir = tempDir();
    const cache = new ResponseCache(dir);
    const key = responseKey(parts);
    expect(cache.get(key)).toBeUndefined();
    cache.put(key, { text: "Action: add 1", finishReason: "stop", promptTokens: 3, completionTokens: 2 });
    expect(cache.get(key)).toEqual({
      text: "Action: add 1",
      finishReason: "stop",
      promptTokens: 3,
      completionTokens: 2,
    });
    expect(readdirSync(join(dir, key.slice(0, 2)))).toEqual([`${key}.json`]);
    expect(cache.stats).toMatchObject({ hits: 1, misses: 1, writes: 1, corrupt: 0 });
  });

  it("ignores a corrupt entry with a warning, counts it, and rewrites it", () => {
    const dir = tempDir();
    const warnings: string[] = [];
    const cache = new ResponseCache(dir, (message) => warnings.push(message));
    const key = responseKey(parts);
    cache.put(key, { text: "Action: add 1", finishReason: "stop" });
    const file = cache.fileFor(key);
    const whole = readFileSync(file, "utf8");

    for (const damaged of [whole.slice(0, 20), "[1, 2]", whole.replace(key, "0".repeat(64)), "{}"]) {
      writeFileSync(file, damaged);
      expect(cache.get(key)).toBeUndefined();
    }
    expect(cache.stats.corrupt).toBe(4);
    expect(warnings).toHaveLength(4);
    expect(warnings[0]).toContain(file);
    expect(warnings[0]).toMatch(/corrupt.*rewritten/);

    cache.put(key, { text: "Action: add 2", finishReason: "stop" });
    expect(cache.get(key)?.text).toBe("Action: add 2");
  });

  it("warns and carries on when an entry cannot be written", () => {
    const dir = tempDir();
    const blocker = join(dir, "not-a-directory");
    writeFileSync(blocker, "");
    const warnings: string[] = [];
    const cache = new ResponseCache(blocker, (message) => warnings.push(message));
    cache.put(responseKey(parts), { text: "x", finishReason: "stop" });
    expect(cache.stats.writeErrors).toBe(1);
    expect(warnings[0]).toMatch(/could not write response cache entry/);
  });
});
