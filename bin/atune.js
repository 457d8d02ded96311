#!/usr/bin/env node
// The `atune` command. The sources are TypeScript; tsx compiles them on load so no build step is needed.
import { register } from "tsx/esm/api";

// `atune … | head` closes the pipe early: that is not an error.
for (const stream of [process.stdout, process.stderr]) {
  stream.on("error", (error) => {
    if (error.code === "EPIPE") process.exit(process.exitCode ?? 0);
    throw error;
  });
}

register();
const { main } = await import("../cli/main.ts");
process.exitCode = await main(process.argv.slice(2));
