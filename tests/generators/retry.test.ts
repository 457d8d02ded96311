import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Limiter } from "../../runtime/generators/limiter.ts";
import { backoffDelay, maxRetryAfterMs, retryAfterMs } from "../../runtime/generators/retry.ts";

describe("backoffDelay (full jitter)", () => {
  const backoff = { baseMs: 100, maxMs: 1000 };

  it("stays within [0, min(max, base·2^retry)) for any retry and random draw", () => {
    fc.assert(
      fc.property(
        fc.nat(40),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (retry, draw) => {
          const delay = backoffDelay(retry, backoff, () => draw);
          const ceiling = Math.min(backoff.maxMs, backoff.baseMs * 2 ** retry);
          return Number.isInteger(delay) && delay >= 0 && delay < ceiling;
        },
      ),
    );
  });

  it("spreads over the whole interval: the draw decides the wait", () => {
    expect(backoffDelay(0, backoff, () => 0)).toBe(0);
    expect(backoffDelay(0, backoff, () => 0.5)).toBe(50);
    expect(backoffDelay(2, backoff, () => 0.5)).toBe(200);
    expect(backoffDelay(2, backoff, () => 0.25)).toBe(100);
    // Capped: 100·2^5 = 3200 > 1000.
    expect(backoffDelay(5, backoff, () => 0.999)).toBe(999);
  });
});

describe("retryAfterMs", () => {
  const headers = (entries: Record<string, string>) => new Headers(entries);
  const now = Date.parse("2026-01-01T00:00:00Z");

  it("reads retry-after-ms first, then Retry-After as seconds or an HTTP date", () => {
    expect(retryAfterMs(headers({ "retry-after-ms": "150.5", "retry-after": "9" }), now)).toBe(151);
    expect(retryAfterMs(headers({ "retry-after": "2" }), now)).toBe(2000);
    expect(retryAfterMs(headers({ "retry-after": "Thu, 01 Jan 2026 00:00:03 GMT" }), now)).toBe(3000);
  });

  it("is undefined without a readable header and clamps to [0, max]", () => {
    expect(retryAfterMs(undefined, now)).toBeUndefined();
    expect(retryAfterMs(headers({}), now)).toBeUndefined();
    expect(retryAfterMs(headers({ "retry-after": "soon" }), now)).toBeUndefined();
    expect(retryAfterMs(headers({ "retry-after": "-5" }), now)).toBe(0);
    expect(retryAfterMs(headers({ "retry-after": "Wed, 31 Dec 2025 23:59:00 GMT" }), now)).toBe(0);
    expect(retryAfterMs(headers({ "retry-after": "86400" }), now)).toBe(maxRetryAfterMs);
  });
});

describe("Limiter", () => {
  it("never runs more than its limit at once and runs every task", async () => {
    const limiter = new Limiter(3);
    let active = 0;
    let peak = 0;
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        limiter.run(async () => {
          active++;
          peak = Math.max(peak, active);
          await new Promise((resolve) => setTimeout(resolve, i % 3));
          active--;
          return i;
        }),
      ),
    );
    expect(results).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(peak).toBe(3);
  });

  it("frees the slot when a task throws", async () => {
    const limiter = new Limiter(1);
    await expect(limiter.run(async () => Promise.reject(new Error("boom")))).rejects.toThrow("boom");
    expect(await limiter.run(async () => "next")).toBe("next");
  });

  it("rejects a limit below 1", () => {
    expect(() => new Limiter(0)).toThrow(/at least 1/);
  });
});
