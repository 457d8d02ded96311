import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import type { RunManifest } from "../../runtime/executor/executor.ts";
import { jsonl } from "./helpers.ts";

const bin = fileURLToPath(new URL("../../bin/atune.js", import.meta.url));

const recipe = `recipe derived {
  seed = 5

  task db = builtin "db" { split = train, count = 4 }
  task os = builtin "os" { split = train, count = 3 }

  generator teacher = expert

  dataset db_new = derive [db] with teacher { count = 6, verifier = teacher }
  dataset os_new = self_instruct [os] with teacher { count = 3 }

  dataset agent = [db_new, os_new] {
    keep reward == 1
  }
}
`;

function atune(...args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, ...args], { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => (stdout += chunk));
    child.stderr.on("data", (chunk) => (stderr += chunk));
    child.on("exit", (status) => resolve({ status, stdout, stderr }));
  });
}

describe("atune run with derive and self_instruct stages", () => {
  it("derives, verifies, collects, filters, and writes token totals into the manifest", async () => {
    const dir = mkdtempSync(join(tmpdir(), "atune-derive-cli-"));
    writeFileSync(join(dir, "derived.atune"), recipe);
    const root = join(dir, ".atune");
    const run = await atune("run", join(dir, "derived.atune"), "--root", root);
    expect(run.stderr).not.toMatch(/error/i);
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/\+ derive\.db_new\s+ran/);
    expect(run.stdout).toMatch(/\+ derive\.os_new\s+ran/);
    expect(run.stdout).toMatch(/\+ filter\.agent\s+ran/);

    const [runId] = readdirSync(join(root, "runs"));
    const manifest = JSON.parse(
      readFileSync(join(root, "runs", runId, "manifest.json"), "utf8"),
    ) as RunManifest;
    const stage = (id: string) => manifest.stages.find((s) => s.id === id)!;
    expect(stage("derive.db_new").summary).toMatchObject({ mode: "derive", tasks: 6, records: 6 });
    expect(stage("derive.os_new").summary).toMatchObject({ mode: "self_instruct", tasks: 3, records: 3 });
    // The expert teacher spends no tokens and costs nothing; stages without generators carry no token field.
    expect(stage("derive.db_new").tokens).toEqual({ promptTokens: 0, completionTokens: 0, costUsd: 0 });
    expect(stage("tasks.db").tokens).toBeUndefined();
    expect(manifest.tokens).toMatchObject({
      promptTokens: 0,
      completionTokens: 0,
      totalTokens: 0,
      cost: 0,
    });

    // The filter reads the derived datasets like any collected one.
    const filtered = jsonl(join(root, "cache", stage("filter.agent").key, "records.jsonl"));
    expect(filtered).toHaveLength(9);
    expect(new Set(filtered.map((r) => r.meta.family))).toEqual(new Set(["db", "os"]));
  });
});
