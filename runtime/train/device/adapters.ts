/**
 * Finding a WebGPU adapter through Dawn (the npm package `webgpu`).
 *
 * Dawn's `create()` takes an `adapter=NAME` option; given a name no adapter has, `requestAdapter`
 * rejects with a message that lists every adapter it found ("Available adapters: * backend: 'vulkan',
 * name: 'llvmpipe (…)'"). That is the only way Dawn enumerates adapters, so `listAdapters` asks for an
 * impossible name and reads the list back. `ATUNE_ADAPTER` picks one by index, or by a
 * case-insensitive substring of its name or backend.
 */
import { create, globals } from "webgpu";

export interface AdapterEntry {
  index: number;
  backend: string;
  name: string;
}

/** Thrown when no adapter can be used; the message says how to install one. */
export class NoAdapterError extends Error {
  override name = "NoAdapterError";
}

const NO_SUCH_ADAPTER = "atune-no-such-adapter";
let globalsInstalled = false;

/**
 * Dawn instances by option string, kept for the life of the process. Garbage-collecting a `create()`
 * result crashes Dawn 0.6.2 (segfault, abort or hang, with or without `device.destroy()`; reproduced
 * with `node --expose-gc`), so no instance is ever dropped. A held instance does not keep Node from
 * exiting. One instance per adapter name serves every device opened on it.
 */
const instances = new Map<string, GPU>();

export function dawnInstance(options: string[]): GPU {
  const key = options.join("\n");
  let instance = instances.get(key);
  if (!instance) {
    instance = create(options);
    instances.set(key, instance);
  }
  return instance;
}

let adapterList: AdapterEntry[] | undefined;

/** Dawn's constructors (GPUBufferUsage, GPUMapMode, …) must be globals before any WebGPU call. */
export function installWebGpuGlobals(): void {
  if (globalsInstalled) return;
  Object.assign(globalThis, globals);
  globalsInstalled = true;
}

/** Every adapter Dawn can see, in Dawn's order (listed once per process). Empty when there is none. */
export async function listAdapters(): Promise<AdapterEntry[]> {
  installWebGpuGlobals();
  if (adapterList) return adapterList;
  try {
    await dawnInstance([`adapter=${NO_SUCH_ADAPTER}`]).requestAdapter();
    adapterList = [];
  } catch (error) {
    adapterList = parseAdapterList(String((error as Error).message ?? error));
  }
  return adapterList;
}

/** Reads Dawn's "Available adapters" list, one `* backend: 'X', name: 'Y'` line each. */
export function parseAdapterList(message: string): AdapterEntry[] {
  const entries: AdapterEntry[] = [];
  for (const match of message.matchAll(/\*\s*backend:\s*'([^']*)',\s*name:\s*'([^']*)'/g)) {
    entries.push({ index: entries.length, backend: match[1], name: match[2] });
  }
  return entries;
}

/** Which adapter a selector (`ATUNE_ADAPTER`) names: an index, or a substring of name or backend. */
export function selectAdapter(adapters: AdapterEntry[], selector: string | undefined): AdapterEntry {
  if (adapters.length === 0) throw new NoAdapterError(noAdapterMessage());
  if (selector === undefined || selector.trim() === "") return adapters[0];
  const wanted = selector.trim();
  if (/^\d+$/.test(wanted)) {
    const byIndex = adapters[Number(wanted)];
    if (byIndex) return byIndex;
  } else {
    const needle = wanted.toLowerCase();
    const byName = adapters.find(
      (a) => a.name.toLowerCase().includes(needle) || a.backend.toLowerCase() === needle,
    );
    if (byName) return byName;
  }
  const list = adapters.map((a) => `  ${a.index}: ${a.name} (${a.backend})`).join("\n");
  throw new NoAdapterError(
    `ATUNE_ADAPTER='${selector}' matches no WebGPU adapter. The adapters found are:\n${list}\n` +
      "Set ATUNE_ADAPTER to one of those indexes or to part of a name, or unset it to use the first.",
  );
}

export function noAdapterMessage(): string {
  return [
    "No WebGPU adapter was found: atune's training core needs a Vulkan, Metal or D3D12 driver.",
    "On a machine without a GPU, install Mesa's software Vulkan driver (lavapipe):",
    "  Debian 12:       add bookworm-backports to the apt sources, then",
    "                   apt-get install -t bookworm-backports mesa-vulkan-drivers",
    "                   (Debian 12's own Mesa 22 is too old for Dawn)",
    "  Ubuntu / Debian 13 and later: apt-get install mesa-vulkan-drivers",
    "Check with `vulkaninfo --summary` (package vulkan-tools), then run again.",
  ].join("\n");
}
