// The worked example of docs/sharing.md, end to end and offline: atune init a package, npm pack it,
// install the tarball into a second project, import and lock it, then upgrade it and see the lock
// error and its fix. The recipe and the outputs are read from the doc and compared with atune's.
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { atune, atuneProcess, tempDir, writeTree } from "./project.ts";

const doc = readFileSync(new URL("../../docs/sharing.md", import.meta.url), "utf8");

/** The fenced block right after `<!-- example: NAME -->` in docs/sharing.md. */
function example(name: string): string {
  const marker = `<!-- example: ${name} -->\n\`\`\`\n`;
  const start = doc.indexOf(marker);
  if (start < 0) throw new Error(`docs/sharing.md has no example '${name}'`);
  const body = start + marker.length;
  return doc.slice(body, doc.indexOf("\n```", body));
}

/** npm, offline: nothing here may reach a registry. */
function npm(cwd: string, ...args: string[]): string {
  const result = spawnSync("npm", [...args, "--offline", "--no-audit", "--no-fund", "--loglevel=error"], {
    cwd,
    encoding: "utf8",
    env: { ...process.env, npm_config_update_notifier: "false" },
  });
  expect(result.status, `npm ${args.join(" ")}: ${result.stderr}`).toBe(0);
  return result.stdout;
}

/** Runs `atune` in-process from `cwd`, so paths print as a user in that folder sees them. */
async function atuneIn(cwd: string, ...args: string[]) {
  const previous = process.cwd();
  process.chdir(cwd);
  try {
    return await atune(...args);
  } finally {
    process.chdir(previous);
  }
}

describe("docs/sharing.md's worked example", () => {
  it("publishes a package, imports it elsewhere with its inputs pinned, and catches an upgrade", async () => {
    const root = tempDir();
    const pkg = join(root, "agent-recipes");
    const app = join(root, "app");

    // 1. The package, scaffolded and packed.
    expect((await atuneIn(root, "init", "agent-recipes", "--name", "@acme/agent-recipes")).code).toBe(0);
    expect(npm(pkg, "pack").trim()).toBe("acme-agent-recipes-0.1.0.tgz");

    // 2. Another project installs the tarball and imports from it.
    writeTree(app, { "package.json": '{ "name": "app", "private": true }\n' });
    npm(app, "install", "--ignore-scripts", "../agent-recipes/acme-agent-recipes-0.1.0.tgz");
    const installed = join(app, "node_modules/@acme/agent-recipes");
    for (const file of ["package.json", "tasks.atune", "recipe.atune", "atune.lock"])
      expect(existsSync(join(installed, file)), file).toBe(true);
    expect(existsSync(join(installed, "acme-agent-recipes-0.1.0.tgz"))).toBe(false);
    writeFileSync(join(app, "recipe.atune"), `${example("app/recipe.atune")}\n`);

    // 3. Lock, compile, plan.
    const locked = await atuneIn(app, "lock", "recipe.atune");
    expect(locked.code).toBe(0);
    expect(locked.stdout).toBe(example("output of atune lock recipe.atune"));
    const lock = JSON.parse(readFileSync(join(app, "atune.lock"), "utf8"));
    expect(lock.recipes["recipe.atune"]["@acme/agent-recipes/tasks.atune"]).toMatchObject({
      kind: "package",
      package: "@acme/agent-recipes",
      version: "0.1.0",
    });
    expect((await atuneIn(app, "compile", "recipe.atune", "-o", "plan.json")).code).toBe(0);
    const planned = await atuneIn(app, "plan", "recipe.atune");
    expect(planned.code).toBe(0);
    expect(planned.stdout).toContain("8 stages: 8 to run");

    // 4. The package changes: a new version with more shop episodes, re-locked and packed.
    const tasksFile = join(pkg, "tasks.atune");
    const changedLine = example("agent-recipes/tasks.atune, the changed line");
    const tasks = readFileSync(tasksFile, "utf8");
    expect(tasks).toMatch(/^export task shop = .*$/m);
    writeFileSync(tasksFile, tasks.replace(/^export task shop = .*$/m, changedLine));
    npm(pkg, "version", "minor", "--no-git-tag-version");
    const relocked = await atuneIn(pkg, "lock", "--update", "recipe.atune", "tasks.atune");
    expect(relocked.code).toBe(0);
    expect(relocked.stdout).toContain("~ tasks.atune");
    npm(pkg, "pack");
    npm(app, "install", "--ignore-scripts", "../agent-recipes/acme-agent-recipes-0.2.0.tgz");

    // The real command refuses the app's recipe, exactly as the doc shows.
    const refused = atuneProcess(app, "compile", "recipe.atune", "-o", "plan.json");
    expect(refused.code).toBe(1);
    expect(refused.stderr.trim()).toBe(example("output of atune compile recipe.atune after the upgrade"));

    // 5. Accepting the new version fixes it.
    const updated = await atuneIn(app, "lock", "--update", "recipe.atune");
    expect(updated.code).toBe(0);
    expect(updated.stdout).toBe(example("output of atune lock --update recipe.atune"));
    const compiled = await atuneIn(app, "compile", "recipe.atune", "-o", "plan.json");
    expect(compiled.code).toBe(0);
    expect(compiled.stderr).not.toContain("error");
  });
});
