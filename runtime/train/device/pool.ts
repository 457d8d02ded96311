/**
 * Buffer pool: buffers are reused by (usage, size class). A size class rounds a request up to the
 * next power of two split into 8 steps, so at most 12.5% of a buffer is slack. Kernels never depend
 * on a buffer's exact size (they take their shapes explicitly), so a pooled buffer may be larger
 * than asked for.
 */
export class BufferPool {
  private readonly free = new Map<string, GPUBuffer[]>();
  private readonly owned = new Set<GPUBuffer>();

  constructor(private readonly device: GPUDevice) {}

  static sizeClass(bytes: number): number {
    const size = Math.max(16, Math.ceil(bytes));
    const power = 2 ** Math.floor(Math.log2(size));
    const step = Math.max(16, power / 8);
    return Math.ceil(size / step) * step;
  }

  acquire(bytes: number, usage: GPUBufferUsageFlags, label = "pooled"): GPUBuffer {
    const size = BufferPool.sizeClass(bytes);
    const reusable = this.free.get(`${usage}:${size}`)?.pop();
    if (reusable) return reusable;
    const buffer = this.device.createBuffer({ size, usage, label });
    this.owned.add(buffer);
    return buffer;
  }

  /** Gives a buffer back for reuse. Work already submitted that uses it stays valid (queue order). */
  release(buffer: GPUBuffer): void {
    if (!this.owned.has(buffer)) {
      throw new Error(`BufferPool.release: buffer '${buffer.label}' was not acquired from this pool.`);
    }
    const key = `${buffer.usage}:${buffer.size}`;
    const list = this.free.get(key);
    if (list) list.push(buffer);
    else this.free.set(key, [buffer]);
  }

  /** Bytes held by the pool, in use or free. */
  get allocatedBytes(): number {
    let total = 0;
    for (const buffer of this.owned) total += buffer.size;
    return total;
  }

  destroyAll(): void {
    for (const buffer of this.owned) buffer.destroy();
    this.owned.clear();
    this.free.clear();
  }
}
