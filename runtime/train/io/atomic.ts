import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from "node:fs";
import { basename, dirname, join } from "node:path";

/**
 * Writes `parts` to `file` so that readers see either the old file or the complete new one: the
 * bytes go to a temporary file in the same directory, which is fsynced and then renamed over `file`.
 * If anything fails (including a part that throws while being produced) the temporary file is
 * removed and `file` is untouched.
 */
export function writeFileAtomic(file: string, parts: Iterable<Uint8Array | string>): void {
  const temp = join(
    dirname(file),
    `.${basename(file)}.tmp-${process.pid}-${Math.random().toString(36).slice(2)}`,
  );
  const fd = openSync(temp, "wx");
  let closed = false;
  try {
    for (const part of parts) {
      const bytes = typeof part === "string" ? Buffer.from(part, "utf8") : part;
      let written = 0;
      while (written < bytes.length) written += writeSync(fd, bytes, written, bytes.length - written);
    }
    fsyncSync(fd);
    closeSync(fd);
    closed = true;
    renameSync(temp, file);
  } catch (error) {
    if (!closed) closeSync(fd);
    rmSync(temp, { force: true });
    throw error;
  }
  syncDirectory(dirname(file));
}

/** Makes the rename durable; some platforms cannot open a directory for syncing, which is harmless. */
function syncDirectory(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, "r");
    fsyncSync(fd);
  } catch {
    // Directory fsync is not supported everywhere (e.g. Windows); the file itself is already synced.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

export function writeJsonAtomic(file: string, value: unknown): void {
  writeFileAtomic(file, [`${JSON.stringify(value, null, 2)}\n`]);
}
