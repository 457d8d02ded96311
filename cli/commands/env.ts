/**
 * `atune env`: list the environment families, show one, or play an episode in the terminal —
 * as a person typing actions, or watching the family's expert (`--expert`).
 */
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { createInterface, type Interface } from "node:readline";
import { pathToFileURL } from "node:url";
import { builtinEnvironments, findEnvironment } from "../../runtime/env/registry.ts";
import type { Environment, Episode, PixelImage, Split } from "../../runtime/env/types.ts";
import { type Command, EXIT_FAILURE, EXIT_OK, EXIT_USAGE, UsageError } from "../command.ts";

const usage = `Usage:
  atune env list                      the built-in families: name, group, description
  atune env show FAMILY               description, action space, options, the 1-shot example, a sample task
  atune env play FAMILY [options]     play one episode in the terminal

FAMILY is a built-in family (see 'atune env list') or a TypeScript module and its export:
  ./examples/envs/expense.ts#expenseEnv

Options for play:
  --seed N            which task to draw (default 0)
  --split train|test  which split to draw it from (default train)
  --expert            let the family's expert play, showing its thoughts
  --options JSON      task options, e.g. '{"templates": ["csv-sum"]}'

While playing, type one action per line; 'quit' stops.`;

/** A user's mistake in naming or loading an environment: printed without a stack trace. */
class EnvCommandError extends Error {}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length];
}

function looksLikeEnvironment(value: unknown): value is Environment {
  const env = value as Environment;
  return (
    typeof env === "object" &&
    env !== null &&
    typeof env.family === "string" &&
    typeof env.tasks === "function" &&
    typeof env.open === "function" &&
    typeof env.example === "object"
  );
}

async function loadModuleEnvironment(ref: string): Promise<Environment> {
  const [file, exportName] = ref.split("#");
  const path = resolve(file);
  if (!existsSync(path)) throw new EnvCommandError(`no such file: ${path} (from '${ref}')`);
  let mod: Record<string, unknown>;
  try {
    mod = await import(pathToFileURL(path).href);
  } catch (error) {
    throw new EnvCommandError(`could not load ${path}: ${(error as Error).message}`);
  }
  const environments = Object.entries(mod).filter(([, value]) => looksLikeEnvironment(value));
  if (exportName) {
    if (looksLikeEnvironment(mod[exportName])) return mod[exportName];
    const found = environments.map(([name]) => name).join(", ") || "none";
    throw new EnvCommandError(
      `${file} has no exported environment named '${exportName}' (environments it exports: ${found}). ` +
        "An environment is an object with family, tasks(), open() and example.",
    );
  }
  if (environments.length === 1) return environments[0][1] as Environment;
  throw new EnvCommandError(
    environments.length === 0
      ? `${file} exports no environment (an object with family, tasks(), open() and example)`
      : `${file} exports several environments (${environments.map(([n]) => n).join(", ")}): name one, e.g. ${file}#${environments[0][0]}`,
  );
}

async function resolveEnvironment(ref: string): Promise<Environment> {
  if (ref.includes("#") || /\.(ts|js|mts|mjs)$/.test(ref) || ref.startsWith(".") || ref.startsWith("/")) {
    return loadModuleEnvironment(ref);
  }
  const env = findEnvironment(ref);
  if (env) return env;
  const names = builtinEnvironments.map((e) => e.family);
  const closest = names
    .map((name) => ({ name, distance: editDistance(ref, name) }))
    .sort((a, b) => a.distance - b.distance)[0];
  const hint =
    closest && closest.distance <= Math.max(2, ref.length / 3) ? ` Did you mean '${closest.name}'?` : "";
  throw new EnvCommandError(
    `unknown environment family '${ref}'.${hint} Known families: ${names.join(", ")}. ` +
      "A user environment is named by its module: ./path/to/file.ts#exportName",
  );
}

// --- list and show -----------------------------------------------------------------------------

function list(): number {
  const width = Math.max(6, ...builtinEnvironments.map((e) => e.family.length));
  console.log(`${"family".padEnd(width)}  ${"group".padEnd(8)}  description`);
  for (const env of builtinEnvironments) {
    const firstSentence = env.description.split(/(?<=\.)\s/)[0];
    console.log(`${env.family.padEnd(width)}  ${env.group.padEnd(8)}  ${firstSentence}`);
  }
  console.log(
    "\nUser environments (examples/envs/): play one with 'atune env play ./examples/envs/tools.ts#toolsEnv'.",
  );
  return EXIT_OK;
}

const indent = (text: string, prefix = "  ") =>
  text
    .split("\n")
    .map((line) => prefix + line)
    .join("\n");

function show(env: Environment): number {
  const lines = [
    `${env.family} (${env.group}, at most ${env.maxTurns} turns)`,
    "",
    env.description,
    "",
    "Action space:",
    indent(env.actionSpace),
  ];
  if (env.tools?.length) {
    lines.push("", "Tools:", ...env.tools.map((t) => `  ${t.name}: ${t.description}`));
  }
  const options = Object.entries(env.options ?? {});
  lines.push("", "Options:");
  if (options.length === 0) lines.push("  (none)");
  for (const [name, option] of options) {
    lines.push(`  ${name}: ${option.description} (default: ${JSON.stringify(option.default)})`);
  }
  lines.push(
    "",
    "1-shot example:",
    `  Instruction: ${env.example.instruction}`,
    "  Observation:",
    indent(env.example.observation, "    "),
  );
  for (const step of env.example.steps) {
    lines.push(`  Thought: ${step.thought}`, `  Action: ${step.action}`, indent(step.observation, "    "));
  }
  const [sample] = env.tasks({ split: "train", count: 1, seed: 0 });
  lines.push("", `Sample task (${sample.id}):`, `  ${sample.instruction}`);
  console.log(lines.join("\n"));
  return EXIT_OK;
}

// --- play --------------------------------------------------------------------------------------

/** The largest square block size (up to 8) in which every block is one colour: a grid's cell size. */
function uniformBlock(image: PixelImage): number {
  const pixel = (x: number, y: number) => {
    const i = (y * image.width + x) * image.channels;
    return image.pixels.slice(i, i + image.channels).join(",");
  };
  for (let size = 8; size > 1; size--) {
    if (image.width % size !== 0 || image.height % size !== 0) continue;
    let uniform = true;
    for (let y = 0; y < image.height && uniform; y++) {
      for (let x = 0; x < image.width && uniform; x++) {
        uniform = pixel(x, y) === pixel(x - (x % size), y - (y % size));
      }
    }
    if (uniform) return size;
  }
  return 1;
}

/** A small image as text: one character per block (white @, red R, black #, grey ., other +). */
export function imageAsText(image: PixelImage): string {
  const stride = Math.max(uniformBlock(image), Math.ceil(image.width / 32));
  const rows: string[] = [];
  for (let y = Math.floor(stride / 2); y < image.height; y += stride) {
    let row = "";
    for (let x = Math.floor(stride / 2); x < image.width; x += stride) {
      const i = (y * image.width + x) * image.channels;
      const [r, g, b] =
        image.channels === 3
          ? image.pixels.slice(i, i + 3)
          : [image.pixels[i], image.pixels[i], image.pixels[i]];
      if (r > 200 && g > 200 && b > 200) row += "@";
      else if (r > 200 && g < 80 && b < 80) row += "R";
      else if (r < 50 && g < 50 && b < 50) row += "#";
      else if (Math.abs(r - g) < 20 && Math.abs(g - b) < 20) row += ".";
      else row += "+";
    }
    rows.push(row);
  }
  return `[image ${image.width}x${image.height}, ${image.channels === 3 ? "RGB" : "grey"}]\n${rows.join("\n")}`;
}

function printObservation(observation: string, image?: PixelImage): void {
  console.log(indent(observation));
  if (image) console.log(indent(imageAsText(image)));
}

interface PlayOptions {
  seed: number;
  split: Split;
  expert: boolean;
  options?: Record<string, unknown>;
}

function parsePlayArgs(args: string[]): { ref: string; play: PlayOptions } {
  const play: PlayOptions = { seed: 0, split: "train", expert: false };
  let ref: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === "--expert") play.expert = true;
    else if (arg === "--seed") {
      const value = Number(args[++i]);
      if (!Number.isInteger(value) || value < 0)
        throw new UsageError(`--seed needs a whole number ≥ 0, got '${args[i] ?? ""}'`);
      play.seed = value;
    } else if (arg === "--split") {
      const value = args[++i];
      if (value !== "train" && value !== "test")
        throw new UsageError(`--split must be 'train' or 'test', got '${value ?? ""}'`);
      play.split = value;
    } else if (arg === "--options") {
      try {
        play.options = JSON.parse(args[++i] ?? "");
      } catch {
        throw new UsageError(
          `--options needs a JSON object, e.g. '{"templates": ["csv-sum"]}', got '${args[i] ?? ""}'`,
        );
      }
    } else if (arg.startsWith("--")) throw new UsageError(`unknown option '${arg}'`);
    else if (ref === undefined) ref = arg;
    else throw new UsageError(`unexpected argument '${arg}'`);
  }
  if (!ref) throw new UsageError("play needs a FAMILY (see 'atune env list')");
  return { ref, play };
}

async function playEpisode(env: Environment, options: PlayOptions): Promise<number> {
  if (options.expert && !env.expert)
    throw new EnvCommandError(`the ${env.family} family has no expert policy to watch`);
  const [task] = env.tasks({ split: options.split, count: 1, seed: options.seed, options: options.options });
  const episode: Episode = await env.open(task);
  let reader: Interface | undefined;
  try {
    console.log(`Task ${task.id}\nInstruction: ${task.instruction}\n`);
    const first = await episode.reset();
    console.log("Observation:");
    printObservation(first.observation, first.image);
    const expert = options.expert ? env.expert!(task) : undefined;
    let observation = first.observation;
    reader = expert ? undefined : createInterface({ input: process.stdin, terminal: false });
    const lines = reader?.[Symbol.asyncIterator]();
    if (!expert) console.log(`\nActions: ${env.actionSpace.split("\n")[0]} … ('quit' stops)`);
    for (let turn = 1; turn <= env.maxTurns; turn++) {
      let action: string;
      if (expert) {
        const move = expert.next(observation);
        console.log(`\nThought: ${move.thought}\nAction: ${move.action}`);
        action = move.action;
      } else {
        process.stdout.write("\naction> ");
        const next = await lines!.next();
        if (next.done) {
          console.log("\nInput ended before the episode finished.");
          return EXIT_OK;
        }
        action = next.value.trim();
        if (!process.stdin.isTTY) console.log(action);
        if (action === "quit") return EXIT_OK;
      }
      const result = await episode.step(action);
      observation = result.observation;
      printObservation(result.observation, result.image);
      if (!result.info.valid) console.log("  (invalid action)");
      if (result.done) {
        console.log(
          `\nDone after ${turn} turn${turn === 1 ? "" : "s"}: reward ${result.reward}${result.info.success ? " (success)" : ""}.`,
        );
        return EXIT_OK;
      }
    }
    console.log(`\nTurn limit reached (${env.maxTurns}) without finishing: reward 0.`);
    return EXIT_OK;
  } finally {
    // A reader left open would keep a terminal session waiting for input after the game.
    reader?.close();
    await episode.close();
  }
}

export const envCommand: Command = {
  name: "env",
  usage,
  async run(args) {
    const [sub, ...rest] = args;
    try {
      switch (sub) {
        case "list":
          if (rest.length > 0) throw new UsageError(`'env list' takes no arguments, got '${rest[0]}'`);
          return list();
        case "show":
          if (rest.length !== 1) throw new UsageError("'env show' needs exactly one FAMILY");
          return show(await resolveEnvironment(rest[0]));
        case "play": {
          const { ref, play } = parsePlayArgs(rest);
          return await playEpisode(await resolveEnvironment(ref), play);
        }
        default:
          throw new UsageError(
            sub ? `unknown sub-command '${sub}'` : "missing sub-command: list, show or play",
          );
      }
    } catch (error) {
      if (error instanceof UsageError) throw error;
      if (error instanceof EnvCommandError) {
        console.error(`atune env: ${error.message}`);
        return EXIT_USAGE;
      }
      // Errors environments raise for bad options or a missing sandbox are meant for the user.
      if (error instanceof Error && !(error instanceof TypeError) && !(error instanceof ReferenceError)) {
        console.error(`atune env: ${error.message}`);
        return EXIT_FAILURE;
      }
      throw error;
    }
  },
};
