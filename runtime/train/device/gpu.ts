/**
 * The one place that owns the WebGPU device: adapter choice, limits, features, buffer pool, pipeline
 * cache, uploads and downloads, and shutdown.
 *
 * Usage:
 *   const gpu = await openGpu();            // ATUNE_ADAPTER picks the adapter
 *   const x = gpu.upload(new Float32Array(…));
 *   const step = gpu.step();                // kernels record into step
 *   matmul(step, {…});
 *   await step.submit();
 *   const y = await gpu.download(out, n);
 *   gpu.destroy();                          // lets the Node process exit
 *
 * Lifetime: `destroy()` destroys the device and every pooled buffer; a script that calls it exits on
 * its own (checked by tests/train/device). The Dawn instance itself is never released (see
 * `dawnInstance`: collecting one crashes Dawn).
 */
import {
  type AdapterEntry,
  dawnInstance,
  installWebGpuGlobals,
  listAdapters,
  NoAdapterError,
  noAdapterMessage,
  selectAdapter,
} from "./adapters.ts";
import { PipelineCache } from "./pipelines.ts";
import { BufferPool } from "./pool.ts";
import { Step } from "./step.ts";

export interface GpuOptions {
  /** Adapter selector (index or part of the name); default: the ATUNE_ADAPTER environment variable. */
  adapter?: string;
  /** Error scopes around each step and WGSL compile messages; default: ATUNE_GPU_DEBUG=1 or under vitest. */
  debug?: boolean;
  /** Ask for `timestamp-query` so steps can be profiled (ignored when the adapter lacks it). */
  timestamps?: boolean;
}

/** Limits requested at their adapter maximum: training wants the largest buffers it can get. */
const MAXED_LIMITS = [
  "maxBufferSize",
  "maxStorageBufferBindingSize",
  "maxStorageBuffersPerShaderStage",
  "maxComputeWorkgroupStorageSize",
  "maxComputeInvocationsPerWorkgroup",
  "maxComputeWorkgroupSizeX",
  "maxComputeWorkgroupSizeY",
  "maxComputeWorkgroupSizeZ",
  "maxComputeWorkgroupsPerDimension",
] as const;

export class Gpu {
  readonly pool: BufferPool;
  readonly pipelines: PipelineCache;
  readonly hasF16: boolean;
  readonly hasTimestamps: boolean;
  /** Uncaptured WebGPU errors seen so far (outside debug error scopes). */
  readonly errors: string[] = [];
  private instance: GPU | undefined;
  private destroyed = false;

  constructor(
    instance: GPU,
    readonly device: GPUDevice,
    readonly adapterInfo: AdapterEntry & { description: string },
    readonly debug: boolean,
  ) {
    this.instance = instance;
    this.pool = new BufferPool(device);
    this.pipelines = new PipelineCache(device, debug);
    this.hasF16 = device.features.has("shader-f16");
    this.hasTimestamps = device.features.has("timestamp-query");
    device.onuncapturederror = (event) => {
      const message = (event as GPUUncapturedErrorEvent).error.message;
      this.errors.push(message);
      console.error(`WebGPU error (uncaptured): ${message}`);
    };
    void device.lost.then((info) => {
      if (info.reason !== "destroyed") {
        this.errors.push(`device lost: ${info.message}`);
        console.error(`WebGPU device lost: ${info.message}`);
      }
    });
  }

  get limits(): GPUSupportedLimits {
    return this.device.limits;
  }

  /** A new recorder: kernels record into it, `submit()` sends it all in one command buffer. */
  step(options: { profile?: boolean; label?: string } = {}): Step {
    this.assertAlive();
    const profile = options.profile === true;
    if (profile && !this.hasTimestamps) {
      throw new Error(
        "Profiling needs the 'timestamp-query' feature: open the device with openGpu({ timestamps: true }) " +
          "on an adapter that has it.",
      );
    }
    return new Step(this, profile, options.label);
  }

  /** A storage buffer of `bytes` bytes from the pool (contents undefined; give it back with `release`). */
  buffer(bytes: number, label = "tensor"): GPUBuffer {
    this.assertAlive();
    this.assertFits(bytes, label);
    const usage = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST;
    return this.pool.acquire(bytes, usage, label);
  }

  /** A storage buffer holding `data`. */
  upload(data: Float32Array | Uint32Array | Int32Array, label = "tensor"): GPUBuffer {
    const buffer = this.buffer(Math.max(4, data.byteLength), label);
    this.write(buffer, data);
    return buffer;
  }

  write(buffer: GPUBuffer, data: Float32Array | Uint32Array | Int32Array, byteOffset = 0): void {
    this.assertAlive();
    this.device.queue.writeBuffer(buffer, byteOffset, data.buffer, data.byteOffset, data.byteLength);
  }

  /** Reads `count` f32 values from `buffer` (after all submitted work). */
  async download(buffer: GPUBuffer, count: number, elementOffset = 0): Promise<Float32Array> {
    return new Float32Array(await this.readBytes(buffer, elementOffset * 4, count * 4));
  }

  async downloadU32(buffer: GPUBuffer, count: number, elementOffset = 0): Promise<Uint32Array> {
    return new Uint32Array(await this.readBytes(buffer, elementOffset * 4, count * 4));
  }

  /** Removes and returns the uncaptured errors seen so far. */
  takeErrors(): string[] {
    return this.errors.splice(0, this.errors.length);
  }

  release(buffer: GPUBuffer): void {
    if (!this.destroyed) this.pool.release(buffer);
  }

  /** Destroys the device and every pooled buffer. Safe to call twice. */
  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.pool.destroyAll();
    this.device.onuncapturederror = null;
    this.device.destroy();
    this.instance = undefined;
  }

  get isDestroyed(): boolean {
    return this.destroyed && this.instance === undefined;
  }

  private async readBytes(buffer: GPUBuffer, byteOffset: number, bytes: number): Promise<ArrayBuffer> {
    this.assertAlive();
    const size = Math.max(4, Math.ceil(bytes / 4) * 4);
    const staging = this.pool.acquire(size, GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST, "readback");
    const encoder = this.device.createCommandEncoder({ label: "readback" });
    encoder.copyBufferToBuffer(buffer, byteOffset, staging, 0, size);
    this.device.queue.submit([encoder.finish()]);
    await staging.mapAsync(GPUMapMode.READ, 0, size);
    const copy = staging.getMappedRange(0, size).slice(0, bytes);
    staging.unmap();
    this.pool.release(staging);
    return copy;
  }

  private assertFits(bytes: number, label: string): void {
    const max = Math.min(this.limits.maxBufferSize, this.limits.maxStorageBufferBindingSize);
    if (bytes > max) {
      throw new Error(
        `Buffer '${label}' needs ${bytes} bytes; this adapter binds at most ${max} bytes per storage buffer. ` +
          "Use a smaller batch or sequence length, or split the tensor.",
      );
    }
  }

  private assertAlive(): void {
    if (this.destroyed) throw new Error("This Gpu was destroyed; open a new one with openGpu().");
  }
}

/** Opens the adapter ATUNE_ADAPTER names (or the first one) with maxed limits and useful features. */
export async function openGpu(options: GpuOptions = {}): Promise<Gpu> {
  installWebGpuGlobals();
  const selector = options.adapter ?? process.env.ATUNE_ADAPTER;
  const debug = options.debug ?? (process.env.ATUNE_GPU_DEBUG === "1" || process.env.VITEST === "true");
  const entries = await listAdapters();
  const chosen = selectAdapter(entries, selector);
  const instance = dawnInstance([`adapter=${chosen.name}`]);
  let adapter: GPUAdapter | null;
  try {
    adapter = await instance.requestAdapter({ powerPreference: "high-performance" });
  } catch (error) {
    throw new NoAdapterError(`${noAdapterMessage()}\n(Dawn said: ${(error as Error).message})`);
  }
  if (!adapter) throw new NoAdapterError(noAdapterMessage());

  const requiredLimits: Record<string, number> = {};
  for (const name of MAXED_LIMITS) requiredLimits[name] = adapter.limits[name];
  const requiredFeatures: GPUFeatureName[] = [];
  if (adapter.features.has("shader-f16")) requiredFeatures.push("shader-f16");
  if (options.timestamps && adapter.features.has("timestamp-query")) requiredFeatures.push("timestamp-query");
  const device = await adapter.requestDevice({ requiredLimits, requiredFeatures, label: "atune" });
  return new Gpu(instance, device, { ...chosen, description: adapter.info.description }, debug);
}
