import { existsSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { basename, join } from "node:path";
import { numElements, type Tensor, type Weights } from "../model/params.ts";
import { writeFileAtomic, writeJsonAtomic } from "./atomic.ts";
import { bf16BitsToF32, f16BitsToF32, f32ToBf16Bits, f32ToF16Bits } from "./dtype.ts";
import { ModelFileError } from "./errors.ts";

/**
 * The safetensors format: an 8-byte little-endian header length, a JSON header mapping each tensor
 * name to `{dtype, shape, data_offsets: [begin, end]}` (offsets relative to the end of the header),
 * an optional `__metadata__` string map, then the raw little-endian data.
 */

export type StoredDtype = "F32" | "F16" | "BF16";

const BYTES_PER_ELEMENT: Record<StoredDtype, number> = { F32: 4, F16: 2, BF16: 2 };

/** Largest header we accept; the format's reference implementation uses the same 100 MB limit. */
const MAX_HEADER_BYTES = 100_000_000;

export interface SafetensorsFile {
  tensors: Weights;
  /** The dtype each tensor was stored in (all are returned as f32). */
  dtypes: Map<string, StoredDtype>;
  metadata: Record<string, string>;
}

export function readSafetensors(file: string): SafetensorsFile {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (error) {
    throw new ModelFileError(file, `cannot read the weights file (${(error as Error).message}).`);
  }
  return parseSafetensors(bytes, file);
}

/** Decodes a safetensors image; `file` names it in error messages. */
export function parseSafetensors(bytes: Uint8Array, file = "model.safetensors"): SafetensorsFile {
  const broken = (why: string): never => {
    throw new ModelFileError(file, `is not a valid safetensors file: ${why}. Re-export or re-download it.`);
  };
  if (bytes.length < 8) broken(`it is ${bytes.length} bytes long, shorter than the 8-byte header length`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = Number(view.getBigUint64(0, true));
  if (headerLength > MAX_HEADER_BYTES || 8 + headerLength > bytes.length) {
    broken(`the header length ${headerLength} runs past the end of the ${bytes.length}-byte file`);
  }
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(
      new TextDecoder("utf-8", { fatal: true }).decode(bytes.subarray(8, 8 + headerLength)),
    );
  } catch (error) {
    return broken(`the header is not valid JSON (${(error as Error).message})`);
  }
  if (typeof header !== "object" || header === null || Array.isArray(header))
    broken("the header is not a JSON object");

  const dataStart = 8 + headerLength;
  const dataLength = bytes.length - dataStart;
  const tensors: Weights = new Map();
  const dtypes = new Map<string, StoredDtype>();
  let metadata: Record<string, string> = {};
  const ranges: { name: string; begin: number; end: number }[] = [];
  for (const [name, entry] of Object.entries(header)) {
    if (name === "__metadata__") {
      metadata = (entry ?? {}) as Record<string, string>;
      continue;
    }
    const tensorBroken = (why: string): never => broken(`tensor '${name}' ${why}`);
    const { dtype, shape, data_offsets: offsets } = (entry ?? {}) as Record<string, unknown>;
    if (!(dtype === "F32" || dtype === "F16" || dtype === "BF16")) {
      return tensorBroken(`has dtype ${JSON.stringify(dtype)}; only F32, F16 and BF16 weights are supported`);
    }
    if (!Array.isArray(shape) || !shape.every((size) => Number.isInteger(size) && size >= 0)) {
      return tensorBroken(`has an invalid shape ${JSON.stringify(shape)}`);
    }
    if (
      !Array.isArray(offsets) ||
      offsets.length !== 2 ||
      !offsets.every((offset) => Number.isInteger(offset) && offset >= 0)
    ) {
      return tensorBroken(`has invalid data_offsets ${JSON.stringify(offsets)}`);
    }
    const [begin, end] = offsets as [number, number];
    const count = numElements(shape);
    const width = BYTES_PER_ELEMENT[dtype];
    if (end < begin || end > dataLength) {
      tensorBroken(`has data_offsets [${begin}, ${end}] outside the ${dataLength} bytes of data`);
    }
    if (end - begin !== count * width) {
      tensorBroken(`holds ${end - begin} bytes but shape [${shape}] in ${dtype} needs ${count * width}`);
    }
    tensors.set(name, { shape: [...shape], data: decode(bytes, dataStart + begin, count, dtype) });
    dtypes.set(name, dtype);
    ranges.push({ name, begin, end });
  }
  // Tensors must not share bytes (the format's own reader requires them to tile the data exactly).
  ranges.sort((a, b) => a.begin - b.begin || a.end - b.end);
  for (let i = 1; i < ranges.length; i++) {
    const [previous, current] = [ranges[i - 1], ranges[i]];
    if (current.begin < previous.end) {
      broken(
        `tensors '${previous.name}' and '${current.name}' overlap (data_offsets ${previous.begin}–${previous.end} and ${current.begin}–${current.end})`,
      );
    }
  }
  return { tensors, dtypes, metadata };
}

const LITTLE_ENDIAN = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;

function decode(bytes: Uint8Array, offset: number, count: number, dtype: StoredDtype): Float32Array {
  if (dtype === "F32" && LITTLE_ENDIAN) {
    // A copy of the bytes is aligned whatever the offset in the file, and is already the f32 layout.
    const start = bytes.byteOffset + offset;
    return new Float32Array(bytes.buffer.slice(start, start + count * 4));
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset + offset, count * BYTES_PER_ELEMENT[dtype]);
  const out = new Float32Array(count);
  if (dtype === "F32") for (let i = 0; i < count; i++) out[i] = view.getFloat32(i * 4, true);
  else if (dtype === "F16")
    for (let i = 0; i < count; i++) out[i] = f16BitsToF32(view.getUint16(i * 2, true));
  else for (let i = 0; i < count; i++) out[i] = bf16BitsToF32(view.getUint16(i * 2, true));
  return out;
}

function encode(tensor: Tensor, dtype: StoredDtype): Uint8Array {
  const count = tensor.data.length;
  const bytes = new Uint8Array(count * BYTES_PER_ELEMENT[dtype]);
  const view = new DataView(bytes.buffer);
  if (dtype === "F32") for (let i = 0; i < count; i++) view.setFloat32(i * 4, tensor.data[i], true);
  else if (dtype === "F16")
    for (let i = 0; i < count; i++) view.setUint16(i * 2, f32ToF16Bits(tensor.data[i]), true);
  else for (let i = 0; i < count; i++) view.setUint16(i * 2, f32ToBf16Bits(tensor.data[i]), true);
  return bytes;
}

/** The file's parts in order (header length, header, tensor data), sorted by name like safetensors. */
export function* serializeSafetensors(
  tensors: Weights,
  dtype: StoredDtype = "F32",
  metadata: Record<string, string> = {},
): Generator<Uint8Array> {
  const names = [...tensors.keys()].sort();
  const header: Record<string, unknown> = { __metadata__: { format: "pt", ...metadata } };
  let offset = 0;
  for (const name of names) {
    const tensor = tensors.get(name)!;
    if (tensor.data.length !== numElements(tensor.shape)) {
      throw new Error(`tensor '${name}': ${tensor.data.length} values do not fill shape [${tensor.shape}]`);
    }
    const size = tensor.data.length * BYTES_PER_ELEMENT[dtype];
    header[name] = { dtype, shape: tensor.shape, data_offsets: [offset, offset + size] };
    offset += size;
  }
  // Pad the header with spaces to a multiple of 8 so the data is aligned (as the reference writer does).
  let headerText = JSON.stringify(header);
  headerText += " ".repeat((8 - ((8 + Buffer.byteLength(headerText)) % 8)) % 8);
  const headerBytes = Buffer.from(headerText, "utf8");
  const length = new Uint8Array(8);
  new DataView(length.buffer).setBigUint64(0, BigInt(headerBytes.length), true);
  yield length;
  yield headerBytes;
  for (const name of names) yield encode(tensors.get(name)!, dtype);
}

export function writeSafetensors(
  file: string,
  tensors: Weights,
  dtype: StoredDtype = "F32",
  metadata: Record<string, string> = {},
): void {
  writeFileAtomic(file, serializeSafetensors(tensors, dtype, metadata));
}

export const INDEX_FILE = "model.safetensors.index.json";
export const SINGLE_FILE = "model.safetensors";

/**
 * Writes `tensors` into `dir` as `model.safetensors`, or — when they exceed `maxShardBytes` — as
 * `model-0000k-of-0000n.safetensors` shards plus `model.safetensors.index.json` (HF's layout).
 * Returns the files written.
 */
export function writeSafetensorsDir(
  dir: string,
  tensors: Weights,
  options: { dtype?: StoredDtype; maxShardBytes?: number } = {},
): string[] {
  const dtype = options.dtype ?? "F32";
  const maxShardBytes = options.maxShardBytes ?? Number.POSITIVE_INFINITY;
  const shards: Weights[] = [];
  let current: Weights = new Map();
  let currentBytes = 0;
  let totalBytes = 0;
  for (const [name, tensor] of tensors) {
    const size = tensor.data.length * BYTES_PER_ELEMENT[dtype];
    if (current.size > 0 && currentBytes + size > maxShardBytes) {
      shards.push(current);
      current = new Map();
      currentBytes = 0;
    }
    current.set(name, tensor);
    currentBytes += size;
    totalBytes += size;
  }
  shards.push(current);

  if (shards.length === 1) {
    writeSafetensors(join(dir, SINGLE_FILE), shards[0], dtype);
    removeStaleWeights(dir, [SINGLE_FILE]);
    return [SINGLE_FILE];
  }
  const files: string[] = [];
  const weightMap: Record<string, string> = {};
  shards.forEach((shard, index) => {
    const name = `model-${String(index + 1).padStart(5, "0")}-of-${String(shards.length).padStart(5, "0")}.safetensors`;
    writeSafetensors(join(dir, name), shard, dtype);
    for (const tensorName of shard.keys()) weightMap[tensorName] = name;
    files.push(name);
  });
  // The index goes last: a reader that finds it can rely on every shard it names being complete.
  writeJsonAtomic(join(dir, INDEX_FILE), { metadata: { total_size: totalBytes }, weight_map: weightMap });
  removeStaleWeights(dir, [...files, INDEX_FILE]);
  return [...files, INDEX_FILE];
}

/**
 * Removes weight files of an earlier save in the other layout: a leftover model.safetensors would
 * shadow new shards in transformers, a leftover index would shadow a new single file here.
 */
function removeStaleWeights(dir: string, keep: string[]): void {
  const shard = /^model-\d{5}-of-\d{5}\.safetensors$/;
  for (const name of readdirSync(dir)) {
    if (keep.includes(name)) continue;
    if (name === SINGLE_FILE || name === INDEX_FILE || shard.test(name)) rmSync(join(dir, name));
  }
}

/** Reads the weights of a model directory: single `model.safetensors` or a sharded index. */
export function readSafetensorsDir(dir: string): SafetensorsFile {
  const indexFile = join(dir, INDEX_FILE);
  if (!existsSync(indexFile)) {
    const single = join(dir, SINGLE_FILE);
    if (!existsSync(single)) {
      throw new ModelFileError(
        dir,
        `holds neither ${SINGLE_FILE} nor ${INDEX_FILE}; point at a Hugging Face model directory with safetensors weights.`,
      );
    }
    return readSafetensors(single);
  }
  let weightMap: Record<string, string>;
  try {
    weightMap = JSON.parse(readFileSync(indexFile, "utf8")).weight_map;
  } catch (error) {
    throw new ModelFileError(indexFile, `is not valid JSON (${(error as Error).message}).`);
  }
  if (typeof weightMap !== "object" || weightMap === null) {
    throw new ModelFileError(indexFile, "has no 'weight_map' object mapping tensor names to shard files.");
  }
  const result: SafetensorsFile = { tensors: new Map(), dtypes: new Map(), metadata: {} };
  const shardNames = [...new Set(Object.values(weightMap))];
  for (const shardName of shardNames) {
    const shardFile = join(dir, basename(shardName));
    if (!existsSync(shardFile)) {
      throw new ModelFileError(indexFile, `names shard '${shardName}', which is not in ${dir}.`);
    }
    const shard = readSafetensors(shardFile);
    for (const [name, tensor] of shard.tensors) {
      if (weightMap[name] !== shardName) continue;
      result.tensors.set(name, tensor);
      result.dtypes.set(name, shard.dtypes.get(name)!);
    }
  }
  for (const [name, shardName] of Object.entries(weightMap)) {
    if (!result.tensors.has(name)) {
      throw new ModelFileError(
        indexFile,
        `maps tensor '${name}' to '${shardName}', which does not contain it.`,
      );
    }
  }
  return result;
}
