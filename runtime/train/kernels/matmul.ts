/**
 * Matrix multiply, batched, with transposed-operand variants:
 *
 *   C[b] = alpha · op(A[b]) · op(B[b]) + beta · C[b]      op(X) = X or Xᵀ
 *
 * Shapes (row-major): op(A) is [M, K], op(B) is [K, N], C is [M, N]. `transA` means A is stored
 * [K, M]; `transB` means B is stored [N, K]. The three forms training needs:
 *   - "NT" (transB):  y = x·Wᵀ            a linear layer's forward (W is [out, in])
 *   - "NN":           dx = dy·W           its input gradient
 *   - "TN" (transA):  dW = dyᵀ·x          its weight gradient
 * Batches: grid z; element strides per batch (0 broadcasts an operand, e.g. one weight for all).
 * `beta` 0 never reads C (a fresh pooled buffer may hold NaN); `beta` 1 accumulates.
 *
 * Variants, chosen by shape (`pickMatmulVariant`), all forms share one WGSL generator:
 *   - "tile8x8": each invocation computes an 8×8 block with vec4 loads (needs M%8, N%8, K%4 = 0).
 *   - "tile4x4": the same with a 4×4 block (needs M%4, N%4, K%4 = 0).
 *   - "nt8x8":   x·Wᵀ only, 8×8 blocks, vec4 loads along K and bounds-checked rows, columns and
 *                scalar stores: any M and N with K%4 = 0 (e.g. an LM head over a 262-token vocab).
 *   - "edge4x4": 4×4 block with scalar loads and bounds checks: any shape (odd sizes).
 *   - "small":   one output per invocation: tiny outputs where blocks would leave cores idle.
 * On lavapipe (DESIGN.md §3) each memory access costs far more than an FMA, so the larger the block
 * per invocation the better, up to register spills; on a GPU the same kernels are plain register
 * tiling without workgroup memory.
 */
import type { Step } from "../device/step.ts";
import { f32, u32 } from "../device/step.ts";
import { assertDims, assertHolds, ceilDiv } from "./common.ts";

export type MatmulVariant = "tile8x8" | "tile4x4" | "nt8x8" | "edge4x4" | "small";

export interface MatmulArgs {
  a: GPUBuffer;
  b: GPUBuffer;
  c: GPUBuffer;
  m: number;
  n: number;
  k: number;
  transA?: boolean;
  transB?: boolean;
  batch?: number;
  /** Elements between consecutive batches of A, B, C; default: one full matrix (0 broadcasts). */
  strideA?: number;
  strideB?: number;
  strideC?: number;
  alpha?: number;
  beta?: number;
  /** Forces a variant (tests, benchmarks); it must fit the shape. */
  variant?: MatmulVariant;
}

const WG_X = 8;
const WG_Y = 8;

interface Tile {
  rows: number;
  /** vec4 column groups per invocation (columns = 4·groups). */
  colGroups: number;
  /** Rows and columns clamped for loads, stores checked one by one: M and N need no alignment. */
  guarded: boolean;
}
type TiledVariant = "tile8x8" | "tile4x4" | "nt8x8";
const TILES: Record<TiledVariant, Tile> = {
  tile8x8: { rows: 8, colGroups: 2, guarded: false },
  tile4x4: { rows: 4, colGroups: 1, guarded: false },
  nt8x8: { rows: 8, colGroups: 2, guarded: true },
};
const isTiled = (variant: MatmulVariant): variant is TiledVariant => variant in TILES;

/** The fastest variant whose alignment the shape meets. */
export function pickMatmulVariant(
  m: number,
  n: number,
  k: number,
  transA = false,
  transB = false,
): MatmulVariant {
  if (m * n <= 64 * 64) return "small";
  const large = m * n >= 128 * 128;
  if (!transA && k % 4 === 0 && m % 8 === 0 && n % 8 === 0 && large) return "tile8x8";
  if (!transA && transB && k % 4 === 0 && large) return "nt8x8";
  if (k % 4 === 0 && m % 4 === 0 && n % 4 === 0) return "tile4x4";
  if (!transA && transB && k % 4 === 0) return "nt8x8";
  return "edge4x4";
}

/**
 * Whether a variant can run a shape. tile8x8 is not offered for Aᵀ·B: lavapipe's LLVM takes about 20 s
 * to compile that form (measured), so Aᵀ·B tops out at tile4x4.
 */
export function variantFits(
  variant: MatmulVariant,
  m: number,
  n: number,
  k: number,
  transA = false,
  transB = false,
): boolean {
  if (variant === "nt8x8") return !transA && transB && k % 4 === 0;
  if (variant === "tile8x8") return !transA && k % 4 === 0 && m % 8 === 0 && n % 8 === 0;
  if (variant === "tile4x4") return k % 4 === 0 && m % 4 === 0 && n % 4 === 0;
  return true;
}

export function matmul(step: Step, args: MatmulArgs): void {
  const { m, n, k } = args;
  const batch = args.batch ?? 1;
  assertDims("matmul", { m, n, k, batch });
  const transA = args.transA === true;
  const transB = args.transB === true;
  const strideA = args.strideA ?? m * k;
  const strideB = args.strideB ?? k * n;
  const strideC = args.strideC ?? m * n;
  assertHolds("matmul", "a", args.a, strideA * (batch - 1) + m * k);
  assertHolds("matmul", "b", args.b, strideB * (batch - 1) + k * n);
  assertHolds("matmul", "c", args.c, strideC * (batch - 1) + m * n);
  const variant = args.variant ?? pickMatmulVariant(m, n, k, transA, transB);
  if (!variantFits(variant, m, n, k, transA, transB)) {
    const form = transA || transB ? ` with${transA ? " transA" : ""}${transB ? " transB" : ""}` : "";
    throw new Error(`matmul: variant '${variant}' does not fit the shape ${m}×${n}×${k}${form}.`);
  }
  const vec4 = isTiled(variant);
  const vec4C = vec4 && !TILES[variant as TiledVariant].guarded;
  if (vec4 && (strideA % 4 !== 0 || strideB % 4 !== 0 || (vec4C && strideC % 4 !== 0))) {
    throw new Error("matmul: vec4 variants need batch strides that are multiples of 4.");
  }
  const form = `${transA ? "T" : "N"}${transB ? "T" : "N"}`;
  const pipeline = step.gpu.pipelines.get(`matmul:${variant}:${form}`, () =>
    matmulWgsl(variant, transA, transB),
  );
  let groups: [number, number, number];
  if (variant === "small") groups = [ceilDiv(n, WG_X), ceilDiv(m, WG_Y), batch];
  else if (variant === "edge4x4") groups = [ceilDiv(n, 4 * WG_X), ceilDiv(m, 4 * WG_Y), batch];
  else {
    const tile = TILES[variant];
    groups = [ceilDiv(n, 4 * tile.colGroups * WG_X), ceilDiv(m, tile.rows * WG_Y), batch];
  }
  step.dispatch(
    pipeline,
    [args.a, args.b, args.c],
    [
      u32(m),
      u32(n),
      u32(k),
      u32(strideA),
      u32(strideB),
      u32(strideC),
      f32(args.alpha ?? 1),
      f32(args.beta ?? 0),
    ],
    groups,
  );
}

const PARAMS = `
struct Params { m: u32, n: u32, k: u32, stride_a: u32, stride_b: u32, stride_c: u32, alpha: f32, beta: f32 }
@group(0) @binding(0) var<uniform> p: Params;`;

export function matmulWgsl(variant: MatmulVariant, transA: boolean, transB: boolean): string {
  if (isTiled(variant)) return tiledWgsl(TILES[variant], transA, transB);
  return scalarWgsl(variant === "small" ? 1 : 4, transA, transB);
}

/** Scalar loads, bounds-checked: a `size`×`size` block per invocation (1 = one output). */
function scalarWgsl(size: number, transA: boolean, transB: boolean): string {
  const aIndex = transA ? "kk * p.m + mr" : "mr * p.k + kk";
  const bIndex = transB ? "nc * p.k + kk" : "kk * p.n + nc";
  const lines: string[] = [];
  const decl: string[] = [];
  const store: string[] = [];
  for (let r = 0; r < size; r++) {
    decl.push(`let row${r} = min(m0 + ${r}u, p.m - 1u);`);
    for (let c = 0; c < size; c++) decl.push(`var acc${r}_${c} = 0.0;`);
  }
  for (let c = 0; c < size; c++) decl.push(`let col${c} = min(n0 + ${c}u, p.n - 1u);`);
  for (let r = 0; r < size; r++) {
    lines.push(`let a${r} = a[a_base + ${aIndex.replace("mr", `row${r}`)}];`);
  }
  for (let c = 0; c < size; c++) {
    lines.push(`let b${c} = b[b_base + ${bIndex.replace("nc", `col${c}`)}];`);
  }
  for (let r = 0; r < size; r++) {
    for (let c = 0; c < size; c++) lines.push(`acc${r}_${c} = fma(a${r}, b${c}, acc${r}_${c});`);
  }
  for (let r = 0; r < size; r++) {
    for (let c = 0; c < size; c++) {
      store.push(`if (m0 + ${r}u < p.m && n0 + ${c}u < p.n) {
    let at = c_base + (m0 + ${r}u) * p.n + n0 + ${c}u;
    var value = p.alpha * acc${r}_${c};
    if (p.beta != 0.0) { value += p.beta * c[at]; }
    c[at] = value;
  }`);
    }
  }
  return `${PARAMS}
@group(0) @binding(1) var<storage, read> a: array<f32>;
@group(0) @binding(2) var<storage, read> b: array<f32>;
@group(0) @binding(3) var<storage, read_write> c: array<f32>;
@compute @workgroup_size(${WG_X}, ${WG_Y})
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let m0 = gid.y * ${size}u;
  let n0 = gid.x * ${size}u;
  if (m0 >= p.m || n0 >= p.n) { return; }
  let a_base = gid.z * p.stride_a;
  let b_base = gid.z * p.stride_b;
  let c_base = gid.z * p.stride_c;
  ${decl.join("\n  ")}
  for (var kk = 0u; kk < p.k; kk++) {
    ${lines.join("\n    ")}
  }
  ${store.join("\n  ")}
}`;
}

/**
 * vec4 loads, `rows` × `4·colGroups` block per invocation, four k per loop trip. In SoA code
 * (lavapipe) and in registers (GPU) a vec4's lanes are separate scalars, so regrouping loaded
 * vectors for the transposed forms costs nothing.
 */
function tiledWgsl(tile: Tile, transA: boolean, transB: boolean): string {
  const { rows, colGroups } = tile;
  const cols = 4 * colGroups;
  const decl: string[] = [];
  const body: string[] = [];
  const store: string[] = [];
  for (let r = 0; r < rows; r++) {
    for (let g = 0; g < colGroups; g++) decl.push(`var acc${r}_${g} = vec4f(0.0);`);
  }
  // A: a(r, kk) is the scalar op(A)[m0 + r, k + kk].
  let aOf: (r: number, kk: number) => string;
  if (transA) {
    // A stored [K, M]: for each kk, rows/4 vec4 loads along m.
    for (let kk = 0; kk < 4; kk++) {
      for (let q = 0; q < rows / 4; q++) {
        body.push(`let a${kk}_${q} = a[a_base + ((k4 * 4u + ${kk}u) * p.m + m0) / 4u + ${q}u];`);
      }
    }
    aOf = (r, kk) => `a${kk}_${Math.floor(r / 4)}[${r % 4}]`;
  } else {
    const row = (r: number) => (tile.guarded ? `row${r}` : `(m0 + ${r}u)`);
    for (let r = 0; r < rows; r++) body.push(`let a${r} = a[a_base + (${row(r)} * p.k) / 4u + k4];`);
    aOf = (r, kk) => `a${r}[${kk}]`;
  }
  // B: b(kk, g) is the vec4 op(B)[k + kk, n0 + 4g .. n0 + 4g + 3].
  let bOf: (kk: number, g: number) => string;
  if (transB) {
    // B stored [N, K]: one vec4 along k per output column, regrouped per kk.
    const col = (j: number) => (tile.guarded ? `col${j}` : `(n0 + ${j}u)`);
    for (let j = 0; j < cols; j++) body.push(`let bt${j} = b[b_base + (${col(j)} * p.k) / 4u + k4];`);
    bOf = (kk, g) =>
      `vec4f(bt${4 * g}[${kk}], bt${4 * g + 1}[${kk}], bt${4 * g + 2}[${kk}], bt${4 * g + 3}[${kk}])`;
  } else {
    for (let kk = 0; kk < 4; kk++) {
      for (let g = 0; g < colGroups; g++) {
        body.push(`let b${kk}_${g} = b[b_base + ((k4 * 4u + ${kk}u) * p.n + n0) / 4u + ${g}u];`);
      }
    }
    bOf = (kk, g) => `b${kk}_${g}`;
  }
  for (let kk = 0; kk < 4; kk++) {
    for (let r = 0; r < rows; r++) {
      for (let g = 0; g < colGroups; g++) {
        body.push(`acc${r}_${g} = fma(vec4f(${aOf(r, kk)}), ${bOf(kk, g)}, acc${r}_${g});`);
      }
    }
  }
  for (let r = 0; r < rows; r++) {
    for (let g = 0; g < colGroups; g++) {
      if (tile.guarded) {
        for (let i = 0; i < 4; i++) {
          store.push(`if (m0 + ${r}u < p.m && n0 + ${4 * g + i}u < p.n) {
    let at = c_base + (m0 + ${r}u) * p.n + n0 + ${4 * g + i}u;
    var value = p.alpha * acc${r}_${g}[${i}];
    if (p.beta != 0.0) { value += p.beta * c[at]; }
    c[at] = value;
  }`);
        }
        continue;
      }
      store.push(`{
    let at = c_base + ((m0 + ${r}u) * p.n + n0) / 4u + ${g}u;
    var value = p.alpha * acc${r}_${g};
    if (p.beta != 0.0) { value += p.beta * c[at]; }
    c[at] = value;
  }`);
    }
  }
  if (tile.guarded) {
    for (let r = 0; r < rows; r++) decl.push(`let row${r} = min(m0 + ${r}u, p.m - 1u);`);
    for (let j = 0; j < cols; j++) decl.push(`let col${j} = min(n0 + ${j}u, p.n - 1u);`);
  }
  const cType = tile.guarded ? "f32" : "vec4f";
  return `${PARAMS}
@group(0) @binding(1) var<storage, read> a: array<vec4f>;
@group(0) @binding(2) var<storage, read> b: array<vec4f>;
@group(0) @binding(3) var<storage, read_write> c: array<${cType}>;
@compute @workgroup_size(${WG_X}, ${WG_Y})
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let m0 = gid.y * ${rows}u;
  let n0 = gid.x * ${cols}u;
  if (m0 >= p.m || n0 >= p.n) { return; }
  let a_base = gid.z * p.stride_a / 4u;
  let b_base = gid.z * p.stride_b / 4u;
  let c_base = gid.z * p.stride_c${tile.guarded ? "" : " / 4u"};
  ${decl.join("\n  ")}
  for (var k4 = 0u; k4 < p.k / 4u; k4++) {
    ${body.join("\n    ")}
  }
  ${store.join("\n  ")}
}`;
}

/** A linear layer's forward: y[rows, out] = x[rows, in] · W[out, in]ᵀ (+ y when accumulate). */
export function linearForward(
  step: Step,
  args: { x: GPUBuffer; w: GPUBuffer; y: GPUBuffer; rows: number; inFeatures: number; outFeatures: number },
): void {
  matmul(step, {
    a: args.x,
    b: args.w,
    c: args.y,
    m: args.rows,
    n: args.outFeatures,
    k: args.inFeatures,
    transB: true,
  });
}

/**
 * A linear layer's backward: dx = dy·W (written, or added when `accumulateDx`), and dW += dyᵀ·x when
 * `dw` is given (a frozen weight passes none).
 */
export function linearBackward(
  step: Step,
  args: {
    x: GPUBuffer;
    w: GPUBuffer;
    dy: GPUBuffer;
    dx?: GPUBuffer;
    dw?: GPUBuffer;
    rows: number;
    inFeatures: number;
    outFeatures: number;
    accumulateDx?: boolean;
  },
): void {
  const { rows, inFeatures, outFeatures } = args;
  if (args.dx) {
    matmul(step, {
      a: args.dy,
      b: args.w,
      c: args.dx,
      m: rows,
      n: inFeatures,
      k: outFeatures,
      beta: args.accumulateDx ? 1 : 0,
    });
  }
  if (args.dw) {
    matmul(step, {
      a: args.dy,
      b: args.x,
      c: args.dw,
      m: outFeatures,
      n: inFeatures,
      k: rows,
      transA: true,
      beta: 1,
    });
  }
}
