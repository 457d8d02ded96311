// atune.lock: writing, checking and updating pins, and the errors every compiling command reports.
import { createHash } from "node:crypto";
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { relative } from "node:path";
import { describe, expect, it } from "vitest";
import { checkRecipeFile, compileRecipe } from "../../compiler/compile.ts";
import { hashFile } from "../../compiler/lock/hash.ts";
import { atune, makeProject, type Project, recipeText } from "./project.ts";

const lockOf = (p: Project) => JSON.parse(readFileSync(p.path("atune.lock"), "utf8"));
const lockErrors = (file: string) =>
  compileRecipe(file).diagnostics.filter((d) => /^ATN302[0-4]$/.test(d.code));
const short = (sha: string | null) => `${sha?.slice(0, 12)}…`;

async function lockedProject(options: { withModule?: boolean } = {}): Promise<Project> {
  const p = makeProject(options);
  const out = await atune("lock", p.recipe);
  expect(out.stderr).toBe("");
  expect(out.code).toBe(0);
  return p;
}

describe("atune lock", () => {
  it("pins every input kind by content, with the package's name and version", async () => {
    const p = await lockedProject({ withModule: true });
    const { lockfileVersion, recipes } = lockOf(p);
    expect(lockfileVersion).toBe(1);
    const inputs = recipes["recipe.atune"];
    expect(Object.keys(inputs)).toEqual([
      "@acme/agent-recipes/tasks.atune",
      "data/general.jsonl",
      "filters.ts",
      "lib/generators.atune",
      "models/tiny/config.json",
      "models/tiny/model.safetensors",
      "models/tiny/tokenizer.json",
    ]);
    expect(inputs["@acme/agent-recipes/tasks.atune"]).toEqual({
      kind: "package",
      package: "@acme/agent-recipes",
      version: "1.0.0",
      sha256: hashFile(p.path("node_modules/@acme/agent-recipes/tasks.atune")),
    });
    expect(Object.values(inputs).map((e: any) => e.kind)).toEqual([
      "package",
      "data",
      "module",
      "import",
      "model",
      "model",
      "model",
    ]);
    expect(inputs["data/general.jsonl"].sha256).toBe(hashFile(p.path("data/general.jsonl")));
    // A locked recipe whose inputs are unchanged compiles with no lock diagnostics.
    expect(lockErrors(p.recipe)).toEqual([]);
    expect((await atune("lock", "--check", p.recipe)).code).toBe(0);
  });

  it("writes byte-identical files on rewrite, whatever the folder it runs from", async () => {
    const p = await lockedProject();
    const first = readFileSync(p.path("atune.lock"), "utf8");
    const again = await atune("lock", "--update", p.recipe);
    expect(again.stdout).toMatch(/atune\.lock is up to date: 6 inputs of .*recipe\.atune pinned/);
    writeFileSync(p.path("atune.lock"), "{}");
    const cwd = process.cwd();
    process.chdir(p.path("lib"));
    try {
      expect((await atune("lock", "--update", "../recipe.atune")).code).toBe(0);
    } finally {
      process.chdir(cwd);
    }
    expect(readFileSync(p.path("atune.lock"), "utf8")).toBe(first);
    expect(first.endsWith("}\n")).toBe(true);
    // The order the recipe names its inputs in does not matter either.
    const lines = recipeText(false).split("\n");
    const [hf, collect, load] = [lines[4], lines[5], lines[6]];
    p.write("recipe.atune", [...lines.slice(0, 4), load, collect, hf, ...lines.slice(7)].join("\n"));
    expect((await atune("lock", "--update", p.recipe)).stdout).toContain("is up to date");
    expect(readFileSync(p.path("atune.lock"), "utf8")).toBe(first);
  });

  it("hashes a file larger than its read chunk like a whole-file sha256", () => {
    const p = makeProject();
    const big = Buffer.alloc(9 << 20, 7);
    big.write("end", big.length - 3);
    writeFileSync(p.path("models/tiny/model.safetensors"), big);
    expect(hashFile(p.path("models/tiny/model.safetensors"))).toBe(
      createHash("sha256").update(big).digest("hex"),
    );
    expect(hashFile(p.path("no/such/file"))).toBeNull();
    expect(hashFile(p.path("models"))).toBeNull();
  });

  it("keeps other recipes' sections when one recipe is locked, and drops those of deleted recipes", async () => {
    const p = await lockedProject();
    p.write("other.atune", 'import "./lib/generators.atune"\nrecipe other { seed = 2 }\n');
    expect((await atune("lock", p.path("other.atune"))).code).toBe(0);
    expect(Object.keys(lockOf(p).recipes)).toEqual(["other.atune", "recipe.atune"]);
    expect(Object.keys(lockOf(p).recipes["other.atune"])).toEqual(["lib/generators.atune"]);
    expect(lockErrors(p.recipe)).toEqual([]);
    // A section whose recipe file was deleted is dropped the next time the lock is written.
    rmSync(p.path("other.atune"));
    p.write("data/general.jsonl", '{"conversations": []}\n');
    const updated = await atune("lock", "--update", p.recipe);
    expect(updated.stdout).toContain("  - other.atune (the recipe file is gone)");
    expect(Object.keys(lockOf(p).recipes)).toEqual(["recipe.atune"]);
  });

  it("refuses to change a pin without --update, and --update accepts the change", async () => {
    const p = await lockedProject();
    const before = readFileSync(p.path("atune.lock"), "utf8");
    p.write("data/general.jsonl", '{"conversations": []}\n');
    const refused = await atune("lock", p.recipe);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("error[ATN3020]");
    expect(refused.stderr).toContain(`if the changes are intended, run 'atune lock --update ${p.recipe}'`);
    expect(readFileSync(p.path("atune.lock"), "utf8")).toBe(before);
    expect((await atune("lock", "--check", p.recipe)).code).toBe(1);

    const updated = await atune("lock", "--update", p.recipe);
    expect(updated.code).toBe(0);
    expect(updated.stdout).toMatch(/~ data\/general\.jsonl {2}[0-9a-f]{12} → [0-9a-f]{12}/);
    expect(lockErrors(p.recipe)).toEqual([]);
    expect((await atune("lock", "--check", p.recipe)).code).toBe(0);
  });

  it("adds a new input without --update, leaving the other pins as they were", async () => {
    const p = await lockedProject();
    const before = lockOf(p).recipes["recipe.atune"];
    p.write("data/extra.jsonl", '{"conversations": []}\n');
    p.write(
      "recipe.atune",
      recipeText(false).replace(
        "recipe shared {",
        'recipe shared {\n  dataset extra = load "./data/extra.jsonl" as sharegpt',
      ),
    );
    const out = await atune("lock", p.recipe);
    expect(out.code).toBe(0);
    expect(out.stdout).toContain("+ data/extra.jsonl");
    expect(lockOf(p).recipes["recipe.atune"]).toEqual({
      ...before,
      "data/extra.jsonl": { kind: "data", sha256: hashFile(p.path("data/extra.jsonl")) },
    });
  });

  it("refuses to lock a missing file or a recipe with errors", async () => {
    const p = makeProject();
    rmSync(p.path("data/general.jsonl"));
    const missing = await atune("lock", p.recipe);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("error[ATN3022]: the data file 'data/general.jsonl' does not exist");
    p.write("broken.atune", "recipe broken { seeed = 1 }\n");
    const broken = await atune("lock", p.path("broken.atune"));
    expect(broken.code).toBe(1);
    expect(broken.stderr).toContain("error[ATN2001]");
    expect(broken.stderr).toContain("has errors; fix them, then lock it");
  });

  it("--check without a lock file says how to create one", async () => {
    const p = makeProject();
    const out = await atune("lock", "--check", p.recipe);
    expect(out.code).toBe(1);
    expect(out.stderr).toContain(`there is no `);
    expect(out.stderr).toContain(`create it with 'atune lock ${p.recipe}'`);
    // No lock file, no check: compiling reports nothing about pins.
    expect(lockErrors(p.recipe)).toEqual([]);
  });

  it("rejects conflicting or unknown options with exit 2", async () => {
    const p = makeProject();
    expect((await atune("lock", "--check", "--update", p.recipe)).code).toBe(2);
    expect((await atune("lock", "--frozen", p.recipe)).code).toBe(2);
    expect((await atune("lock")).code).toBe(2);
  });
});

/** The line and column where the recipe names an input (1-based). */
function at(text: string, needle: string): { line: number; column: number } {
  const index = text.indexOf(needle);
  const before = text.slice(0, index);
  return { line: before.split("\n").length, column: index - before.lastIndexOf("\n") };
}

describe("a locked recipe whose input changed", () => {
  const cases: Array<{
    kind: string;
    file: string;
    reference: string;
    id: string;
    change: (p: Project) => void;
    withModule?: boolean;
  }> = [
    {
      kind: "imported recipe module",
      file: "lib/generators.atune",
      reference: '"./lib/generators.atune"',
      id: "lib/generators.atune",
      change: (p) => p.write("lib/generators.atune", "export generator teacher = expert // edited\n"),
    },
    {
      kind: "data file",
      file: "data/general.jsonl",
      reference: '"./data/general.jsonl"',
      id: "data/general.jsonl",
      change: (p) => p.write("data/general.jsonl", '{"conversations": []}\n'),
    },
    {
      kind: "model file",
      file: "models/tiny/model.safetensors",
      reference: '"./models/tiny"',
      id: "models/tiny/model.safetensors",
      change: (p) => p.write("models/tiny/model.safetensors", "weights v2"),
    },
    {
      kind: "model file",
      file: "models/tiny/tokenizer.json",
      reference: '"./models/tiny"',
      id: "models/tiny/tokenizer.json",
      change: (p) => p.write("models/tiny/tokenizer.json", '{ "model": { "type": "Unigram" } }\n'),
    },
    {
      kind: "TypeScript module",
      file: "filters.ts",
      reference: '"./filters.ts"',
      id: "filters.ts",
      withModule: true,
      change: (p) =>
        p.write(
          "filters.ts",
          "export function keepLong(record: { conversations: unknown[] }): boolean {\n  return record.conversations.length >= 4;\n}\n",
        ),
    },
  ];

  for (const c of cases) {
    it(`reports a changed ${c.kind} (${c.id}) with ATN3020 at its reference`, async () => {
      const p = await lockedProject({ withModule: c.withModule });
      const locked = hashFile(p.path(c.file));
      c.change(p);
      const now = hashFile(p.path(c.file));
      const result = compileRecipe(p.recipe);
      expect(result.plan).toBeNull();
      const errors = result.diagnostics.filter((d) => d.severity === "error");
      expect(errors.map((d) => d.code)).toEqual(["ATN3020"]);
      const [d] = errors;
      expect(d.span).toMatchObject({ file: p.recipe, ...at(recipeText(c.withModule ?? false), c.reference) });
      expect(d.message).toBe(
        `the ${c.kind} '${c.id}' changed since it was locked: atune.lock expects sha256 ${short(locked)}, the file has ${short(now)}`,
      );
      expect(d.help).toContain(`run 'atune lock --update ${relative(process.cwd(), p.recipe)}'`);
    });
  }

  it("pins a tokenizer a model names outside its directory, at the setting's span", async () => {
    const p = makeProject();
    const text = recipeText(false).replace(
      'hf "./models/tiny"',
      'hf "./models/tiny" { tokenizer = "./tok/tokenizer.json" }',
    );
    p.write("recipe.atune", text);
    p.write("tok/tokenizer.json", '{ "model": { "type": "WordPiece" } }\n');
    expect((await atune("lock", p.recipe)).code).toBe(0);
    expect(lockOf(p).recipes["recipe.atune"]["tok/tokenizer.json"].kind).toBe("model");
    p.write("tok/tokenizer.json", '{ "model": { "type": "WordLevel" } }\n');
    const [d] = lockErrors(p.recipe);
    expect(d.code).toBe("ATN3020");
    expect(d.span).toMatchObject(at(text, '"./tok/tokenizer.json"'));
  });

  it("reports a package whose file and version changed, and how to go back", async () => {
    const p = await lockedProject();
    const locked = hashFile(p.path("node_modules/@acme/agent-recipes/tasks.atune"));
    p.write(
      "node_modules/@acme/agent-recipes/package.json",
      '{ "name": "@acme/agent-recipes", "version": "1.1.0" }\n',
    );
    p.write(
      "node_modules/@acme/agent-recipes/tasks.atune",
      'export task household = builtin "household" { split = train, count = 12 }\n',
    );
    const [d] = lockErrors(p.recipe);
    expect(d.code).toBe("ATN3020");
    expect(d.span).toMatchObject({ file: p.recipe, line: 1, column: 8 });
    expect(d.message).toContain(`'@acme/agent-recipes/tasks.atune' changed since it was locked`);
    expect(d.message).toContain(`atune.lock expects sha256 ${short(locked)}`);
    expect(d.message).toContain("(package @acme/agent-recipes 1.0.0 → 1.1.0)");
    expect(d.help).toContain("otherwise install the locked version: npm install @acme/agent-recipes@1.0.0");
  });

  it("reports a new package version even when the imported file is the same", async () => {
    const p = await lockedProject();
    p.write(
      "node_modules/@acme/agent-recipes/package.json",
      '{ "name": "@acme/agent-recipes", "version": "1.0.1" }\n',
    );
    const [d] = lockErrors(p.recipe);
    expect(d.code).toBe("ATN3020");
    expect(d.message).toContain("the file's content is the same (package @acme/agent-recipes 1.0.0 → 1.0.1)");
  });

  it("reports a new input (ATN3021), a missing one (ATN3022) and a pin no longer read (ATN3023)", async () => {
    const p = await lockedProject();
    rmSync(p.path("data/general.jsonl"));
    p.write("models/tiny/model-00002.safetensors", "second shard");
    p.write(
      "recipe.atune",
      recipeText(false)
        .replace('import "./lib/generators.atune"', "")
        .replace("with teacher", "with expert_teacher")
        .replace("recipe shared {", "recipe shared {\n  generator expert_teacher = expert"),
    );
    const result = compileRecipe(p.recipe);
    const errors = lockErrors(p.recipe);
    expect(errors.map((d) => d.code).sort()).toEqual(["ATN3021", "ATN3022", "ATN3023"]);
    const byCode = Object.fromEntries(errors.map((d) => [d.code, d]));
    expect(byCode.ATN3021.message).toContain("the model file 'models/tiny/model-00002.safetensors'");
    expect(byCode.ATN3021.message).toContain("is not pinned in atune.lock");
    expect(byCode.ATN3022.message).toMatch(
      /^the data file 'data\/general\.jsonl' is pinned in atune\.lock \(sha256 [0-9a-f]{12}…\) but the file is missing$/,
    );
    expect(byCode.ATN3022.span.file).toBe(p.recipe);
    // The unused pin points at its entry in atune.lock, whose text comes with the result.
    const unused = byCode.ATN3023;
    expect(unused.message).toBe(
      "atune.lock pins 'lib/generators.atune' for recipe.atune, which no longer reads it",
    );
    const lockText = result.sources.get(unused.span.file) ?? "";
    expect(lockText.slice(unused.span.start, unused.span.end)).toBe('"lib/generators.atune"');
  });

  it("reports an unreadable lock file (ATN3024) with its position", () => {
    const p = makeProject();
    p.write(
      "atune.lock",
      '{ "lockfileVersion": 1, "recipes": { "recipe.atune": { "x": { "kind": "data" } } } }\n',
    );
    const [d] = lockErrors(p.recipe);
    expect(d.code).toBe("ATN3024");
    expect(d.message).toContain("the entry 'x' needs a sha256 of 64 hex digits");
    expect(d.span.column).toBe(' { "lockfileVersion": 1, "recipes": { "recipe.atune": { '.length);
    p.write("atune.lock", "{ not json");
    expect(lockErrors(p.recipe)[0].message).toContain("it is not valid JSON");
  });

  it("stops atune check, compile, plan and run (exit 1), and not a recipe outside the locked folder", async () => {
    const p = await lockedProject();
    p.write("lib/generators.atune", "export generator teacher = expert\n\n");
    const checked = checkRecipeFile(p.recipe);
    expect(checked.diagnostics.map((d) => d.code)).toEqual(["ATN3020"]);
    for (const command of ["check", "compile", "plan", "run"]) {
      const out = await atune(command, p.recipe, ...(command === "run" ? ["--root", p.path(".atune")] : []));
      expect(out.code, command).toBe(1);
      expect(`${out.stdout}${out.stderr}`, command).toContain(
        "error[ATN3020]: the imported recipe module 'lib/generators.atune' changed since it was locked",
      );
    }
    expect(existsSync(p.path(".atune"))).toBe(false);
    const other = makeProject();
    other.write("lib/generators.atune", "export generator teacher = expert\n\n");
    expect(checkRecipeFile(other.recipe).diagnostics).toEqual([]);
  });
});
