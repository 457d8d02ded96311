/**
 * Retry policy for HTTP generators: which failures are worth another try, and how long to wait.
 * Kept free of I/O (the clock and the random source are passed in) so tests never sleep.
 */

/** Failures that are retried: the server or the network may do better on the next try. */
export type RetryCause =
  | "rate_limit" // 429
  | "server_error" // 5xx, 409
  | "timeout" // no complete answer within timeoutMs (or 408)
  | "connection" // refused, reset or dropped connection
  | "malformed_response" // a 200 whose body is not a usable Chat Completions response
  | "empty_reply"; // a well-formed reply with neither text nor tool calls

export const retryCauses: readonly RetryCause[] = [
  "rate_limit",
  "server_error",
  "timeout",
  "connection",
  "malformed_response",
  "empty_reply",
];

export interface BackoffOptions {
  /** The cap of the first wait; each retry doubles it. */
  baseMs: number;
  /** No computed wait exceeds this. */
  maxMs: number;
}

/** The longest server-requested wait (Retry-After) honoured; longer requests are cut to this. */
export const maxRetryAfterMs = 120_000;

/**
 * "Full jitter" exponential backoff: a uniform wait in [0, min(maxMs, baseMs · 2^retry)). Spreading
 * waits over the whole interval keeps many concurrent sessions from retrying in lockstep.
 * `retry` counts from 0 (the wait before the first retry); `random` returns values in [0, 1).
 */
export function backoffDelay(retry: number, backoff: BackoffOptions, random: () => number): number {
  const ceiling = Math.min(backoff.maxMs, backoff.baseMs * 2 ** retry);
  return Math.floor(random() * ceiling);
}

/**
 * The wait a server asked for, in milliseconds: `retry-after-ms` (OpenAI's, fractional
 * milliseconds) first, then `Retry-After` as seconds or an HTTP date. Undefined when neither header
 * is present or readable. Clamped to [0, maxRetryAfterMs].
 */
export function retryAfterMs(headers: Headers | undefined, now: number): number | undefined {
  if (!headers) return undefined;
  let wait: number | undefined;
  const millis = headers.get("retry-after-ms");
  if (millis !== null && millis.trim() !== "" && Number.isFinite(Number(millis))) {
    wait = Number(millis);
  }
  const after = headers.get("retry-after");
  if (wait === undefined && after !== null && after.trim() !== "") {
    if (Number.isFinite(Number(after))) wait = Number(after) * 1000;
    else {
      const date = Date.parse(after);
      if (!Number.isNaN(date)) wait = date - now;
    }
  }
  if (wait === undefined) return undefined;
  return Math.min(maxRetryAfterMs, Math.max(0, Math.ceil(wait)));
}
