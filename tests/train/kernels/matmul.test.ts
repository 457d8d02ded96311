import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type MatmulVariant, matmul, variantFits } from "../../../runtime/train/kernels/matmul.ts";
import { matmulRef } from "../../../runtime/train/kernels/reference.ts";
import { randomArray, relError, useGpu } from "./helpers.ts";

const gpu = useGpu();
const VARIANTS: MatmulVariant[] = ["tile8x8", "tile4x4", "nt8x8", "edge4x4", "small"];
// f32 sums of up to ~300 products of values in [-1, 1]: relative to the output scale, 1e-5 holds.
const TOL = 1e-5;

async function runMatmul(
  m: number,
  n: number,
  k: number,
  opts: {
    transA?: boolean;
    transB?: boolean;
    variant?: MatmulVariant;
    batch?: number;
    beta?: number;
    alpha?: number;
  },
  seed: number,
) {
  const batch = opts.batch ?? 1;
  const a = randomArray(batch * m * k, seed);
  const b = randomArray(batch * k * n, seed + 1);
  const c0 = randomArray(batch * m * n, seed + 2);
  const g = gpu();
  const [ab, bb, cb] = [g.upload(a), g.upload(b), g.upload(c0)];
  const step = g.step();
  matmul(step, { a: ab, b: bb, c: cb, m, n, k, batch, ...opts });
  await step.submit();
  const got = await g.download(cb, batch * m * n);
  for (const x of [ab, bb, cb]) g.release(x);
  const want = new Float64Array(batch * m * n);
  for (let z = 0; z < batch; z++) {
    const part = matmulRef(
      a.subarray(z * m * k, (z + 1) * m * k),
      b.subarray(z * k * n, (z + 1) * k * n),
      m,
      n,
      k,
      {
        ...opts,
        c: c0.subarray(z * m * n, (z + 1) * m * n),
      },
    );
    want.set(part, z * m * n);
  }
  return relError(got, want);
}

describe("matmul", () => {
  it("matches the reference for every variant and form on random shapes", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 12 }).map((x) => x * 4),
        fc.integer({ min: 1, max: 12 }).map((x) => x * 4),
        fc.integer({ min: 1, max: 16 }).map((x) => x * 4),
        fc.constantFrom(...VARIANTS),
        fc.boolean(),
        fc.boolean(),
        async (m, n, k, variant, transA, transB) => {
          fc.pre(variantFits(variant, m, n, k, transA, transB));
          expect(await runMatmul(m, n, k, { variant, transA, transB }, m * 1000 + n)).toBeLessThan(TOL);
        },
      ),
      { numRuns: 30 },
    );
  });

  it("handles odd sizes with the bounds-checked variants", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 37 }),
        fc.integer({ min: 1, max: 37 }),
        fc.integer({ min: 1, max: 41 }),
        fc.constantFrom<MatmulVariant>("edge4x4", "small"),
        fc.boolean(),
        fc.boolean(),
        async (m, n, k, variant, transA, transB) => {
          expect(await runMatmul(m, n, k, { variant, transA, transB }, k)).toBeLessThan(TOL);
        },
      ),
      { numRuns: 20 },
    );
  });

  it("runs x·Wᵀ on odd M and N with the guarded 8×8 variant (K a multiple of 4)", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 45 }),
        fc.integer({ min: 1, max: 45 }),
        fc.integer({ min: 1, max: 12 }).map((x) => x * 4),
        async (m, n, k) => {
          expect(await runMatmul(m, n, k, { variant: "nt8x8", transB: true, beta: 1 }, m + n)).toBeLessThan(
            TOL,
          );
        },
      ),
      { numRuns: 12 },
    );
  });

  it("picks a variant by shape when none is forced (large, odd, tiny)", async () => {
    expect(await runMatmul(128, 136, 64, { transB: true }, 1)).toBeLessThan(TOL);
    expect(await runMatmul(67, 93, 29, { transA: true }, 2)).toBeLessThan(TOL);
    expect(await runMatmul(130, 131, 32, { transB: true }, 4)).toBeLessThan(TOL);
    expect(await runMatmul(3, 5, 7, {}, 3)).toBeLessThan(TOL);
  });

  it("batches with alpha and beta (accumulate)", async () => {
    for (const variant of VARIANTS) {
      const transB = variant === "nt8x8";
      if (!variantFits(variant, 16, 24, 12, false, transB)) continue;
      expect(await runMatmul(16, 24, 12, { variant, transB, batch: 3, alpha: 0.5, beta: 1 }, 9)).toBeLessThan(
        TOL,
      );
    }
  });
});
