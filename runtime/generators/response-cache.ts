/**
 * A content-addressed cache of model replies, so a rerun after a crash (or an unchanged recipe)
 * never pays for the same request twice.
 *
 * The key hashes what decides the reply — endpoint, model, messages, tools, sampling options, the
 * task and the sample index — and nothing else: never the API key, which is not part of the request body
 * and is never passed here. Each entry is one JSON file, `<dir>/<2 hex>/<key>.json`, written to a
 * temporary file and renamed into place, so a crash mid-write leaves either no entry or a whole one.
 */
import { createHash } from "node:crypto";
import {
  closeSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  writeSync,
} from "node:fs";
import { dirname, join } from "node:path";

/** Everything that determines a reply. */
export interface ResponseKeyParts {
  baseURL: string;
  model: string;
  messages: unknown[];
  /** Tools offered to the model (function-calling environments), if any. */
  tools?: unknown[];
  /** temperature, top_p, max_tokens, stop, seed … as sent. */
  sampling: Record<string, unknown>;
  /**
   * The task the episode is for. Tasks whose prompts happen to coincide still get their own
   * samples, and which sample a task gets does not depend on the order episodes ran in — so a
   * resumed run that skips finished tasks reads back exactly what each remaining task got before.
   */
  taskId: string;
  /**
   * Which sample of this exact request for this task this is: the n-th asking gets index n, so
   * several samples at temperature > 0 stay distinct instead of all reading the first one.
   */
  sampleIndex: number;
}

export interface CachedReply {
  /** The reply as the agent loop sees it (tool calls already rendered as an action). */
  text: string;
  finishReason: string;
  promptTokens?: number;
  completionTokens?: number;
}

export interface ResponseCacheStats {
  hits: number;
  misses: number;
  writes: number;
  /** Entries that could not be read back (truncated, edited, wrong key): ignored and rewritten. */
  corrupt: number;
  /** Entries that could not be written (disk full, permissions): the reply is still used. */
  writeErrors: number;
}

const entryFormat = "atune-response/1";

/** Hex SHA-256 of the key parts in a canonical JSON form (object keys sorted, undefined dropped). */
export function responseKey(parts: ResponseKeyParts): string {
  const normalised = { ...parts, baseURL: parts.baseURL.replace(/\/+$/, "") };
  return createHash("sha256").update(canonicalJson(normalised)).digest("hex");
}

export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, item) =>
    item !== null && typeof item === "object" && !Array.isArray(item)
      ? Object.fromEntries(
          Object.keys(item)
            .sort()
            .map((name) => [name, item[name]]),
        )
      : item,
  );
}

export class ResponseCache {
  readonly stats: ResponseCacheStats = { hits: 0, misses: 0, writes: 0, corrupt: 0, writeErrors: 0 };

  /** `warn` receives one line per ignored or unwritable entry. */
  constructor(
    readonly dir: string,
    private readonly warn: (message: string) => void = (message) => process.emitWarning(message),
  ) {}

  fileFor(key: string): string {
    return join(this.dir, key.slice(0, 2), `${key}.json`);
  }

  get(key: string): CachedReply | undefined {
    const file = this.fileFor(key);
    let text: string;
    try {
      text = readFileSync(file, "utf8");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") {
        this.corrupted(file, (error as Error).message);
      } else {
        this.stats.misses++;
      }
      return undefined;
    }
    const problem = entryProblem(text, key);
    if (typeof problem === "string") {
      this.corrupted(file, problem);
      return undefined;
    }
    this.stats.hits++;
    return problem.reply;
  }

  put(key: string, reply: CachedReply): void {
    const file = this.fileFor(key);
    const entry = { format: entryFormat, key, reply };
    try {
      mkdirSync(dirname(file), { recursive: true });
      writeAtomic(file, `${JSON.stringify(entry, null, 2)}\n`);
      this.stats.writes++;
    } catch (error) {
      this.stats.writeErrors++;
      this.warn(
        `could not write response cache entry ${file}: ${(error as Error).message}; ` +
          "the reply is used but a rerun will request it again (check the disk space and permissions of the cache directory)",
      );
    }
  }

  private corrupted(file: string, why: string): void {
    this.stats.corrupt++;
    this.stats.misses++;
    this.warn(
      `ignoring corrupt response cache entry ${file} (${why}); it will be requested again and rewritten`,
    );
  }
}

/** A readable entry for `key`, or a description of what is wrong with the file. */
function entryProblem(text: string, key: string): string | { reply: CachedReply } {
  let entry: any;
  try {
    entry = JSON.parse(text);
  } catch {
    return "not valid JSON";
  }
  if (entry === null || typeof entry !== "object") return "not a JSON object";
  if (entry.format !== entryFormat) return `unknown format ${JSON.stringify(entry.format)}`;
  if (entry.key !== key) return "its key does not match its file name";
  const reply = entry.reply;
  if (reply === null || typeof reply !== "object" || typeof reply.text !== "string") return "no reply text";
  if (typeof reply.finishReason !== "string") return "no finish reason";
  return { reply };
}

function writeAtomic(file: string, text: string): void {
  const temp = `${file}.tmp-${process.pid}-${Math.random().toString(36).slice(2)}`;
  const fd = openSync(temp, "wx");
  try {
    const bytes = Buffer.from(text, "utf8");
    let written = 0;
    while (written < bytes.length) written += writeSync(fd, bytes, written, bytes.length - written);
    fsyncSync(fd);
  } catch (error) {
    closeSync(fd);
    rmSync(temp, { force: true });
    throw error;
  }
  closeSync(fd);
  try {
    renameSync(temp, file);
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  }
}
