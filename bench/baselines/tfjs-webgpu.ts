/**
 * TensorFlow.js's WebGPU backend running in Node on Dawn (the npm package `webgpu`), on the same adapter
 * atune's training core picks (ATUNE_ADAPTER, else the first), for baselines in the same process.
 *
 * Usage:
 *   const session = await openTfWebGpu();
 *   const { tf } = session;               // tf.getBackend() === "webgpu"
 *   …
 *   session.close();                      // frees TF.js's tensors and the device; the process can exit
 *
 * How: TF.js looks for `navigator.gpu` when its backend module is first imported, and its stock factory
 * opens a device we could not destroy. So this module exposes a Dawn instance as `navigator.gpu`, opens
 * the device itself, and registers a factory for "webgpu" that wraps that device (TF.js's kernels are
 * registered under that name). `close()` disposes the backend, destroys the device, drops the Dawn
 * instance, and puts back TF.js's stock factory and the previous `navigator`, so a later
 * `tf.setBackend("webgpu")` elsewhere in the process still works.
 */
import { create } from "webgpu";
import { installWebGpuGlobals, listAdapters, selectAdapter } from "../../runtime/train/device/adapters.ts";

export type Tf = typeof import("@tensorflow/tfjs");

export interface TfWebGpu {
  tf: Tf;
  /** The Dawn device TF.js runs on (destroyed by close()). */
  device: GPUDevice;
  adapterName: string;
  /** WebGPU errors the device raised outside error scopes (a failed pipeline makes results garbage). */
  errors: string[];
  /** Throws when `errors` is not empty, naming what ran. */
  assertNoErrors(what: string): void;
  /** Waits until the GPU has finished all work submitted so far. */
  sync(): Promise<void>;
  /** Disposes TF.js's backend and the device. Safe to call twice. */
  close(): void;
}

type BackendFactory = NonNullable<ReturnType<Tf["findBackendFactory"]>>;

/** The limits TF.js's own factory raises to the adapter's maxima (same device as its stock setup). */
const RAISED_LIMITS = [
  "maxComputeWorkgroupStorageSize",
  "maxComputeWorkgroupsPerDimension",
  "maxStorageBufferBindingSize",
  "maxBufferSize",
  "maxComputeWorkgroupSizeX",
  "maxComputeInvocationsPerWorkgroup",
] as const;

let open = false;

/**
 * Starts TF.js on WebGPU (Dawn). One session at a time per process: it takes over TF.js's "webgpu"
 * backend (a stock one already running is disposed) until close().
 */
export async function openTfWebGpu(options: { adapter?: string } = {}): Promise<TfWebGpu> {
  if (open) throw new Error("openTfWebGpu: a TF.js WebGPU session is already open; close() it first.");
  installWebGpuGlobals();
  const chosen = selectAdapter(await listAdapters(), options.adapter ?? process.env.ATUNE_ADAPTER);
  let instance: GPU | undefined = create([`adapter=${chosen.name}`]);
  const adapter = await instance.requestAdapter({ powerPreference: "high-performance" });
  if (!adapter) throw new Error(`openTfWebGpu: Dawn returned no adapter for '${chosen.name}'.`);
  const requiredLimits: Record<string, number> = {};
  for (const name of RAISED_LIMITS) requiredLimits[name] = adapter.limits[name];
  // The features TF.js's own factory asks for; timestamp-query lets tf.profile() time kernels.
  const requiredFeatures = (["timestamp-query", "bgra8unorm-storage"] as const).filter((feature) =>
    adapter.features.has(feature),
  );
  const device = await adapter.requestDevice({ requiredLimits, requiredFeatures, label: "tfjs-baseline" });
  const errors: string[] = [];
  device.onuncapturederror = (event) => errors.push((event as GPUUncapturedErrorEvent).error.message);

  const globals = globalThis as { navigator?: object };
  const previousNavigator = Object.getOwnPropertyDescriptor(globalThis, "navigator");
  Object.defineProperty(globalThis, "navigator", {
    value: { ...(globals.navigator ?? {}), gpu: instance },
    configurable: true,
    writable: true,
  });
  const tf = await import("@tensorflow/tfjs");
  const { WebGPUBackend } = await import("@tensorflow/tfjs-backend-webgpu");

  // Typed as always present, but null when nothing is registered (e.g. after our own close()).
  const stockFactory = tf.findBackendFactory("webgpu") as BackendFactory | null;
  if (stockFactory) tf.removeBackend("webgpu");
  tf.registerBackend("webgpu", () => new WebGPUBackend(device, adapter.info), 3);
  open = true;

  let closed = false;
  const close = () => {
    if (closed) return;
    closed = true;
    open = false;
    device.onuncapturederror = null;
    if (tf.findBackendFactory("webgpu")) tf.removeBackend("webgpu");
    if (stockFactory) tf.registerBackend("webgpu", stockFactory, 3);
    device.destroy();
    instance = undefined; // Dawn's thread keeps the process alive while the instance is reachable
    if (previousNavigator) Object.defineProperty(globalThis, "navigator", previousNavigator);
    else delete globals.navigator;
  };

  try {
    if (!(await tf.setBackend("webgpu"))) {
      throw new Error(`TensorFlow.js could not start its WebGPU backend on '${chosen.name}'.`);
    }
    await tf.ready();
  } catch (error) {
    close();
    throw error;
  }
  return {
    tf,
    device,
    adapterName: chosen.name,
    errors,
    assertNoErrors: (what) => {
      if (errors.length > 0) {
        throw new Error(
          `TF.js WebGPU reported ${errors.length} error(s) during ${what}; its results are not valid:\n${errors.slice(0, 3).join("\n")}`,
        );
      }
    },
    sync: () => device.queue.onSubmittedWorkDone(),
    close,
  };
}
