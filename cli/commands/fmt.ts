import { writeFileSync } from "node:fs";
import { renderDiagnostic, useColor } from "../../compiler/diagnostics/render.ts";
import { formatSource } from "../../compiler/index.ts";
import { type Command, EXIT_FAILURE, EXIT_OK, UsageError } from "../command.ts";
import { parseFileArgs, readSource } from "./check.ts";

const usage = `Usage: atune fmt [--check | --write] FILE…

Prints each .atune file in canonical form (comments are kept). A file with errors is not
formatted: its diagnostics are printed instead.

Options:
  --check  print nothing but the files that are not canonical; exit 1 if there are any
  --write  rewrite the files in place

Exit status: 0 ok, 1 a file has errors or (with --check) is not canonical, 2 usage error.`;

export const fmt: Command = {
  name: "fmt",
  usage,
  async run(args) {
    const { flags, files } = parseFileArgs(args, ["--check", "--write"]);
    if (flags.has("--check") && flags.has("--write"))
      throw new UsageError("use --check or --write, not both");
    const color = useColor(process.stderr);
    let failed = false;
    for (const file of files) {
      const source = readSource(file);
      const result = formatSource(source, file);
      if (!result.ok) {
        failed = true;
        for (const d of result.diagnostics) console.error(`${renderDiagnostic(d, source, color)}\n`);
        console.error(`${file}: not formatted because it has errors`);
        continue;
      }
      if (flags.has("--check")) {
        if (result.text !== source) {
          failed = true;
          console.log(`${file}: not formatted (run atune fmt --write ${file})`);
        }
      } else if (flags.has("--write")) {
        if (result.text !== source) writeFileSync(file, result.text);
      } else {
        if (files.length > 1) console.log(`// ${file}`);
        process.stdout.write(result.text);
      }
    }
    return failed ? EXIT_FAILURE : EXIT_OK;
  },
};
