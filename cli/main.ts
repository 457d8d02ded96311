import { readFileSync } from "node:fs";
import { type Command, EXIT_FAILURE, EXIT_OK, EXIT_USAGE, UsageError } from "./command.ts";

/** A command as the table knows it: loaded only when called, so each call starts fast. */
interface CommandEntry {
  name: string;
  /** One line for `atune --help`. */
  summary: string;
  load(): Promise<Command>;
}

// The command table. Add a command by writing cli/commands/<name>.ts and listing it here.
const commands: CommandEntry[] = [
  {
    name: "check",
    summary: "check .atune recipes and report every problem",
    load: async () => (await import("./commands/check.ts")).check,
  },
  {
    name: "compile",
    summary: "compile a recipe into its execution plan (JSON or YAML)",
    load: async () => (await import("./commands/compile.ts")).compile,
  },
  {
    name: "data",
    summary: "convert data files between formats, show their statistics, write the built-in general set",
    load: async () => (await import("./commands/data.ts")).dataCommand,
  },
  {
    name: "env",
    summary: "list, inspect and play agent environments",
    load: async () => (await import("./commands/env.ts")).envCommand,
  },
  {
    name: "fmt",
    summary: "format .atune recipes canonically (print, --write, or --check)",
    load: async () => (await import("./commands/fmt.ts")).fmt,
  },
  {
    name: "init",
    summary: "scaffold a recipe package: package.json, recipes, atune.lock, README, CI",
    load: async () => (await import("./commands/init.ts")).initCommand,
  },
  {
    name: "lock",
    summary: "pin the content of a recipe's imports, data, model files and modules in atune.lock",
    load: async () => (await import("./commands/lock.ts")).lockCommand,
  },
  {
    name: "plan",
    summary: "list a plan's stages: + will run, = cached, ~ changed since the last run",
    load: async () => (await import("./commands/plan.ts")).planCommand,
  },
  {
    name: "run",
    summary: "run a recipe or a saved plan over the content-addressed cache",
    load: async () => (await import("./commands/run.ts")).runCommand,
  },
  {
    name: "test",
    summary: "property-test recipes: sample their params, check the plan's properties and expects",
    load: async () => (await import("./commands/test.ts")).testCommand,
  },
  {
    name: "tokenizer",
    summary: "learn a byte-level BPE tokenizer from conversation files",
    load: async () => (await import("./commands/tokenizer.ts")).tokenizerCommand,
  },
  {
    name: "serve",
    summary: "serve a model directory as an OpenAI-compatible Chat Completions endpoint",
    load: async () => (await import("./commands/serve.ts")).serveCommand,
  },
];

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
  const entry = commands.find((c) => c.name === name);
  if (!entry) {
    console.error(`atune: unknown command '${name}'. Run 'atune --help' to list the commands.`);
    return EXIT_USAGE;
  }
  const command = await entry.load();
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
