import { existsSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { useColor } from "../../compiler/diagnostics/render.ts";
import { renderResult, resultToJson } from "../../compiler/test/report.ts";
import { type RecipeTestResult, testRecipe } from "../../compiler/test/runner.ts";
import { type Command, EXIT_FAILURE, EXIT_OK, UsageError } from "../command.ts";

const usage = `Usage: atune test RECIPE.atune… [--runs N] [--seed S] [--with-data] [--root DIR] [--json]

Property-tests each recipe: samples every param over its declared domain (fast-check) and, for
each sample, checks that the recipe compiles, that the plan is deterministic, that each mix
realises its declared weights, that no evaluation task reaches a training set, that every stage's
seed is fixed, and that the recipe's expect statements hold. A failure is shrunk to the simplest
param values that still fail. docs/testing.md explains each check.

Options:
  --runs N      samples per recipe (default 100)
  --seed S      fast-check's seed (default: random, printed); the same seed gives the same samples
  --with-data   also run the data stages the checks need (tasks, collect, load, filter, mix) over the
                cache, and read facts of stages 'atune run' has cached (training, evaluation)
  --root DIR    the cache root for --with-data (default: .atune/ beside each recipe)
  --json        print { ok, recipes: [{ file, ok, runs, seed, params, properties, expects,
                counterexample, shrinks, failures }] }

Exit status: 0 every recipe passed, 1 a check failed or a recipe has errors, 2 usage error.`;

interface TestArgs {
  files: string[];
  runs: number;
  seed: number;
  withData: boolean;
  json: boolean;
  root?: string;
}

function parseArgs(args: string[]): TestArgs {
  const parsed: TestArgs = {
    files: [],
    runs: 100,
    seed: Math.floor(Math.random() * 2 ** 31),
    withData: false,
    json: false,
  };
  const whole = (option: string, text: string | undefined, min: number): number => {
    if (text === undefined || !/^\d+$/.test(text) || Number(text) < min || Number(text) >= 2 ** 31) {
      throw new UsageError(
        `${option} takes a whole number from ${min} to ${2 ** 31 - 1}, not '${text ?? ""}'`,
      );
    }
    return Number(text);
  };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === "--runs") parsed.runs = whole("--runs", args[++i], 1);
    else if (arg === "--seed") parsed.seed = whole("--seed", args[++i], 0);
    else if (arg === "--with-data") parsed.withData = true;
    else if (arg === "--json") parsed.json = true;
    else if (arg === "--root") {
      parsed.root = args[++i];
      if (parsed.root === undefined) throw new UsageError("--root needs a directory");
    } else if (arg.startsWith("-")) throw new UsageError(`unknown option '${arg}'`);
    else parsed.files.push(arg);
  }
  if (parsed.files.length === 0) throw new UsageError("no recipe given");
  for (const file of parsed.files) {
    if (!existsSync(file) || statSync(file).isDirectory())
      throw new UsageError(`cannot read '${file}': no such file`);
  }
  return parsed;
}

export const testCommand: Command = {
  name: "test",
  usage,
  async run(args) {
    const options = parseArgs(args);
    const color = useColor(process.stdout);
    const results: RecipeTestResult[] = [];
    for (const file of options.files) {
      const result = await testRecipe(file, {
        runs: options.runs,
        seed: options.seed,
        withData: options.withData,
        root: options.root ?? join(dirname(file), ".atune"),
      });
      results.push(result);
      if (!options.json) console.log(`${renderResult(result, color)}${result.ok ? "" : "\n"}`);
    }
    const ok = results.every((r) => r.ok);
    if (options.json) console.log(JSON.stringify({ ok, recipes: results.map(resultToJson) }, null, 2));
    return ok ? EXIT_OK : EXIT_FAILURE;
  },
};
