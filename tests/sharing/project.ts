/**
 * A recipe folder with one input of every kind atune.lock pins, written into a fresh temp folder:
 * a relative import, a package import (with its package.json version), a loaded data file, an hf
 * model directory and, optionally, a TypeScript filter module.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { vi } from "vitest";
import { main } from "../../cli/main.ts";

export interface Project {
  dir: string;
  recipe: string;
  path(relative: string): string;
  write(relative: string, text: string): void;
}

export function tempDir(prefix = "atune-sharing-"): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export function writeTree(dir: string, files: Record<string, string>): void {
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    writeFileSync(join(dir, file), text);
  }
}

/** The recipe's lines, so tests can name where each input is referenced. */
export function recipeText(withModule: boolean): string {
  return [
    'import "@acme/agent-recipes/tasks.atune"',
    'import "./lib/generators.atune"',
    "recipe shared {",
    "  seed = 1",
    '  model base = hf "./models/tiny"',
    `  dataset agent = collect [household] with teacher {${withModule ? ' keep module "./filters.ts"#keepLong' : " keep reward == 1"} }`,
    '  dataset general = load "./data/general.jsonl" as sharegpt',
    "  mix tuning = sample { agent: 0.5, general: 0.5 } { total = 20 examples }",
    "  train tuned = finetune base on tuning { method = full, steps = 2 }",
    "}",
    "",
  ].join("\n");
}

export function makeProject(options: { withModule?: boolean } = {}): Project {
  const dir = tempDir();
  const files: Record<string, string> = {
    "recipe.atune": recipeText(options.withModule ?? false),
    "lib/generators.atune": "export generator teacher = expert\n",
    "node_modules/@acme/agent-recipes/package.json":
      '{ "name": "@acme/agent-recipes", "version": "1.0.0" }\n',
    "node_modules/@acme/agent-recipes/tasks.atune":
      'export task household = builtin "household" { split = train, count = 10 }\n',
    "data/general.jsonl":
      '{"conversations": [{"from": "human", "value": "hi"}, {"from": "gpt", "value": "hello"}]}\n',
    "models/tiny/config.json": '{ "hidden_size": 8 }\n',
    "models/tiny/tokenizer.json": '{ "model": { "type": "BPE" } }\n',
    "models/tiny/model.safetensors": "weights v1",
    "models/tiny/notes.txt": "not a model file: not pinned",
  };
  if (options.withModule) {
    files["filters.ts"] =
      "export function keepLong(record: { conversations: unknown[] }): boolean {\n  return record.conversations.length >= 2;\n}\n";
  }
  writeTree(dir, files);
  return {
    dir,
    recipe: join(dir, "recipe.atune"),
    path: (relative) => join(dir, relative),
    write: (relative, text) => writeTree(dir, { [relative]: text }),
  };
}

export interface Output {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `atune ARGS…` in this process (through cli/main.ts) and captures what it prints. */
export async function atune(...args: string[]): Promise<Output> {
  const out: string[] = [];
  const err: string[] = [];
  const log = vi.spyOn(console, "log").mockImplementation((...a) => void out.push(a.join(" ")));
  const error = vi.spyOn(console, "error").mockImplementation((...a) => void err.push(a.join(" ")));
  const write = vi.spyOn(process.stdout, "write").mockImplementation((chunk) => {
    out.push(String(chunk));
    return true;
  });
  try {
    const code = await main(args);
    return { code, stdout: out.join("\n"), stderr: err.join("\n") };
  } finally {
    log.mockRestore();
    error.mockRestore();
    write.mockRestore();
  }
}

const bin = fileURLToPath(new URL("../../bin/atune.js", import.meta.url));

/** Runs the real `atune` (a fresh Node process through bin/atune.js) in `cwd`. */
export function atuneProcess(cwd: string, ...args: string[]): Output {
  const result = spawnSync(process.execPath, [bin, ...args], {
    cwd,
    encoding: "utf8",
    env: { ...process.env, NO_COLOR: "1" },
  });
  return { code: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}
