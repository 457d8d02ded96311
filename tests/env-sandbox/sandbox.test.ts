import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import {
  DEFAULT_LIMITS,
  explainBwrapFailure,
  handToSandbox,
  runSandboxed,
  SandboxUnavailableError,
} from "../../runtime/env/sandbox/bwrap.ts";

const dir = mkdtempSync(join(tmpdir(), "atune-sandbox-test-"));
handToSandbox(dir);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("bubblewrap sandbox", () => {
  it("runs as an unprivileged 'user' with a cleared environment and interleaved output", async () => {
    const result = await runSandboxed(
      dir,
      "id -un; echo out; echo err >&2; env | sort | cut -d= -f1 | tr '\\n' ' '",
    );
    expect(result.exitCode).toBe(0);
    const [user, out, err, env] = result.output.split("\n");
    expect([user, out, err]).toEqual(["user", "out", "err"]);
    expect(env.trim().split(" ")).toEqual(expect.arrayContaining(["HOME", "LANG", "PATH", "TERM", "USER"]));
    expect(env).not.toMatch(/VITEST|NODE|npm_/);
  });

  it("says how to install bubblewrap when it is missing", async () => {
    const attempt = runSandboxed(dir, "true", DEFAULT_LIMITS, "/nonexistent/bwrap");
    await expect(attempt).rejects.toBeInstanceOf(SandboxUnavailableError);
    await expect(attempt).rejects.toThrow(
      /bubblewrap \(bwrap\) is not installed.*apt-get install bubblewrap/,
    );
  });

  it("explains a namespace failure with the sysctl fix, and passes other failures through", () => {
    const namespace = explainBwrapFailure(
      "bwrap: No permissions to creating new namespace, likely because the kernel does not allow non-privileged user namespaces.",
    );
    expect(namespace).toMatch(/user namespaces are unavailable here/);
    expect(namespace).toMatch(/sysctl -w kernel\.unprivileged_userns_clone=1/);
    expect(explainBwrapFailure("bwrap: Can't find source path /x: No such file or directory")).toBe(
      "bubblewrap failed to start the sandbox: bwrap: Can't find source path /x: No such file or directory",
    );
  });
});
