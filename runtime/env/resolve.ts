import { builtinEnvironments, findEnvironment } from "./registry.ts";
import type { Environment } from "./types.ts";

/** Loads a built-in family or a user module's exported Environment, with errors that say how to fix. */
export async function resolveEnvironment(
  ref: { builtin: string } | { module: { path: string; export: string } },
): Promise<Environment> {
  if ("builtin" in ref) {
    const env = findEnvironment(ref.builtin);
    if (!env) {
      const names = builtinEnvironments.map((e) => e.family).join(", ");
      throw new Error(`no built-in environment '${ref.builtin}'; the built-in families are: ${names}`);
    }
    return env;
  }
  const { path, export: name } = ref.module;
  let mod: Record<string, unknown>;
  try {
    mod = await import(path);
  } catch (error) {
    throw new Error(`could not load the environment module ${path}: ${(error as Error).message}`);
  }
  const env = mod[name] as Environment | undefined;
  if (!env || typeof env !== "object" || typeof env.tasks !== "function" || typeof env.open !== "function") {
    const exported = Object.keys(mod).join(", ") || "nothing";
    throw new Error(`${path} has no exported Environment named '${name}' (it exports: ${exported})`);
  }
  return env;
}
