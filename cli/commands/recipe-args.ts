/** Arguments shared by compile, plan and run: the recipe or plan file, --set, and the diagnostics printout. */
import { existsSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { type CompileResult, compileRecipe, type Override } from "../../compiler/compile.ts";
import { renderDiagnostic, useColor } from "../../compiler/diagnostics/render.ts";
import { UsageError } from "../command.ts";

export interface ParsedArgs {
  file: string;
  overrides: Override[];
  /** Option → values (for options that take one), e.g. "-o" → ["plan.json"]. */
  options: Map<string, string[]>;
}

/** `valued` options take the next argument; `--set` is always accepted. */
export function parseRecipeArgs(args: string[], valued: string[]): ParsedArgs {
  const files: string[] = [];
  const overrides: Override[] = [];
  const options = new Map<string, string[]>();
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === "--set") {
      const pair = args[++i];
      const eq = pair?.indexOf("=") ?? -1;
      if (!pair || eq <= 0) throw new UsageError("--set needs name=value, e.g. --set eta=0.3");
      overrides.push({ name: pair.slice(0, eq), value: pair.slice(eq + 1) });
    } else if (valued.includes(arg)) {
      const value = args[++i];
      if (value === undefined) throw new UsageError(`${arg} needs a value`);
      options.set(arg, [...(options.get(arg) ?? []), value]);
    } else if (arg.startsWith("-")) {
      throw new UsageError(`unknown option '${arg}'`);
    } else files.push(arg);
  }
  if (files.length !== 1) throw new UsageError(files.length === 0 ? "no recipe given" : "give one recipe");
  const file = files[0];
  if (!existsSync(file) || statSync(file).isDirectory())
    throw new UsageError(`cannot read '${file}': no such file`);
  return { file, overrides, options };
}

export function isPlanFile(file: string): boolean {
  return /\.(json|ya?ml)$/i.test(file);
}

/** Compiles and prints the diagnostics to stderr; the plan is null when there are errors. */
export function compileAndReport(file: string, overrides: Override[]): CompileResult {
  const result = compileRecipe(file, overrides);
  const color = useColor(process.stderr);
  for (const d of result.diagnostics) {
    const source =
      result.sources.get(d.span.file) ??
      (d.span.file === "--set" ? overrides.map((o) => o.value).join("\n") : "");
    console.error(`${renderDiagnostic(d, source, color)}\n`);
  }
  return result;
}

/** The cache root: --root, or .atune/ beside the recipe. */
export function cacheRoot(options: Map<string, string[]>, recipeFile: string): string {
  return options.get("--root")?.at(-1) ?? join(dirname(recipeFile), ".atune");
}
