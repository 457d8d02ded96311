/**
 * A Step records a sequence of kernel dispatches into one command encoder and submits them once.
 *
 * Kernels call `step.dispatch(...)`; nothing runs until `submit()`. Small per-dispatch parameters
 * (shapes, scalars) go into one uniform arena per step: each dispatch gets a 256-byte slot, and the
 * arena is written with `queue.writeBuffer` just before the submit (queue order makes that safe even
 * when the arena's buffers are reused by the next step). Without profiling, all dispatches share one
 * compute pass (Dawn inserts the barriers between dispatches); with profiling, each dispatch gets its
 * own pass with timestamp writes, and `timings()` reads them back.
 */
import type { Gpu } from "./gpu.ts";

/** A uniform value: a u32, i32 or f32 scalar, written in declaration order into the kernel's Params. */
export type Param = { u32: number } | { i32: number } | { f32: number };
export const u32 = (value: number): Param => ({ u32: value });
export const i32 = (value: number): Param => ({ i32: value });
export const f32 = (value: number): Param => ({ f32: value });

const SLOT_BYTES = 256;
const ARENA_BYTES = 64 * 1024;
const MAX_TIMED_DISPATCHES = 2048;

interface ArenaChunk {
  buffer: GPUBuffer;
  bytes: ArrayBuffer;
  used: number;
}

export interface DispatchTiming {
  label: string;
  ms: number;
}

export class Step {
  readonly encoder: GPUCommandEncoder;
  private pass: GPUComputePassEncoder | undefined;
  private readonly chunks: ArenaChunk[] = [];
  private readonly labels: string[] = [];
  private querySet: GPUQuerySet | undefined;
  private queryResolve: GPUBuffer | undefined;
  private queryRead: GPUBuffer | undefined;
  private submitted = false;
  dispatchCount = 0;

  constructor(
    readonly gpu: Gpu,
    private readonly profile: boolean,
    label = "step",
  ) {
    if (gpu.debug) {
      gpu.device.pushErrorScope("validation");
      gpu.device.pushErrorScope("out-of-memory");
    }
    this.encoder = gpu.device.createCommandEncoder({ label });
    if (profile) {
      this.querySet = gpu.device.createQuerySet({ type: "timestamp", count: 2 * MAX_TIMED_DISPATCHES });
    }
  }

  /**
   * Records one dispatch. `buffers` bind in order after the Params uniform (binding 0 when `params`
   * is non-empty, else the buffers start at binding 0).
   */
  dispatch(
    pipeline: GPUComputePipeline,
    buffers: GPUBuffer[],
    params: Param[],
    workgroups: [number, number?, number?],
  ): void {
    this.assertOpen();
    const [x, y = 1, z = 1] = workgroups;
    if (x === 0 || y === 0 || z === 0) return;
    const limit = this.gpu.limits.maxComputeWorkgroupsPerDimension;
    if (x > limit || y > limit || z > limit) {
      throw new Error(
        `Kernel '${pipeline.label}' needs ${x}×${y}×${z} workgroups; the adapter allows ${limit} per dimension.`,
      );
    }
    const entries: GPUBindGroupEntry[] = [];
    if (params.length > 0) entries.push({ binding: 0, resource: this.uniformSlot(params) });
    const first = entries.length;
    buffers.forEach((buffer, i) => {
      entries.push({ binding: first + i, resource: { buffer } });
    });
    const bindGroup = this.gpu.device.createBindGroup({
      label: pipeline.label,
      layout: pipeline.getBindGroupLayout(0),
      entries,
    });
    const pass = this.computePass(pipeline.label);
    pass.setPipeline(pipeline);
    pass.setBindGroup(0, bindGroup);
    pass.dispatchWorkgroups(x, y, z);
    if (this.profile) this.endPass();
    this.dispatchCount++;
  }

  /** Copies bytes between buffers, in order with the dispatches around it. */
  copy(src: GPUBuffer, srcOffset: number, dst: GPUBuffer, dstOffset: number, bytes: number): void {
    this.assertOpen();
    this.endPass();
    this.encoder.copyBufferToBuffer(src, srcOffset, dst, dstOffset, bytes);
  }

  /** Zeroes `bytes` bytes of a buffer (all of it by default); both must be multiples of 4. */
  clear(buffer: GPUBuffer, offset = 0, bytes?: number): void {
    this.assertOpen();
    this.endPass();
    this.encoder.clearBuffer(buffer, offset, bytes);
  }

  /**
   * Submits everything recorded. In debug mode, rejects with this step's first validation error;
   * otherwise rejects when WebGPU reported an uncaptured error since the last submit (so a broken
   * kernel cannot go on silently producing garbage; the error may belong to an earlier step).
   */
  async submit(): Promise<void> {
    this.assertOpen();
    this.endPass();
    this.submitted = true;
    const earlier = this.gpu.takeErrors();
    if (earlier.length > 0) {
      // Close the encoder before giving up on it: an encoder left open while its device is
      // destroyed crashed Dawn (abort or segfault at exit) in our tests.
      this.encoder.finish();
      this.querySet?.destroy();
      for (const chunk of this.chunks) this.gpu.pool.release(chunk.buffer);
      if (this.gpu.debug) await this.popErrorScopes();
      throw new Error(`WebGPU reported an error before this submit: ${earlier[0]}`);
    }
    if (this.querySet && this.labels.length > 0) {
      const bytes = this.labels.length * 16;
      this.queryResolve = this.gpu.pool.acquire(
        bytes,
        GPUBufferUsage.QUERY_RESOLVE | GPUBufferUsage.COPY_SRC,
        "timestamps",
      );
      this.queryRead = this.gpu.pool.acquire(
        bytes,
        GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST,
        "timestamps-read",
      );
      this.encoder.resolveQuerySet(this.querySet, 0, this.labels.length * 2, this.queryResolve, 0);
      this.encoder.copyBufferToBuffer(this.queryResolve, 0, this.queryRead, 0, bytes);
    }
    const queue = this.gpu.device.queue;
    for (const chunk of this.chunks) queue.writeBuffer(chunk.buffer, 0, chunk.bytes, 0, chunk.used);
    queue.submit([this.encoder.finish()]);
    for (const chunk of this.chunks) this.gpu.pool.release(chunk.buffer);
    if (this.gpu.debug) {
      const error = await this.popErrorScopes();
      if (error) throw new Error(`WebGPU rejected the recorded step: ${error.message}`);
    }
  }

  private async popErrorScopes(): Promise<GPUError | null> {
    const oom = await this.gpu.device.popErrorScope();
    const validation = await this.gpu.device.popErrorScope();
    return validation ?? oom;
  }

  /** Resolves when the GPU has finished this step's work. */
  async done(): Promise<void> {
    await this.gpu.device.queue.onSubmittedWorkDone();
  }

  /** Per-dispatch GPU times (profiling steps only), after submit. */
  async timings(): Promise<DispatchTiming[]> {
    if (!this.profile) throw new Error("Step.timings(): this step was not created with profiling on.");
    if (!this.submitted) throw new Error("Step.timings(): submit the step first.");
    const read = this.queryRead;
    if (!read) return [];
    await read.mapAsync(GPUMapMode.READ);
    const stamps = new BigInt64Array(read.getMappedRange().slice(0, this.labels.length * 16));
    read.unmap();
    this.gpu.pool.release(read);
    if (this.queryResolve) this.gpu.pool.release(this.queryResolve);
    this.querySet?.destroy();
    this.queryRead = undefined;
    return this.labels.map((label, i) => ({ label, ms: Number(stamps[2 * i + 1] - stamps[2 * i]) / 1e6 }));
  }

  private computePass(label: string): GPUComputePassEncoder {
    if (this.pass) return this.pass;
    if (this.querySet) {
      const index = this.labels.length;
      if (index >= MAX_TIMED_DISPATCHES) {
        throw new Error(`A profiled step can time at most ${MAX_TIMED_DISPATCHES} dispatches.`);
      }
      this.labels.push(label);
      this.pass = this.encoder.beginComputePass({
        label,
        timestampWrites: {
          querySet: this.querySet,
          beginningOfPassWriteIndex: 2 * index,
          endOfPassWriteIndex: 2 * index + 1,
        },
      });
    } else {
      this.pass = this.encoder.beginComputePass({ label: "kernels" });
    }
    return this.pass;
  }

  private endPass(): void {
    this.pass?.end();
    this.pass = undefined;
  }

  private uniformSlot(params: Param[]): GPUBufferBinding {
    if (params.length * 4 > SLOT_BYTES) throw new Error(`At most ${SLOT_BYTES / 4} params per dispatch.`);
    let chunk = this.chunks[this.chunks.length - 1];
    if (!chunk || chunk.used + SLOT_BYTES > ARENA_BYTES) {
      chunk = {
        buffer: this.gpu.pool.acquire(
          ARENA_BYTES,
          GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST,
          "params",
        ),
        bytes: new ArrayBuffer(ARENA_BYTES),
        used: 0,
      };
      this.chunks.push(chunk);
    }
    const view = new DataView(chunk.bytes, chunk.used, SLOT_BYTES);
    params.forEach((param, i) => {
      if ("u32" in param) view.setUint32(i * 4, param.u32, true);
      else if ("i32" in param) view.setInt32(i * 4, param.i32, true);
      else view.setFloat32(i * 4, param.f32, true);
    });
    const binding = {
      buffer: chunk.buffer,
      offset: chunk.used,
      size: Math.ceil((params.length * 4) / 16) * 16,
    };
    chunk.used += SLOT_BYTES;
    return binding;
  }

  private assertOpen(): void {
    if (this.submitted) throw new Error("This step was already submitted; start a new one with gpu.step().");
  }
}
