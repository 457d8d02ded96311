import { spawnSync } from "node:child_process";
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { type Command, EXIT_USAGE, UsageError } from "../../cli/command.ts";
import { check } from "../../cli/commands/check.ts";
import { fmt } from "../../cli/commands/fmt.ts";

const commands: Record<string, Command> = { check, fmt };

/** Runs a command in this process the way cli/main.ts does (a usage error is exit 2). */
async function main([name, ...args]: string[]): Promise<number> {
  try {
    return await commands[name].run(args);
  } catch (error) {
    if (error instanceof UsageError) {
      console.error(`atune ${name}: ${error.message}`);
      return EXIT_USAGE;
    }
    throw error;
  }
}

const root = fileURLToPath(new URL("../../", import.meta.url));
const bin = join(root, "bin/atune.js");
const shipped = ["examples/quickstart.atune", "examples/eta-sweep.atune", "recipes/agenttuning.atune"].map(
  (f) => join(root, f),
);
const broken = join(root, "tests/fixtures/recipes/unknown-keys.atune");

/** The real command, as a user runs it (a fresh Node process through bin/atune.js). */
const atune = (...args: string[]) =>
  spawnSync(process.execPath, [bin, ...args], { encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } });

describe("atune check and fmt through bin/atune.js", () => {
  it("passes every shipped recipe with exit 0", () => {
    const out = atune("check", ...shipped);
    expect(out.stderr).toBe("");
    expect(out.stdout).toContain("3 files checked, no problems");
    expect(out.status).toBe(0);
  });

  it("exits 1 with code frames and suggestions for a broken recipe", () => {
    const out = atune("check", broken);
    expect(out.status).toBe(1);
    expect(out.stdout).toContain(
      "error[ATN2001]: unknown key 'seeed' in the settings of recipe 'keys'. Did you mean 'seed'?",
    );
    expect(out.stdout).toContain(`--> ${broken}:2:3`);
    expect(out.stdout).toMatch(/\n {3}\| {3}\^{5}\n/);
    expect(out.stdout).toContain("3 errors, 0 warnings in 1 file");
  });

  it("exits 2 with a clear message for a missing file", () => {
    const out = atune("check", "no/such/recipe.atune");
    expect(out.status).toBe(2);
    expect(out.stderr).toContain("cannot read 'no/such/recipe.atune': no such file");
  });
});

describe("atune check and fmt in process", () => {
  let stdout: string[];
  let stderr: string[];
  beforeEach(() => {
    stdout = [];
    stderr = [];
    vi.spyOn(console, "log").mockImplementation((...a) => void stdout.push(a.join(" ")));
    vi.spyOn(console, "error").mockImplementation((...a) => void stderr.push(a.join(" ")));
    vi.spyOn(process.stdout, "write").mockImplementation((chunk) => {
      stdout.push(String(chunk));
      return true;
    });
  });
  afterEach(() => vi.restoreAllMocks());

  it("prints JSON diagnostics with --json", async () => {
    expect(await main(["check", "--json", broken])).toBe(1);
    const report = JSON.parse(stdout.join("\n"));
    expect(report.errors).toBe(3);
    expect(report.files[0].diagnostics.map((d: { code: string; line: number }) => [d.code, d.line])).toEqual([
      ["ATN2001", 2],
      ["ATN2001", 3],
      ["ATN2001", 6],
    ]);
    expect(report.files[0].diagnostics[0].suggestions).toEqual(["seed"]);
  });

  it("rejects unknown options and no files with exit 2", async () => {
    expect(await main(["check", "--frobnicate", broken])).toBe(2);
    expect(await main(["fmt"])).toBe(2);
    expect(await main(["fmt", "--check", "--write", broken])).toBe(2);
    expect(stderr.join("\n")).toContain("unknown option '--frobnicate'");
  });

  it("fmt prints the canonical form, --check exits 1 listing files that differ, --write fixes them", async () => {
    const dir = mkdtempSync(join(tmpdir(), "atune-fmt-"));
    const canonical = join(dir, "canonical.atune");
    const messy = join(dir, "messy.atune");
    copyFileSync(shipped[0], canonical);
    writeFileSync(messy, 'recipe m{model base=builtin "tiny" // kept\n}');
    expect(await main(["fmt", messy])).toBe(0);
    expect(stdout.join("")).toBe('recipe m {\n  model base = builtin "tiny" // kept\n}\n');
    stdout.length = 0;
    expect(await main(["fmt", "--check", canonical, messy])).toBe(1);
    expect(stdout).toEqual([`${messy}: not formatted (run atune fmt --write ${messy})`]);
    expect(await main(["fmt", "--write", messy])).toBe(0);
    expect(readFileSync(messy, "utf8")).toBe('recipe m {\n  model base = builtin "tiny" // kept\n}\n');
    stdout.length = 0;
    expect(await main(["fmt", "--check", canonical, messy])).toBe(0);
    expect(stdout).toEqual([]);
  });

  it("fmt refuses a file with errors and leaves it untouched", async () => {
    const dir = mkdtempSync(join(tmpdir(), "atune-fmt-"));
    const file = join(dir, "bad.atune");
    writeFileSync(file, "recipe b { sed = 1 }");
    expect(await main(["fmt", "--write", file])).toBe(1);
    expect(readFileSync(file, "utf8")).toBe("recipe b { sed = 1 }");
    expect(stderr.join("\n")).toContain("not formatted because it has errors");
  });
});
