/**
 * The SQL worker: a child process that holds the episodes' database copies and runs agent SQL.
 * It lives in its own process so that a statement that never ends (a recursive CTE without a
 * bound, a huge cross join under an aggregate) can be stopped by killing it: better-sqlite3 has no
 * interrupt, and a worker thread stuck in native code cannot be terminated.
 */
import Database from "better-sqlite3";
import type { ExecReply, HostReply, HostRequest } from "./host-protocol.ts";
import { NOT_OPEN } from "./host-protocol.ts";
import { tableContents } from "./reference.ts";
import type { Cell } from "./tasks.ts";

const databases = new Map<string, Database.Database>();

function displayCell(cell: unknown): Cell {
  if (typeof cell === "bigint") return Number(cell);
  if (cell instanceof Uint8Array) return `<blob, ${cell.length} bytes>`;
  return cell as Cell;
}

function open(bytes: Uint8Array): Database.Database {
  const db = new Database(Buffer.from(bytes));
  // Schema code (views, triggers) may not call functions with side effects.
  db.pragma("trusted_schema = OFF");
  return db;
}

function exec(db: Database.Database, sql: string, maxRows: number, maxBytes: number): ExecReply {
  let statement: Database.Statement;
  try {
    statement = db.prepare(sql);
  } catch (error) {
    return { kind: "error", message: (error as Error).message };
  }
  try {
    const snapshotIfChanged = () => (statement.readonly ? undefined : new Uint8Array(db.serialize()));
    const tooLarge = (snapshot: Uint8Array | undefined): ExecReply | undefined =>
      snapshot && snapshot.length > maxBytes ? { kind: "too-large", bytes: snapshot.length } : undefined;
    if (statement.reader) {
      const columns = statement.columns().map((c) => c.name);
      const rows: Cell[][] = [];
      let more = false;
      for (const row of statement.raw(true).iterate() as IterableIterator<unknown[]>) {
        if (rows.length === maxRows) {
          more = true;
          break;
        }
        rows.push(row.map(displayCell));
      }
      const snapshot = snapshotIfChanged();
      return tooLarge(snapshot) ?? { kind: "rows", columns, rows, more, snapshot };
    }
    const info = statement.run();
    const snapshot = snapshotIfChanged();
    return tooLarge(snapshot) ?? { kind: "changes", changes: info.changes, snapshot };
  } catch (error) {
    return { kind: "error", message: (error as Error).message };
  }
}

function handle(request: HostRequest): HostReply {
  const id = request.id;
  if (request.op === "open") {
    databases.get(request.handle)?.close();
    databases.set(request.handle, open(request.bytes));
    return { id, ok: true };
  }
  const db = databases.get(request.handle);
  if (!db) return { id, ok: false, message: `${NOT_OPEN} '${request.handle}'` };
  switch (request.op) {
    case "exec":
      return { id, ok: true, exec: exec(db, request.sql, request.maxRows, request.maxBytes) };
    case "dump":
      return { id, ok: true, dump: tableContents(db) };
    case "close":
      db.close();
      databases.delete(request.handle);
      return { id, ok: true };
  }
}

process.on("message", (request: HostRequest) => {
  let reply: HostReply;
  try {
    reply = handle(request);
  } catch (error) {
    reply = { id: request.id, ok: false, message: (error as Error).message };
  }
  process.send?.(reply);
});
// The parent went away: nothing left to serve.
process.on("disconnect", () => process.exit(0));
