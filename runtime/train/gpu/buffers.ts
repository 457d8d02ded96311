/**
 * Named sets of pooled GPU buffers that live and die together (a batch's inputs, the activations of
 * one batch shape, a KV cache). `release()` gives every buffer back to the device's pool.
 */
import type { Gpu } from "../device/gpu.ts";

export class BufferSet {
  private readonly owned: GPUBuffer[] = [];

  constructor(readonly gpu: Gpu) {}

  /** A buffer of `elements` 4-byte values (contents undefined). */
  f32(elements: number, label: string): GPUBuffer {
    const buffer = this.gpu.buffer(Math.max(1, elements) * 4, label);
    this.owned.push(buffer);
    return buffer;
  }

  /** A buffer holding `data`. */
  upload(data: Float32Array | Uint32Array, label: string): GPUBuffer {
    const buffer = this.gpu.upload(data.length > 0 ? data : new Uint32Array(1), label);
    this.owned.push(buffer);
    return buffer;
  }

  release(): void {
    for (const buffer of this.owned.splice(0)) this.gpu.release(buffer);
  }
}
