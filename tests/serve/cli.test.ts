// `atune serve` as a user runs it: a child process that prints its URL, answers, and stops on SIGTERM.
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { randomModelDir } from "./models.ts";

const bin = fileURLToPath(new URL("../../bin/atune.js", import.meta.url));
const env = {
  ...process.env,
  XDG_RUNTIME_DIR: process.env.XDG_RUNTIME_DIR ?? "/tmp",
  SERVE_TEST_KEY: "k-123",
};

/** Resolves with the URL the server prints; rejects if the process ends first. */
function printedUrl(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = "";
    child.stdout!.on("data", (data) => {
      out += data;
      const match = /(http:\/\/\S+\/v1)/.exec(out);
      if (match) resolve(match[1]);
    });
    child.once("exit", (code) =>
      reject(new Error(`atune serve exited (${code}) before printing a URL: ${out}`)),
    );
  });
}

const exitCode = (child: ChildProcess) =>
  new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));

describe("atune serve (CLI)", () => {
  it("starts, prints its URL, answers with the key, and on SIGTERM finishes the request in flight and exits 0", async () => {
    const dir = randomModelDir("cli-model");
    const child = spawn(
      process.execPath,
      [bin, "serve", dir, "--port", "0", "--model-name", "tuned", "--api-key-env", "SERVE_TEST_KEY"],
      { env, stdio: ["ignore", "pipe", "pipe"] },
    );
    let stderr = "";
    child.stderr!.on("data", (data) => {
      stderr += data;
    });
    try {
      const url = await printedUrl(child);
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v1$/);
      const response = await fetch(`${url}/chat/completions`, {
        method: "POST",
        headers: { "Content-Type": "application/json", Authorization: "Bearer k-123" },
        body: JSON.stringify({ model: "tuned", messages: [{ role: "user", content: "hi" }], max_tokens: 4 }),
      });
      expect(response.status).toBe(200);
      const body = (await response.json()) as any;
      expect(body.usage.completion_tokens).toBeGreaterThan(0);
      const unauthorised = await fetch(`${url}/models`);
      expect(unauthorised.status).toBe(401);

      // SIGTERM while a request is being generated: it is still answered before the server exits.
      const inFlight = fetch(`${url}/chat/completions`, {
        method: "POST",
        headers: { "Content-Type": "application/json", Authorization: "Bearer k-123" },
        body: JSON.stringify({
          model: "tuned",
          messages: [{ role: "user", content: "go" }],
          max_tokens: 200,
        }),
      });
      const health = url.replace(/\/v1$/, "/health");
      while (((await (await fetch(health)).json()) as { requests: number }).requests < 2) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      const exited = exitCode(child);
      child.kill("SIGTERM");
      const answer = await inFlight;
      expect(answer.status).toBe(200);
      expect(((await answer.json()) as any).choices[0].finish_reason).toBeDefined();
      expect(await exited).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill("SIGKILL");
    }
    expect(child.exitCode).toBe(0);
    expect(stderr).not.toMatch(/at .*\.ts:\d+/);
  });

  it("explains a missing directory (exit 2) and a directory that is not a model (exit 1)", () => {
    const atune = (...args: string[]) =>
      spawnSync(process.execPath, [bin, ...args], { encoding: "utf8", env });
    const missing = atune("serve", "/nonexistent/model");
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain("no such directory: /nonexistent/model");

    const empty = join(mkdtempSync(join(tmpdir(), "atune-serve-")), "not-a-model");
    mkdirSync(empty);
    writeFileSync(join(empty, "notes.txt"), "hello");
    const broken = atune("serve", empty, "--port", "0");
    expect(broken.status).toBe(1);
    expect(broken.stderr).toContain(`${empty}: has no config.json`);
    expect(broken.stderr).not.toMatch(/at .*\.ts:\d+/);

    const badPort = atune("serve", empty, "--port", "http");
    expect(badPort.status).toBe(2);
    expect(badPort.stderr).toContain("--port needs a whole number");
  });
});
