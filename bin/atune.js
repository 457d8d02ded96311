#!/usr/bin/env node
// The `atune` command. The sources are TypeScript; tsx compiles them on load so no build step is needed.
import { register } from "tsx/esm/api";

register();
const { main } = await import("../cli/main.ts");
process.exitCode = await main(process.argv.slice(2));
