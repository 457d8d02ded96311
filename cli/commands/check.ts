import { existsSync, readFileSync, statSync } from "node:fs";
import { checkRecipeFile } from "../../compiler/compile.ts";
import {
  diagnosticToJson,
  renderDiagnostic,
  summaryLine,
  useColor,
} from "../../compiler/diagnostics/render.ts";
import { type Command, EXIT_FAILURE, EXIT_OK, UsageError } from "../command.ts";

const usage = `Usage: atune check [--json] FILE…

Reads each .atune file and reports every problem it finds: syntax errors, unknown or duplicate
keys, misspelt names (with suggestions), values of the wrong type, names that do not resolve
across imports, references to the wrong kind of declaration, held-in/held-out overlaps, and
TypeScript modules that do not fit the runtime's interfaces.

Options:
  --json   print the diagnostics as JSON instead of code frames

Exit status: 0 no errors, 1 errors found, 2 usage error (e.g. a missing file).`;

/** Splits arguments into known flags and files; unknown flags are usage errors. */
export function parseFileArgs(args: string[], flags: string[]): { flags: Set<string>; files: string[] } {
  const set = new Set<string>();
  const files: string[] = [];
  for (const arg of args) {
    if (arg.startsWith("-") && arg !== "-") {
      if (!flags.includes(arg)) throw new UsageError(`unknown option '${arg}'`);
      set.add(arg);
    } else files.push(arg);
  }
  if (files.length === 0) throw new UsageError("no files given");
  for (const file of files) {
    if (!existsSync(file)) throw new UsageError(`cannot read '${file}': no such file`);
    if (statSync(file).isDirectory())
      throw new UsageError(`'${file}' is a directory; name the .atune files in it`);
  }
  return { flags: set, files };
}

/** The file's text; a file that cannot be read is a usage error (exit 2), not a crash. */
export function readSource(file: string): string {
  try {
    return readFileSync(file, "utf8");
  } catch (error) {
    throw new UsageError(`cannot read '${file}': ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
}

export const check: Command = {
  name: "check",
  usage,
  async run(args) {
    const { flags, files } = parseFileArgs(args, ["--json"]);
    const color = useColor();
    let errors = 0;
    let warnings = 0;
    const report: Array<{ file: string; diagnostics: Record<string, unknown>[] }> = [];
    for (const file of files) {
      const source = readSource(file);
      const { diagnostics, sources } = checkRecipeFile(file, source);
      errors += diagnostics.filter((d) => d.severity === "error").length;
      warnings += diagnostics.filter((d) => d.severity === "warning").length;
      if (flags.has("--json")) report.push({ file, diagnostics: diagnostics.map(diagnosticToJson) });
      else
        for (const d of diagnostics)
          console.log(`${renderDiagnostic(d, sources.get(d.span.file) ?? source, color)}\n`);
    }
    if (flags.has("--json")) console.log(JSON.stringify({ files: report, errors, warnings }, null, 2));
    else console.log(summaryLine(errors, warnings, files.length));
    return errors > 0 ? EXIT_FAILURE : EXIT_OK;
  },
};
