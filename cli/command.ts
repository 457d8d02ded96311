/**
 * One `atune` sub-command. Each lives in its own file under cli/commands/ and is listed, with its
 * one-line summary, in cli/main.ts, which loads it only when it is called.
 */
export interface Command {
  name: string;
  /** Full usage text for `atune <name> --help`. */
  usage: string;
  /** Returns the process exit code: 0 ok, 1 diagnostics or failure, 2 usage error. */
  run(args: string[]): Promise<number>;
}

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

/** A mistake in how the command was called; printed with the usage, exit code 2. */
export class UsageError extends Error {}
