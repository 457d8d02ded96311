import { describe, expect, it } from "vitest";
import { createProgress, formatDuration } from "../../runtime/executor/progress.ts";

/** A stream that records what is written; a log file or a pipe unless `isTTY`. */
function recorder(isTTY: boolean): { stream: NodeJS.WriteStream; text: () => string } {
  const chunks: string[] = [];
  const stream = {
    isTTY,
    write(chunk: string) {
      chunks.push(chunk);
      return true;
    },
  } as unknown as NodeJS.WriteStream;
  return { stream, text: () => chunks.join("") };
}

describe("stage progress", () => {
  it("in a log: a line at the start, at most one per interval in between, and one at the end", () => {
    const { stream, text } = recorder(false);
    const progress = createProgress("train.tuned", stream, { logEverySeconds: 0 });
    progress.start(3, "steps");
    progress.advance(1, "loss 2.50");
    progress.advance(1, "loss 1.75");
    progress.advance(1, "loss 1.20");
    progress.finish("final loss 1.20");
    const lines = text().trimEnd().split("\n");
    expect(lines[0]).toBe("train.tuned: 3 steps");
    expect(lines[1]).toMatch(/^train\.tuned: 1\/3 steps [\d.]+\/s ETA \S+ loss 2\.50$/);
    expect(lines[2]).toMatch(/^train\.tuned: 2\/3 steps .* loss 1\.75$/);
    expect(lines[3]).toMatch(/^train\.tuned: done in 0:00 — final loss 1\.20$/);
    expect(lines).toHaveLength(4);
    expect(text()).not.toContain("\r");
  });

  it("in a log with the default interval: nothing between start and end of a quick stage", () => {
    const { stream, text } = recorder(false);
    const progress = createProgress("collect.agent", stream);
    progress.start(100, "episodes");
    for (let i = 0; i < 100; i++) progress.advance();
    progress.finish();
    expect(text()).toBe("collect.agent: 100 episodes\ncollect.agent: done in 0:00\n");
  });

  it("on a terminal: one live line redrawn in place", () => {
    const { stream, text } = recorder(true);
    const progress = createProgress("eval.compare", stream);
    progress.start(2, "episodes");
    progress.finish("2/2 successful");
    expect(text()).toContain("\r\x1b[2Keval.compare ");
    expect(text().endsWith("eval.compare: done in 0:00 — 2/2 successful\n")).toBe(true);
    expect(formatDuration(3725)).toBe("1:02:05");
  });
});
