/**
 * The parent side of the SQL worker process. One worker serves every db episode of this process,
 * one request at a time, each under a timeout. When a statement runs past it, the worker is killed
 * and a new one is started on the next request; each episode keeps a snapshot of its database as
 * of its last completed change, so it is reopened exactly as it was before the runaway statement.
 */
import { type ChildProcess, fork } from "node:child_process";
import { createRequire } from "node:module";
import { fileURLToPath, pathToFileURL } from "node:url";
import { type ExecReply, type HostReply, type HostRequest, NOT_OPEN } from "./host-protocol.ts";

/** The statement (or the worker) did not answer in time; the worker was killed. */
export class StatementTimeout extends Error {}

/** The worker died while it worked on a request (out of memory, killed from outside …). */
export class WorkerStopped extends Error {}

/** An episode's database may not grow past this; a statement that would is undone. */
export const MAX_DATABASE_BYTES = 64 << 20;

type Pending = { worker: ChildProcess; resolve: (reply: HostReply) => void; reject: (error: Error) => void };

const workerPath = fileURLToPath(new URL("./host-worker.ts", import.meta.url));
// The worker is TypeScript too: load it through tsx, found from this package wherever atune runs.
const tsxLoader = pathToFileURL(createRequire(import.meta.url).resolve("tsx/esm")).href;

// Distributive, so each request variant keeps its own fields.
type Unsent<T> = T extends unknown ? Omit<T, "id"> : never;

export class SqlHost {
  private worker: ChildProcess | undefined;
  private pending = new Map<number, Pending>();
  private nextId = 1;
  private queue: Promise<unknown> = Promise.resolve();
  /** Increases with every worker started; episodes reopen their copy when it changes. */
  generation = 0;

  get running(): boolean {
    return this.worker !== undefined;
  }

  /** The worker's process id, while one runs. */
  get pid(): number | undefined {
    return this.worker?.pid;
  }

  private start(): ChildProcess {
    const worker = fork(workerPath, [], {
      execArgv: ["--import", tsxLoader, "--max-old-space-size=256"],
      serialization: "advanced",
      stdio: ["ignore", "ignore", "inherit", "ipc"],
    });
    this.generation++;
    worker.on("message", (reply: HostReply) => {
      const waiter = this.pending.get(reply.id);
      this.pending.delete(reply.id);
      waiter?.resolve(reply);
      if (this.pending.size === 0) this.idle(worker);
    });
    worker.on("exit", (code, signal) => {
      if (this.worker === worker) this.worker = undefined;
      for (const [id, waiter] of this.pending) {
        if (waiter.worker !== worker) continue;
        this.pending.delete(id);
        waiter.reject(
          new WorkerStopped(`the SQL worker stopped unexpectedly (${signal ?? `exit code ${code}`})`),
        );
      }
    });
    worker.on("error", (error) => {
      // Could not start or signal the worker: fail what waits on it rather than the whole process.
      if (this.worker === worker) this.worker = undefined;
      for (const [id, waiter] of this.pending) {
        if (waiter.worker !== worker) continue;
        this.pending.delete(id);
        waiter.reject(new WorkerStopped(`the SQL worker failed: ${error.message}`));
      }
    });
    this.worker = worker;
    return worker;
  }

  /** Lets the process exit while the worker waits for work. */
  private idle(worker: ChildProcess): void {
    worker.unref();
    (worker.channel as { unref?: () => void } | undefined)?.unref?.();
  }

  private busy(worker: ChildProcess): void {
    worker.ref();
    (worker.channel as { ref?: () => void } | undefined)?.ref?.();
  }

  /** Sends one request after the previous ones finish; kills the worker if it takes longer than timeoutMs. */
  request(message: Unsent<HostRequest>, timeoutMs: number): Promise<HostReply> {
    const run = () =>
      new Promise<HostReply>((resolve, reject) => {
        const worker = this.worker ?? this.start();
        const id = this.nextId++;
        const timer = setTimeout(() => {
          this.pending.delete(id);
          reject(new StatementTimeout(`no answer within ${timeoutMs} ms`));
          this.stop();
        }, timeoutMs);
        this.pending.set(id, {
          worker,
          resolve: (reply) => {
            clearTimeout(timer);
            resolve(reply);
          },
          reject: (error) => {
            clearTimeout(timer);
            reject(error);
          },
        });
        this.busy(worker);
        worker.send({ ...message, id } as HostRequest);
      });
    const result = this.queue.then(run, run);
    this.queue = result.catch(() => undefined);
    return result;
  }

  /** Stops the worker (tests and benchmarks call this to leave no process behind). */
  stop(): void {
    this.worker?.kill("SIGKILL");
    this.worker = undefined;
  }
}

let shared: SqlHost | undefined;

export function sharedSqlHost(): SqlHost {
  shared ??= new SqlHost();
  return shared;
}

/** One episode's database in the worker: opened from a snapshot, re-opened after a worker restart. */
export class HostedDatabase {
  private loadedIn = -1;

  constructor(
    private readonly host: SqlHost,
    private readonly handle: string,
    /** The database as of the last completed change. */
    private snapshot: Uint8Array,
    private readonly timeoutMs: number,
  ) {}

  private async ensureLoaded(): Promise<void> {
    if (this.host.running && this.loadedIn === this.host.generation) return;
    // Opening is quick; the generous timeout covers starting a fresh worker process.
    const reply = await this.host.request({ op: "open", handle: this.handle, bytes: this.snapshot }, 30_000);
    if (!reply.ok) throw new Error(`could not open the episode database: ${reply.message}`);
    this.loadedIn = this.host.generation;
  }

  async exec(
    sql: string,
    maxRows: number,
  ): Promise<Exclude<ExecReply, { kind: "too-large" }> | { kind: "timeout" }> {
    await this.ensureLoaded();
    try {
      let reply = await this.host.request(
        { op: "exec", handle: this.handle, sql, maxRows, maxBytes: MAX_DATABASE_BYTES },
        this.timeoutMs,
      );
      if (!reply.ok && reply.message.startsWith(NOT_OPEN)) {
        // Another episode's runaway statement restarted the worker between our open and this exec.
        this.loadedIn = -1;
        await this.ensureLoaded();
        reply = await this.host.request(
          { op: "exec", handle: this.handle, sql, maxRows, maxBytes: MAX_DATABASE_BYTES },
          this.timeoutMs,
        );
      }
      if (!reply.ok) return { kind: "error", message: reply.message };
      const result = reply.exec!;
      if (result.kind === "too-large") {
        this.loadedIn = -1; // the worker's copy holds the change: reopen it from the last snapshot
        return {
          kind: "error",
          message: `the database would grow to ${(result.bytes / 2 ** 20).toFixed(0)} MB, past the ${MAX_DATABASE_BYTES / 2 ** 20} MB limit, so the statement was undone`,
        };
      }
      if (result.kind !== "error" && result.snapshot) this.snapshot = result.snapshot;
      return result;
    } catch (error) {
      if (error instanceof StatementTimeout) return { kind: "timeout" };
      // The statement most likely took the worker down (memory); the next one gets a fresh worker.
      if (error instanceof WorkerStopped) {
        return {
          kind: "error",
          message: `${error.message} while running this statement; the database is as it was before it`,
        };
      }
      throw error;
    }
  }

  async dump(): Promise<Record<string, string[]>> {
    await this.ensureLoaded();
    const reply = await this.host.request({ op: "dump", handle: this.handle }, 30_000);
    if (!reply.ok) throw new Error(`could not read the episode database: ${reply.message}`);
    return reply.dump!;
  }

  async close(): Promise<void> {
    if (!this.host.running || this.loadedIn !== this.host.generation) return;
    this.loadedIn = -1;
    await this.host.request({ op: "close", handle: this.handle }, 30_000).catch(() => undefined);
  }
}
