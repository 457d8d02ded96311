/** Messages between the parent (host.ts) and the SQL worker process (host-worker.ts). */
import type { Cell } from "./tasks.ts";

export type HostRequest =
  | { id: number; op: "open"; handle: string; bytes: Uint8Array }
  | { id: number; op: "exec"; handle: string; sql: string; maxRows: number; maxBytes: number }
  | { id: number; op: "dump"; handle: string }
  | { id: number; op: "close"; handle: string };

export type ExecReply =
  | { kind: "rows"; columns: string[]; rows: Cell[][]; more: boolean; snapshot?: Uint8Array }
  | { kind: "changes"; changes: number; snapshot?: Uint8Array }
  | { kind: "error"; message: string }
  /** The change would make the database larger than maxBytes; the worker's copy must be reopened. */
  | { kind: "too-large"; bytes: number };

export type HostReply =
  | { id: number; ok: true; exec?: ExecReply; dump?: Record<string, string[]> }
  | { id: number; ok: false; message: string };

/** The worker's error message when it holds no database under a handle. */
export const NOT_OPEN = "no open database";
