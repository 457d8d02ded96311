/**
 * The sha256 of a file, read in chunks so a model's multi-gigabyte safetensors never has to fit
 * in memory at once (a whole-file read also stops at Node's 2 GiB buffer limit).
 */
import { createHash } from "node:crypto";
import { closeSync, openSync, readSync, statSync } from "node:fs";

const CHUNK_BYTES = 4 << 20;

/** The file's sha256 (hex), or null when there is no such file. */
export function hashFile(path: string): string | null {
  try {
    if (!statSync(path).isFile()) return null;
  } catch {
    return null;
  }
  const fd = openSync(path, "r");
  try {
    const hash = createHash("sha256");
    const buffer = Buffer.allocUnsafe(CHUNK_BYTES);
    for (;;) {
      const read = readSync(fd, buffer, 0, CHUNK_BYTES, null);
      if (read === 0) break;
      hash.update(buffer.subarray(0, read));
    }
    return hash.digest("hex");
  } finally {
    closeSync(fd);
  }
}
