import { execFileSync, spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const bin = fileURLToPath(new URL("../../bin/atune.js", import.meta.url));
const atune = (...args: string[]) => spawnSync(process.execPath, [bin, ...args], { encoding: "utf8" });

describe("atune CLI skeleton", () => {
  it("prints its version from package.json", () => {
    const pkg = JSON.parse(
      execFileSync("cat", [fileURLToPath(new URL("../../package.json", import.meta.url))], {
        encoding: "utf8",
      }),
    );
    const out = atune("--version");
    expect(out.status).toBe(0);
    expect(out.stdout.trim()).toBe(pkg.version);
  });

  it("lists commands with --help and exits 0", () => {
    const out = atune("--help");
    expect(out.status).toBe(0);
    expect(out.stdout).toContain("Usage: atune <command>");
  });

  it("rejects an unknown command with exit code 2", () => {
    const out = atune("frobnicate");
    expect(out.status).toBe(2);
    expect(out.stderr).toContain("unknown command 'frobnicate'");
  });
});
