/**
 * `atune serve CHECKPOINT_DIR`: an OpenAI-compatible Chat Completions endpoint for a model
 * directory (a train stage's model/, or any Hugging Face Llama-family directory), until Ctrl-C.
 */
import { existsSync, statSync } from "node:fs";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { ServeConfigError, startServer } from "../../runtime/serve/server.ts";
import { NoAdapterError, openGpu } from "../../runtime/train/device/index.ts";
import { ModelFileError } from "../../runtime/train/io/errors.ts";
import { type Command, EXIT_FAILURE, EXIT_OK, UsageError } from "../command.ts";

const usage = `Usage:
  atune serve CHECKPOINT_DIR [options]

Serves the model in CHECKPOINT_DIR (config.json, *.safetensors, tokenizer.json and a chat_template
in tokenizer_config.json) as an OpenAI-compatible API: POST /v1/chat/completions, GET /v1/models,
GET /health. Concurrent requests are generated together in batches. Ctrl-C (or SIGTERM) stops it.

Options:
  --host H            address to listen on (default 127.0.0.1: this machine only)
  --port P            port (default 8000; 0 picks a free one). The URL is printed.
  --model-name N      the model name clients ask for (default: the directory's name)
  --max-batch B       most requests generated together (default 8)
  --max-tokens T      reply tokens when a request sets no max_tokens (default: min(256, context / 2))
  --api-key-env NAME  require 'Authorization: Bearer <key>' with the key held in the
                      environment variable NAME

Use it as a generator in a recipe: openai { baseURL: "<printed URL>", model: "<model name>" }.`;

interface ServeArgs {
  dir: string;
  host: string;
  port: number;
  modelName: string | undefined;
  maxBatch: number;
  maxTokens: number | undefined;
  apiKeyEnv: string | undefined;
}

function parse(args: string[]): ServeArgs {
  let parsed: ReturnType<typeof parseArgs<{ options: typeof options; allowPositionals: true; strict: true }>>;
  const options = {
    host: { type: "string" },
    port: { type: "string" },
    "model-name": { type: "string" },
    "max-batch": { type: "string" },
    "max-tokens": { type: "string" },
    "api-key-env": { type: "string" },
  } as const;
  try {
    parsed = parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { values, positionals } = parsed;
  if (positionals.length !== 1) {
    throw new UsageError(
      positionals.length === 0
        ? "give the model directory to serve, e.g. 'atune serve .atune/cache/<train stage>/model'"
        : `give one model directory, got ${positionals.length}: ${positionals.join(" ")}`,
    );
  }
  const whole = (name: string, value: string | undefined, min: number, max = Number.MAX_SAFE_INTEGER) => {
    if (value === undefined) return undefined;
    const number = Number(value);
    if (value.trim() === "" || !Number.isInteger(number) || number < min || number > max) {
      throw new UsageError(`--${name} needs a whole number from ${min} to ${max}, got '${value}'`);
    }
    return number;
  };
  const modelName = values["model-name"];
  if (modelName !== undefined && modelName.trim() === "")
    throw new UsageError("--model-name must not be empty");
  return {
    dir: positionals[0],
    host: values.host ?? "127.0.0.1",
    port: whole("port", values.port, 0, 65535) ?? 8000,
    modelName,
    maxBatch: whole("max-batch", values["max-batch"], 1, 1024) ?? 8,
    maxTokens: whole("max-tokens", values["max-tokens"], 1),
    apiKeyEnv: values["api-key-env"],
  };
}

function readApiKey(name: string | undefined): string | undefined {
  if (name === undefined) return undefined;
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
    // Not echoed: it may be the key itself, pasted where its variable's name belongs.
    throw new UsageError(
      "--api-key-env takes the NAME of an environment variable (like ATUNE_API_KEY), not the key itself",
    );
  }
  const key = process.env[name]?.trim();
  if (!key) {
    throw new UsageError(
      `the environment variable ${name} (named by --api-key-env) is ${process.env[name] === undefined ? "not set" : "empty"}; set it first, e.g. 'export ${name}=<a key of your choice>'`,
    );
  }
  return key;
}

export const serveCommand: Command = {
  name: "serve",
  usage,
  async run(args) {
    const options = parse(args);
    const dir = resolve(options.dir);
    if (!existsSync(dir)) {
      throw new UsageError(
        `no such directory: ${dir}. Give a Hugging Face model directory, e.g. a train stage's model/ folder under .atune/cache/`,
      );
    }
    if (!statSync(dir).isDirectory()) {
      throw new UsageError(
        `${dir} is a file; give the directory that holds config.json, the weights and tokenizer.json`,
      );
    }
    const apiKey = readApiKey(options.apiKeyEnv);

    let gpu: Awaited<ReturnType<typeof openGpu>>;
    try {
      gpu = await openGpu();
    } catch (error) {
      if (!(error instanceof NoAdapterError)) throw error;
      console.error(`atune serve: ${error.message}`);
      return EXIT_FAILURE;
    }
    let server: Awaited<ReturnType<typeof startServer>>;
    try {
      server = await startServer({
        modelDir: dir,
        gpu,
        host: options.host,
        port: options.port,
        modelName: options.modelName,
        maxBatch: options.maxBatch,
        defaultMaxTokens: options.maxTokens,
        apiKey,
      });
    } catch (error) {
      gpu.destroy();
      if (error instanceof ModelFileError || error instanceof ServeConfigError) {
        console.error(`atune serve: ${error.message}`);
        return EXIT_FAILURE;
      }
      throw error;
    }
    console.log(
      `Serving '${server.modelName}' from ${dir} at ${server.url} ` +
        `(context ${server.contextLength} tokens, batches of up to ${options.maxBatch}${apiKey ? `, key from $${options.apiKeyEnv}` : ""}). Ctrl-C stops.`,
    );
    await stopSignal();
    console.log("Stopping: finishing the requests in flight…");
    await server.close();
    gpu.destroy();
    const stats = server.stats();
    console.log(`Stopped after ${stats.requests} requests in ${stats.batches} batches.`);
    return EXIT_OK;
  },
};

/** Resolves on the first SIGINT or SIGTERM; a second one exits at once. */
function stopSignal(): Promise<void> {
  return new Promise((resolve) => {
    const onSignal = () => {
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
      process.once("SIGINT", () => process.exit(EXIT_FAILURE));
      process.once("SIGTERM", () => process.exit(EXIT_FAILURE));
      resolve();
    };
    process.on("SIGINT", onSignal);
    process.on("SIGTERM", onSignal);
  });
}
