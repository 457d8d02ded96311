import { readFileSync } from "node:fs";
import { type Command, EXIT_FAILURE, EXIT_OK, EXIT_USAGE, UsageError } from "./command.ts";
import { check } from "./commands/check.ts";
import { dataCommand } from "./commands/data.ts";
import { envCommand } from "./commands/env.ts";
import { fmt } from "./commands/fmt.ts";

// The command table. Add a command by writing cli/commands/<name>.ts and listing it here.
const commands: Command[] = [check, dataCommand, envCommand, fmt];

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"));
  return pkg.version;
}

function help(): string {
  const width = Math.max(...commands.map((c) => c.name.length), 4);
  const lines = commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`);
  return [
    "atune — agent-tuning recipes: compile, run, evaluate",
    "",
    "Usage: atune <command> [options]",
    "",
    "Commands:",
    ...lines,
    "",
    "Options:",
    "  --help     show help (also: atune <command> --help)",
    "  --version  print the version",
  ].join("\n");
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    console.log(help());
    return name === undefined ? EXIT_USAGE : EXIT_OK;
  }
  if (name === "--version" || name === "-v") {
    console.log(version());
    return EXIT_OK;
  }
  const command = commands.find((c) => c.name === name);
  if (!command) {
    console.error(`atune: unknown command '${name}'. Run 'atune --help' to list the commands.`);
    return EXIT_USAGE;
  }
  if (rest.includes("--help") || rest.includes("-h")) {
    console.log(command.usage);
    return EXIT_OK;
  }
  try {
    return await command.run(rest);
  } catch (error) {
    if (error instanceof UsageError) {
      console.error(`atune ${name}: ${error.message}\n\n${command.usage}`);
      return EXIT_USAGE;
    }
    throw error;
  }
}

export { EXIT_FAILURE };
