import { type Gpu, openGpu } from "../train/device/index.ts";

/**
 * One WebGPU device for the whole run, opened on first use by a stage that trains or generates
 * and closed when the run ends (a live device keeps Node from exiting).
 */
let shared: Promise<Gpu> | undefined;

export function runGpu(): Promise<Gpu> {
  shared ??= openGpu();
  return shared;
}

export async function closeRunGpu(): Promise<void> {
  if (!shared) return;
  const gpu = await shared.catch(() => undefined);
  shared = undefined;
  gpu?.destroy();
}
