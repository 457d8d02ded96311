import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  BufferPool,
  type Gpu,
  listAdapters,
  NoAdapterError,
  openGpu,
  parseAdapterList,
  selectAdapter,
  u32,
} from "../../../runtime/train/device/index.ts";

describe("adapters", () => {
  it("lists at least one adapter (lavapipe in CI) with a backend and a name", async () => {
    const adapters = await listAdapters();
    expect(adapters.length).toBeGreaterThan(0);
    expect(adapters[0].index).toBe(0);
    expect(adapters[0].name.length).toBeGreaterThan(0);
    expect(adapters[0].backend.length).toBeGreaterThan(0);
  });

  it("parses Dawn's adapter list", () => {
    const message =
      "no suitable backends found\nAvailable adapters:\n * backend: 'vulkan', name: 'llvmpipe (LLVM 15.0.6, 256 bits)'\n * backend: 'vulkan', name: 'NVIDIA H100'\n";
    expect(parseAdapterList(message)).toEqual([
      { index: 0, backend: "vulkan", name: "llvmpipe (LLVM 15.0.6, 256 bits)" },
      { index: 1, backend: "vulkan", name: "NVIDIA H100" },
    ]);
  });

  it("selects by index, by part of the name, and explains a selector that matches nothing", () => {
    const adapters = parseAdapterList(
      " * backend: 'vulkan', name: 'llvmpipe'\n * backend: 'metal', name: 'Apple M1'",
    );
    expect(selectAdapter(adapters, "1").name).toBe("Apple M1");
    expect(selectAdapter(adapters, "M1").name).toBe("Apple M1");
    expect(selectAdapter(adapters, undefined).name).toBe("llvmpipe");
    expect(() => selectAdapter(adapters, "h100")).toThrow(NoAdapterError);
    expect(() => selectAdapter(adapters, "h100")).toThrow(
      /ATUNE_ADAPTER='h100' matches no WebGPU adapter[\s\S]*1: Apple M1/,
    );
  });

  it("says how to install a driver when there is no adapter at all", () => {
    expect(() => selectAdapter([], undefined)).toThrow(
      /No WebGPU adapter[\s\S]*apt-get install .*mesa-vulkan-drivers/,
    );
  });

  it("rejects a bad ATUNE_ADAPTER when opening the device", async () => {
    const saved = process.env.ATUNE_ADAPTER;
    process.env.ATUNE_ADAPTER = "no-such-gpu-anywhere";
    try {
      await expect(openGpu()).rejects.toThrow(
        /ATUNE_ADAPTER='no-such-gpu-anywhere' matches no WebGPU adapter/,
      );
    } finally {
      if (saved === undefined) delete process.env.ATUNE_ADAPTER;
      else process.env.ATUNE_ADAPTER = saved;
    }
  });
});

describe("device", () => {
  let gpu: Gpu;
  beforeAll(async () => {
    gpu = await openGpu({ debug: true, timestamps: true });
  });
  afterAll(() => gpu.destroy());

  it("requests the adapter's largest storage limits and reports f16 support", () => {
    expect(gpu.limits.maxStorageBufferBindingSize).toBeGreaterThanOrEqual(128 * 1024 * 1024);
    expect(typeof gpu.hasF16).toBe("boolean");
  });

  it("uploads and downloads f32 and u32 data", async () => {
    const data = Float32Array.from([1.5, -2, 3.25, 1e-20]);
    const buffer = gpu.upload(data);
    expect(await gpu.download(buffer, 4)).toEqual(data);
    expect(await gpu.download(buffer, 2, 1)).toEqual(data.subarray(1, 3));
    const ids = gpu.upload(Uint32Array.from([7, 4294967295]));
    expect([...(await gpu.downloadU32(ids, 2))]).toEqual([7, 4294967295]);
    gpu.release(buffer);
    gpu.release(ids);
  });

  it("pools buffers by size class and reuses released ones", () => {
    expect(BufferPool.sizeClass(1000)).toBe(1024);
    expect(BufferPool.sizeClass(1025)).toBe(1152);
    expect(BufferPool.sizeClass(3)).toBe(16);
    const first = gpu.buffer(1000);
    gpu.release(first);
    expect(gpu.buffer(1020)).toBe(first);
    gpu.release(first);
    expect(() => gpu.pool.release({ label: "stranger" } as GPUBuffer)).toThrow(/not acquired from this pool/);
  });

  it("caches pipelines by key", () => {
    const source = () => "@compute @workgroup_size(1) fn main() {}";
    const before = gpu.pipelines.compiled;
    const a = gpu.pipelines.get("test:empty", source);
    expect(gpu.pipelines.get("test:empty", source)).toBe(a);
    expect(gpu.pipelines.compiled).toBe(before + 1);
  });

  it("records many dispatches into one step and times them with timestamps", async () => {
    const pipeline = gpu.pipelines.get(
      "test:increment",
      () => `
struct Params { n: u32 }
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read_write> x: array<f32>;
@compute @workgroup_size(64) fn main(@builtin(global_invocation_id) gid: vec3u) {
  if (gid.x < p.n) { x[gid.x] = x[gid.x] + f32(p.n); }
}`,
    );
    const buffer = gpu.upload(new Float32Array(100));
    const step = gpu.step({ profile: true });
    for (let i = 1; i <= 3; i++) step.dispatch(pipeline, [buffer], [u32(100 - i)], [2]);
    await step.submit();
    const timings = await step.timings();
    expect(timings.map((t) => t.label)).toEqual(["test:increment", "test:increment", "test:increment"]);
    expect(timings.every((t) => t.ms >= 0)).toBe(true);
    const result = await gpu.download(buffer, 100);
    expect(result[0]).toBe(99 + 98 + 97);
    expect(result[97]).toBe(99 + 98);
    expect(result[99]).toBe(0);
    expect(() => step.dispatch(pipeline, [buffer], [u32(1)], [1])).toThrow(/already submitted/);
    gpu.release(buffer);
  });

  it("turns a WebGPU validation error into a readable rejection naming the kernel", async () => {
    const pipeline = gpu.pipelines.get(
      "test:needs-one-buffer",
      () => `@group(0) @binding(0) var<storage, read_write> x: array<f32>;
@compute @workgroup_size(1) fn main() { x[0] = 1.0; }`,
    );
    const step = gpu.step();
    step.dispatch(pipeline, [], [], [1]);
    await expect(step.submit()).rejects.toThrow(
      /WebGPU rejected the recorded step: [\s\S]*test:needs-one-buffer/,
    );
  });
});

describe("errors outside debug mode", () => {
  it("the next submit rejects after WebGPU reported an uncaptured error", async () => {
    const gpu = await openGpu({ debug: false });
    const consoleError = console.error;
    console.error = () => {};
    try {
      const broken = gpu.pipelines.get(
        "test:broken",
        () => "@compute @workgroup_size(1) fn main() { let x: u32 = 1.5; }",
      );
      // Dawn may deliver the error before the first submit or only after it: either submit rejects.
      const twoSteps = async () => {
        const first = gpu.step();
        first.dispatch(broken, [], [], [1]);
        await first.submit();
        await first.done();
        await gpu.step().submit();
      };
      await expect(twoSteps()).rejects.toThrow(/WebGPU reported an error before this submit: [\s\S]*u32/);
    } finally {
      console.error = consoleError;
      gpu.destroy();
    }
  });
});

describe("shutdown", () => {
  it("a script that destroys its device exits on its own, also after a garbage collection", () => {
    const script = fileURLToPath(new URL("./fixtures/exit-after-destroy.ts", import.meta.url));
    const root = fileURLToPath(new URL("../../../", import.meta.url));
    const child = spawnSync(process.execPath, ["--expose-gc", "--import", "tsx", script], {
      cwd: root,
      encoding: "utf8",
      timeout: 60_000,
      env: { ...process.env, XDG_RUNTIME_DIR: process.env.XDG_RUNTIME_DIR ?? "/tmp" },
    });
    expect(child.error).toBeUndefined();
    expect(child.signal).toBeNull();
    expect(child.stdout).toContain("result 11,22,33");
    expect(child.status).toBe(0);
  });
});
