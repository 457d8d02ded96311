// atune init: the scaffold of a recipe package, and its refusal to overwrite files.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";
import { describe, expect, it } from "vitest";
import { checkRecipeFile, compileRecipe } from "../../compiler/compile.ts";
import { hasErrors } from "../../compiler/diagnostics/diagnostic.ts";
import { hashFile } from "../../compiler/lock/hash.ts";
import { atune, tempDir } from "./project.ts";

const scaffold = [
  "package.json",
  "tasks.atune",
  "recipe.atune",
  "README.md",
  ".gitignore",
  ".github/workflows/atune.yml",
  "atune.lock",
];

describe("atune init", () => {
  it("scaffolds a package whose recipes check, compile and match their lock", async () => {
    const dir = join(tempDir(), "agent-recipes");
    const out = await atune("init", dir, "--name", "@acme/agent-recipes");
    expect(out.stderr).toBe("");
    expect(out.code).toBe(0);
    expect(out.stdout).toContain(`created @acme/agent-recipes in ${dir}:`);
    for (const file of scaffold) expect(existsSync(join(dir, file)), file).toBe(true);

    const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
    expect(pkg).toMatchObject({
      name: "@acme/agent-recipes",
      version: "0.1.0",
      files: ["*.atune", "atune.lock"],
    });
    expect(pkg.scripts.test).toBe("atune check *.atune && atune test recipe.atune");
    expect(Object.keys(pkg.devDependencies)).toEqual(["atune"]);
    expect(readFileSync(join(dir, ".gitignore"), "utf8")).toContain(".atune/");
    const ci = readFileSync(join(dir, ".github/workflows/atune.yml"), "utf8");
    expect(ci).toContain("run: npx atune check *.atune");
    expect(ci).toContain("run: npx atune test recipe.atune");
    expect(readFileSync(join(dir, "README.md"), "utf8")).toContain(
      'import "@acme/agent-recipes/tasks.atune"',
    );
    expect(readFileSync(join(dir, "tasks.atune"), "utf8")).toMatch(/^export task household = /m);

    const lock = JSON.parse(readFileSync(join(dir, "atune.lock"), "utf8"));
    expect(lock.recipes).toEqual({
      "recipe.atune": { "tasks.atune": { kind: "import", sha256: hashFile(join(dir, "tasks.atune")) } },
      "tasks.atune": {},
    });
    for (const file of ["tasks.atune", "recipe.atune"]) {
      expect(checkRecipeFile(join(dir, file)).diagnostics.filter((d) => d.severity !== "info")).toEqual([]);
    }
    const compiled = compileRecipe(join(dir, "recipe.atune"));
    expect(hasErrors(compiled.diagnostics)).toBe(false);
    expect(compiled.plan?.stages.map((s) => s.id)).toContain("collect.agent");
    const recipes = [join(dir, "recipe.atune"), join(dir, "tasks.atune")];
    expect((await atune("lock", "--check", ...recipes)).code).toBe(0);
    // The package's test script and CI run atune test on the recipe: it holds there too.
    const tested = await atune("test", "--runs", "5", join(dir, "recipe.atune"));
    expect(tested.stderr).toBe("");
    expect(tested.code).toBe(0);
  });

  it("refuses to overwrite existing files, and --force overwrites them", async () => {
    const dir = tempDir();
    expect((await atune("init", dir)).code).toBe(0);
    writeFileSync(join(dir, "recipe.atune"), "// mine\n");
    const refused = await atune("init", dir);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(
      `atune init: ${dir} already has ${scaffold.join(", ")}; nothing was written.`,
    );
    expect(refused.stderr).toContain("add --force to overwrite");
    expect(readFileSync(join(dir, "recipe.atune"), "utf8")).toBe("// mine\n");

    const forced = await atune("init", dir, "--force");
    expect(forced.code).toBe(0);
    expect(readFileSync(join(dir, "recipe.atune"), "utf8")).toContain("recipe starter {");
  });

  it("refuses a folder that holds only one of its files too", async () => {
    const dir = tempDir();
    writeFileSync(join(dir, "README.md"), "# mine\n");
    const refused = await atune("init", dir);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("already has README.md; nothing was written");
    expect(existsSync(join(dir, "package.json"))).toBe(false);
  });

  it("names the package after its folder, and rejects names npm would refuse", async () => {
    const dir = join(tempDir(), "My Recipes");
    expect((await atune("init", dir)).code).toBe(0);
    expect(JSON.parse(readFileSync(join(dir, "package.json"), "utf8")).name).toBe("my-recipes");
    expect(basename(dir)).toBe("My Recipes");

    const bad = await atune("init", tempDir(), "--name", "Acme Recipes");
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("'Acme Recipes' is not a valid npm package name");
    expect((await atune("init", tempDir(), "--name")).code).toBe(2);
    expect((await atune("init", "a", "b")).code).toBe(2);
  });
});
