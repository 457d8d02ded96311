/**
 * Per-stage progress: a live line on a terminal (done/total, rate, ETA), and on anything else
 * (CI logs, pipes) a line when a stage starts and ends and at most one a minute in between, so
 * logs stay readable and an hour-long training still shows how far it is.
 */
export interface Progress {
  /** Declares the amount of work, e.g. (300, "episodes"). */
  start(total: number, unit: string): void;
  /** Marks `n` more units done; `note` is shown beside the bar (e.g. "loss 1.23"). */
  advance(n?: number, note?: string): void;
  finish(summary?: string): void;
}

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return "--:--";
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = String(s % 60).padStart(2, "0");
  return h > 0 ? `${h}:${String(m).padStart(2, "0")}:${rest}` : `${m}:${rest}`;
}

export function createProgress(
  label: string,
  stream: NodeJS.WriteStream = process.stderr,
  options: { logEverySeconds?: number } = {},
): Progress {
  const live = stream.isTTY === true;
  const logEvery = (options.logEverySeconds ?? 60) * 1000;
  let lastLog = 0;
  let total = 0;
  let unit = "";
  let done = 0;
  let note = "";
  let began = performance.now();
  let lastDraw = 0;

  const status = (now: number) => {
    const seconds = (now - began) / 1000;
    const rate = seconds > 0 ? done / seconds : 0;
    const eta = rate > 0 ? (total - done) / rate : Number.POSITIVE_INFINITY;
    return `${done}/${total} ${unit} ${rate.toFixed(1)}/s ETA ${formatDuration(eta)}${note ? ` ${note}` : ""}`;
  };

  const draw = (force = false) => {
    const now = performance.now();
    if (!live) {
      if (!force && now - lastLog >= logEvery && done < total) {
        lastLog = now;
        stream.write(`${label}: ${status(now)}\n`);
      }
      return;
    }
    if (!force && now - lastDraw < 100) return;
    lastDraw = now;
    const width = 24;
    const filled = total > 0 ? Math.min(width, Math.round((done / total) * width)) : 0;
    const bar = `${"█".repeat(filled)}${"░".repeat(width - filled)}`;
    stream.write(`\r\x1b[2K${label} ${bar} ${status(now)}`);
  };

  return {
    start(amount, what) {
      total = amount;
      unit = what;
      done = 0;
      began = performance.now();
      lastLog = began;
      if (!live) stream.write(`${label}: ${amount} ${what}\n`);
      draw(true);
    },
    advance(n = 1, text) {
      done += n;
      if (text !== undefined) note = text;
      draw();
    },
    finish(summary) {
      const seconds = (performance.now() - began) / 1000;
      if (live) stream.write("\r\x1b[2K");
      stream.write(`${label}: done in ${formatDuration(seconds)}${summary ? ` — ${summary}` : ""}\n`);
    },
  };
}
