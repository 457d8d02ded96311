// `atune test`: the shipped recipes pass; planted bugs are found and shrunk; flags, JSON, exit codes.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it, vi } from "vitest";
import { main } from "../../cli/main.ts";
import { compileRecipe } from "../../compiler/compile.ts";

const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
const repo = (path: string) => fileURLToPath(new URL(`../../${path}`, import.meta.url));

/** Runs the CLI in this process and captures what it prints. */
async function atune(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const log = vi.spyOn(console, "log").mockImplementation((...a) => void out.push(a.join(" ")));
  const error = vi.spyOn(console, "error").mockImplementation((...a) => void err.push(a.join(" ")));
  try {
    const code = await main(args);
    return { code, stdout: out.join("\n"), stderr: err.join("\n") };
  } finally {
    log.mockRestore();
    error.mockRestore();
  }
}

interface RecipeJson {
  file: string;
  ok: boolean;
  runs: number;
  seed: number;
  params: Array<{ name: string; type: string; domain: string }>;
  properties: string[];
  expects: Array<{ text: string; line: number; status: string; reason?: string }>;
  counterexample: Record<string, unknown> | null;
  shrinks: number;
  failures: Array<{ check: string; code: string; message: string; line: number; column: number }>;
}

async function testJson(...args: string[]): Promise<{ code: number; recipe: RecipeJson }> {
  const { code, stdout } = await atune("test", ...args, "--json");
  const parsed = JSON.parse(stdout) as { ok: boolean; recipes: RecipeJson[] };
  expect(parsed.ok).toBe(code === 0);
  return { code, recipe: parsed.recipes[0] };
}

const root = mkdtempSync(join(tmpdir(), "atune-test-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe("atune test on the shipped recipes", () => {
  it("passes the quickstart; the eval expect is skipped until a run, never silently passed", async () => {
    const { code, stdout } = await atune(
      "test",
      repo("examples/quickstart.atune"),
      "--runs",
      "8",
      "--seed",
      "1",
    );
    expect(code).toBe(0);
    expect(stdout).toMatch(/quickstart\.atune: ok — 8 runs, 5 properties, 2 expects \(1 skipped\)/);
    expect(stdout).toContain("skipped: expect eval.compare.held_in(tuned) >= eval.compare.held_in(base)");
    expect(stdout).toContain("needs a run");
  });

  it("passes the paper's recipe (its data-dependent expects are skipped without data)", async () => {
    const { code, recipe } = await testJson(repo("recipes/agenttuning.atune"), "--runs", "8", "--seed", "2");
    expect(code).toBe(0);
    expect(recipe.runs).toBe(8);
    expect(recipe.params).toEqual([{ name: "eta", type: "ratio", domain: "0..1 in 10000 steps of 0.0001" }]);
    expect(recipe.expects.map((e) => e.status)).toEqual(["skipped", "skipped"]);
  });
});

describe("atune test finds planted bugs and shrinks them", () => {
  it("weights that sum to 0.9 for every eta: shrunk to eta = 0", async () => {
    const { code, recipe } = await testJson(fixture("sum-below-one.atune"), "--runs", "20", "--seed", "3");
    expect(code).toBe(1);
    expect(recipe.counterexample).toEqual({ eta: 0 });
    expect(recipe.failures[0]).toMatchObject({ check: "compiles", code: "ATN2014", line: 9 });
    expect(recipe.failures[0].message).toContain("sum to 0.9 with these values");
  });

  it("a weight that goes negative above eta = 0.9: shrunk to the edge, 0.9001", async () => {
    const { code, stdout } = await atune(
      "test",
      fixture("negative-weight.atune"),
      "--runs",
      "60",
      "--seed",
      "4",
    );
    expect(code).toBe(1);
    expect(stdout).toContain("counterexample: eta = 0.9001");
    expect(stdout).toContain("property compiles fails:");
    expect(stdout).toContain("the weight of 'general' must be between 0 and 1 (0% to 100%), but is -0.0001");
    // The code frame underlines the weight's expression.
    expect(stdout).toMatch(
      /10 \| {3}mix tuning = sample \{ agent: eta, general: 0\.9 - eta, extra: 10% \}.*\n.*\| +\^{9}\n/,
    );
  });

  it("shots = 0 makes an empty task set", async () => {
    const { code, recipe } = await testJson(fixture("zero-shots.atune"), "--runs", "20", "--seed", "5");
    expect(code).toBe(1);
    expect(recipe.counterexample).toEqual({ shots: 0 });
    expect(recipe.failures[0]).toMatchObject({ check: "compiles", code: "ATN2013", line: 5, column: 65 });
  });

  it("an evaluation that draws the training tasks for one seed", async () => {
    const { code, recipe } = await testJson(fixture("eval-on-train.atune"), "--runs", "30", "--seed", "6");
    expect(code).toBe(1);
    expect(recipe.counterexample).toEqual({ eval_seed: 3 });
    expect(recipe.failures).toHaveLength(1);
    expect(recipe.failures[0]).toMatchObject({ check: "hygiene", code: "ATN4004", line: 11 });
    expect(recipe.failures[0].message).toContain("the same 5 tasks");
  });

  it("a stage seed read from the environment", async () => {
    const { code, recipe } = await testJson(fixture("unseeded.atune"), "--runs", "10", "--seed", "7");
    expect(code).toBe(1);
    // Caught as early as compiling (ATN3015); the seeds property (ATN4005) would catch it next.
    expect(recipe.failures[0]).toMatchObject({ check: "compiles", code: "ATN3015", line: 5, column: 79 });
    expect(recipe.failures[0].message).toContain("cannot be read from the environment");
  });

  it("a mix too small for the declared tolerance: the share property and the expect both fail, at an edge", async () => {
    const { code, recipe } = await testJson(fixture("coarse-mix.atune"), "--runs", "50", "--seed", "3");
    expect(code).toBe(1);
    expect(recipe.failures.map((f) => [f.check, f.code])).toEqual([
      ["mix-shares", "ATN4003"],
      ["expect", "ATN4001"],
    ]);
    // Shrunk to just past the edge of a failing region: one grid step beyond 1% off a tenth.
    const eta = recipe.counterexample?.eta as number;
    expect(Math.abs(Math.round(eta * 10) / 10 - eta)).toBeCloseTo(0.0101, 9);
  });

  it("a first_exhausted mix is sized from its sources' planned counts, as the runtime sizes it", async () => {
    const { code, recipe } = await testJson(fixture("first-exhausted.atune"), "--runs", "50", "--seed", "2");
    expect(code).toBe(1);
    expect(recipe.counterexample).toEqual({ eta: 0.6001 });
    expect(recipe.failures[0].message).toBe("expect does not hold: mix.tuning.total = 49");
  });

  it("an expect on a count param: shrunk to the boundary n = 999", async () => {
    const { code, stdout } = await atune("test", fixture("small-count.atune"), "--runs", "50", "--seed", "8");
    expect(code).toBe(1);
    expect(stdout).toContain("counterexample: n = 999");
    expect(stdout).toContain(
      "expect fails:\nerror[ATN4001]: expect does not hold: dataset.agent.count = 999",
    );
    expect(stdout).toContain(" 6 |   expect dataset.agent.count >= 1000");
    expect(stdout).toContain("atune compile");
    expect(stdout).toContain("--set n=999");
  });
});

describe("atune test flags and output", () => {
  it("--seed makes a run reproducible", async () => {
    const first = await testJson(fixture("small-count.atune"), "--runs", "50", "--seed", "11");
    const second = await testJson(fixture("small-count.atune"), "--runs", "50", "--seed", "11");
    expect(second.recipe).toEqual(first.recipe);
    expect(first.recipe.seed).toBe(11);
  });

  it("--runs sets how many instances are checked (one when the recipe has no params)", async () => {
    expect((await testJson(fixture("with-data.atune"), "--runs", "3", "--seed", "1")).recipe.runs).toBe(3);
    expect((await testJson(fixture("no-params.atune"), "--runs", "9")).recipe.runs).toBe(1);
  });

  it("prints a stable JSON shape", async () => {
    const { recipe } = await testJson(fixture("with-data.atune"), "--runs", "2", "--seed", "1");
    expect(Object.keys(recipe)).toEqual([
      "file",
      "ok",
      "runs",
      "seed",
      "params",
      "properties",
      "expects",
      "counterexample",
      "shrinks",
      "failures",
    ]);
    expect(recipe.properties).toEqual(["compiles", "deterministic", "mix-shares", "hygiene", "seeds"]);
    expect(recipe.expects[0]).toEqual({
      text: "dataset.agent.count >= 2",
      line: 13,
      status: "skipped",
      reason: "needs a run: how many records its filters keep (run atune test with --with-data)",
    });
  });

  it("--with-data runs a tiny expert collection and checks the realised counts and shares", async () => {
    const passing = await testJson(
      fixture("with-data.atune"),
      "--runs",
      "3",
      "--seed",
      "1",
      "--with-data",
      "--root",
      root,
    );
    expect(passing.code).toBe(0);
    expect(passing.recipe.expects.map((e) => e.status)).toEqual(["pass", "pass"]);

    const failing = await testJson(
      fixture("with-data-short.atune"),
      "--runs",
      "5",
      "--seed",
      "1",
      "--with-data",
      "--root",
      root,
    );
    expect(failing.code).toBe(1);
    expect(failing.recipe.counterexample).toEqual({ n: 3 });
    expect(failing.recipe.failures[0].message).toBe("expect does not hold: dataset.agent.count = 3");
  });

  it("--with-data reads evaluation scores only from stages a run has cached", async () => {
    const file = fixture("eval-facts.atune");
    const without = await testJson(file, "--with-data", "--root", root);
    expect(without.code).toBe(0);
    expect(without.recipe.expects[0].status).toBe("skipped");
    expect(without.recipe.expects[0].reason).toContain("'eval.compare' runs only under 'atune run'");

    // Stand in for `atune run`: the eval stage's cache entry, with the scores it would hold.
    const plan = compileRecipe(file).plan!;
    const evalStage = plan.stages.find((s) => s.id === "eval.compare")!;
    const dir = join(root, "cache", evalStage.key);
    mkdirSync(dir, { recursive: true });
    const group = (model: string, normalised: number) => ({
      model,
      group: "held_in",
      normalised,
      raw: 0,
      tasks: 1,
    });
    writeFileSync(
      join(dir, "stage.json"),
      JSON.stringify({
        id: evalStage.id,
        key: evalStage.key,
        summary: { groups: [group("base", 1.2), group("tuned", 0.8)] },
      }),
    );
    const withScores = await testJson(file, "--with-data", "--root", root);
    expect(withScores.code).toBe(1);
    expect(withScores.recipe.failures[0].message).toBe(
      "expect does not hold: eval.compare.held_in(tuned) = 0.8, eval.compare.held_in(base) = 1.2",
    );
    // Without --with-data the plan alone is checked: the cache is not read.
    expect((await testJson(file, "--root", root)).recipe.expects[0].status).toBe("skipped");
  });

  it("--with-data reports a data stage that fails, with the declaration it belongs to", async () => {
    const file = fixture("missing-file.atune");
    expect((await testJson(file)).recipe.expects[0].status).toBe("skipped");
    const { code, stdout } = await atune("test", file, "--with-data", "--root", root);
    expect(code).toBe(1);
    expect(stdout).toContain("a data stage fails:\nerror[ATN4006]: data stage 'load.chats' failed:");
    expect(stdout).toContain("no-such-file.jsonl: file not found");
    expect(stdout).toContain(" 4 |   dataset chats = load");
  });

  it("passes a library file: its declarations are tested through the recipes that import it", async () => {
    const { code, stdout } = await atune("test", fixture("library.atune"));
    expect(code).toBe(0);
    expect(stdout).toContain("library.atune: ok — a library file, no recipe to test");
  });

  it("exit codes: 1 for a recipe with errors, 2 for usage mistakes", async () => {
    const broken = await atune("test", fixture("unknown-fact.atune"));
    expect(broken.code).toBe(1);
    expect(broken.stdout).toContain("FAILED — the recipe does not compile");
    expect(broken.stdout).toContain("error[ATN2019]: a mix has no fact 'shares'. Did you mean 'share'?");
    const { recipe } = await testJson(fixture("unknown-fact.atune"));
    expect(recipe.expects[0]).toMatchObject({ status: "skipped", reason: "the recipe does not compile" });
    expect(recipe.failures[0]).toMatchObject({ check: "compiles", code: "ATN2019", line: 7 });
    expect((await atune("test", fixture("no-params.atune"), "--runs", "0")).code).toBe(2);
    expect((await atune("test", "no-such.atune")).code).toBe(2);
    expect((await atune("test")).code).toBe(2);
  });
});
