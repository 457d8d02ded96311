/** `atune test` results for people (a summary line, or the counterexample with code frames) and as JSON. */
import type { Diagnostic } from "../diagnostics/diagnostic.ts";
import { diagnosticToJson, renderDiagnostic } from "../diagnostics/render.ts";
import { literalOf, type ParamValue } from "./domains.ts";
import type { RecipeTestResult } from "./runner.ts";

export function renderResult(result: RecipeTestResult, color: boolean): string {
  const render = (d: Diagnostic) => renderDiagnostic(d, result.sources.get(d.span.file) ?? "", color);
  if (result.compileErrors.length > 0) {
    return [`${result.file}: FAILED — the recipe does not compile`, ...result.compileErrors.map(render)].join(
      "\n\n",
    );
  }
  if (result.ok && result.runs === 0) {
    return `${result.file}: ok — a library file, no recipe to test (the recipes that import it test its declarations)`;
  }
  const counts = `${plural(result.runs, "run")}, ${plural(result.properties.length, "property", "properties")}, ${plural(result.expects.length, "expect")}`;
  const skipped = result.expects.filter((e) => e.status === "skipped");
  if (result.ok) {
    const lines = [`${result.file}: ok — ${counts}${skipped.length ? ` (${skipped.length} skipped)` : ""}`];
    for (const e of skipped) lines.push(`  skipped: expect ${e.text} — ${e.reason}`);
    return lines.join("\n");
  }
  const example = Object.entries(result.counterexample ?? {});
  const typeOf = new Map(result.params.map((p) => [p.name, p.type]));
  const assignments = example.map(([name, value]) => `${name} = ${literalOf(typeOf.get(name) ?? "", value)}`);
  const sets = example
    .map(([name, value]) => ` --set ${name}=${shellWord(literalOf(typeOf.get(name) ?? "", value))}`)
    .join("");
  return [
    `${result.file}: FAILED after ${plural(result.runs, "run")} (seed ${result.seed}, shrunk ${plural(result.shrinks, "time")})`,
    `counterexample: ${assignments.join(", ") || "(no params)"}`,
    ...result.failures.map((f) => `${heading(f.check)}\n${render(f.diagnostic)}`),
    `reproduce: atune test ${result.file} --seed ${result.seed} --runs ${result.requestedRuns}\n   the plan: atune compile ${result.file}${sets}`,
  ].join("\n\n");
}

export function resultToJson(result: RecipeTestResult): Record<string, unknown> {
  return {
    file: result.file,
    ok: result.ok,
    runs: result.runs,
    seed: result.seed,
    params: result.params,
    properties: result.properties,
    expects: result.expects.map((e) => ({
      text: e.text,
      line: e.span.line,
      status: e.status,
      ...(e.reason ? { reason: e.reason } : {}),
    })),
    counterexample: result.counterexample as Record<string, ParamValue> | null,
    shrinks: result.shrinks,
    failures: [
      ...result.compileErrors.map((d) => ({ check: "compiles", ...diagnosticToJson(d) })),
      ...result.failures.map((f) => ({ check: f.check, ...diagnosticToJson(f.diagnostic) })),
    ],
  };
}

function heading(check: string): string {
  if (check === "expect") return "expect fails:";
  if (check === "data") return "a data stage fails:";
  return `property ${check} fails:`;
}

function plural(n: number, word: string, many = `${word}s`): string {
  return `${n} ${n === 1 ? word : many}`;
}

function shellWord(text: string): string {
  return /^[\w.%+-]+$/.test(text) ? text : `'${text.replace(/'/g, "'\\''")}'`;
}
