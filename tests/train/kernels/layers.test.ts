// Embedding, RMSNorm, RoPE, SwiGLU and the residual sums on the GPU against reference.ts.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  checkTokenIds,
  embeddingBackward,
  embeddingBackwardPlan,
  embeddingForward,
} from "../../../runtime/train/kernels/embedding.ts";
import * as ref from "../../../runtime/train/kernels/reference.ts";
import { accumulate, residualAdd, scaleByBuffer } from "../../../runtime/train/kernels/residual.ts";
import { rmsnormBackward, rmsnormForward } from "../../../runtime/train/kernels/rmsnorm.ts";
import { ropeBackward, ropeForward } from "../../../runtime/train/kernels/rope.ts";
import { swigluBackward, swigluForward } from "../../../runtime/train/kernels/swiglu.ts";
import { randomArray, relError, rng, runKernels, useGpu } from "./helpers.ts";

const gpu = useGpu();
// Elementwise f32 against f64: one or two roundings, so 1e-6 relative to the output scale.
const ELEMENTWISE_TOL = 1e-6;
// Row reductions over up to ~100 values (RMSNorm) and transcendental functions (RoPE, σ): 1e-5.
const REDUCTION_TOL = 1e-5;

describe("embedding", () => {
  it("gathers rows and scatter-adds gradients deterministically (repeated ids)", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 13 }),
        fc.integer({ min: 1, max: 40 }),
        fc.integer(),
        async (vocab, tokens, seed) => {
          const dim = 1 + (Math.abs(seed) % 19);
          const next = rng(seed);
          const ids = Uint32Array.from({ length: tokens }, () => Math.floor(next() * vocab));
          checkTokenIds(ids, vocab);
          const table = randomArray(vocab * dim, seed);
          const dOut = randomArray(tokens * dim, seed + 1);
          const dTable0 = randomArray(vocab * dim, seed + 2);
          const plan = embeddingBackwardPlan(ids);
          const got = await runKernels(
            gpu(),
            { table, ids, dOut, rows: plan.rows, offsets: plan.offsets, positions: plan.positions },
            { out: tokens * dim, dTable: dTable0.slice() },
            (step, b) => {
              embeddingForward(step, { table: b.table, ids: b.ids, out: b.out, tokens, dim });
              embeddingBackward(step, {
                ...b,
                dOut: b.dOut,
                dTable: b.dTable,
                uniqueIds: plan.rows.length,
                dim,
              });
            },
          );
          expect(got.out).toEqual(Float32Array.from(ref.embeddingRef(table, ids, dim)));
          const want = ref.embeddingBackwardRef(dOut, ids, vocab, dim).map((x, i) => x + dTable0[i]);
          expect(relError(got.dTable, want)).toBeLessThan(ELEMENTWISE_TOL * 10);
        },
      ),
      { numRuns: 12 },
    );
  });

  it("rejects an id outside the vocabulary with its position", () => {
    expect(() => checkTokenIds(Uint32Array.from([1, 9]), 5)).toThrow(/Token id 9 at position 1 .*vocab/);
  });
});

describe("rmsnorm", () => {
  // dim ≥ 8: with one or two features dx is a difference of nearly equal terms (1 − x²·rstd² ≈ eps/x²)
  // that no f32 kernel resolves; real hidden sizes are far larger.
  it("forward (y, rstd) and backward (dx, accumulated dw) match the reference", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 9 }),
        fc.integer({ min: 8, max: 150 }),
        async (rows, dim) => {
          const eps = 1e-5;
          const x = randomArray(rows * dim, rows * 7 + dim, 2);
          const w = randomArray(dim, dim);
          const dy = randomArray(rows * dim, rows + dim * 3);
          const dw0 = randomArray(dim, 5);
          const got = await runKernels(
            gpu(),
            { x, w, dy },
            { y: rows * dim, rstd: rows, dx: rows * dim, dw: dw0.slice() },
            (step, b) => {
              rmsnormForward(step, { x: b.x, w: b.w, y: b.y, rstd: b.rstd, rows, dim, eps });
              rmsnormBackward(step, { ...b, rstd: b.rstd, rows, dim });
            },
          );
          const want = ref.rmsnormRef(x, w, rows, dim, eps);
          const back = ref.rmsnormBackwardRef(x, w, dy, rows, dim, eps);
          expect(relError(got.y, want.y)).toBeLessThan(REDUCTION_TOL);
          expect(relError(got.rstd, want.rstd)).toBeLessThan(REDUCTION_TOL);
          expect(relError(got.dx, back.dx)).toBeLessThan(REDUCTION_TOL);
          expect(
            relError(
              got.dw,
              back.dw.map((v, i) => v + dw0[i]),
            ),
          ).toBeLessThan(REDUCTION_TOL);
        },
      ),
      { numRuns: 12 },
    );
  });
});

describe("rope", () => {
  it("rotates half-pairs (HF convention) and its backward is the inverse rotation", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 9 }),
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 1, max: 12 }).map((x) => 2 * x),
        fc.constantFrom(10000, 500000),
        async (rows, heads, headDim, theta) => {
          const positions = Uint32Array.from({ length: rows }, (_, i) => (i * 5) % 23);
          const x = randomArray(rows * heads * headDim, rows * heads + headDim);
          const dy = randomArray(x.length, headDim);
          const got = await runKernels(
            gpu(),
            { x, dy, positions },
            { y: x.length, dx: x.length },
            (step, b) => {
              ropeForward(step, { x: b.x, y: b.y, positions: b.positions, rows, heads, headDim, theta });
              ropeBackward(step, { x: b.dy, y: b.dx, positions: b.positions, rows, heads, headDim, theta });
            },
          );
          expect(relError(got.y, ref.ropeRef(x, positions, heads, headDim, theta))).toBeLessThan(
            REDUCTION_TOL,
          );
          expect(relError(got.dx, ref.ropeRef(dy, positions, heads, headDim, theta, true))).toBeLessThan(
            REDUCTION_TOL,
          );
        },
      ),
      { numRuns: 12 },
    );
  });

  it("rejects an odd head size", async () => {
    const g = gpu();
    const buffer = g.buffer(64);
    const step = g.step();
    expect(() =>
      ropeForward(step, {
        x: buffer,
        y: buffer,
        positions: buffer,
        rows: 1,
        heads: 1,
        headDim: 3,
        theta: 1e4,
      }),
    ).toThrow(/head size 3 must be even/);
    await step.submit();
    g.release(buffer);
  });
});

describe("swiglu and residual sums", () => {
  it("swiglu forward and backward match the reference, including large |gate|", async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 300 }), async (length) => {
        const gate = randomArray(length, length, 30);
        const up = randomArray(length, length + 1);
        const dOut = randomArray(length, length + 2);
        const got = await runKernels(
          gpu(),
          { gate, up, dOut },
          { out: length, dGate: length, dUp: length },
          (step, b) => {
            swigluForward(step, { gate: b.gate, up: b.up, out: b.out, length });
            swigluBackward(step, { ...b, length });
          },
        );
        const back = ref.swigluBackwardRef(gate, up, dOut);
        expect(relError(got.out, ref.swigluRef(gate, up))).toBeLessThan(REDUCTION_TOL);
        expect(relError(got.dGate, back.dGate)).toBeLessThan(REDUCTION_TOL);
        expect(relError(got.dUp, back.dUp)).toBeLessThan(REDUCTION_TOL);
      }),
      { numRuns: 8 },
    );
  });

  it("residualAdd, accumulate and scaleByBuffer compute a+b, t+s·x and t·f", async () => {
    const length = 77;
    const a = randomArray(length, 1);
    const b = randomArray(length, 2);
    const factor = Float32Array.from([3, 0.25]);
    const got = await runKernels(
      gpu(),
      { a, b, factor },
      { sum: length, acc: a.slice(), scaled: b.slice() },
      (step, bf) => {
        residualAdd(step, { a: bf.a, b: bf.b, out: bf.sum, length });
        accumulate(step, { target: bf.acc, source: bf.b, length, scale: -2 });
        scaleByBuffer(step, { target: bf.scaled, factor: bf.factor, factorIndex: 1, length });
      },
    );
    expect(
      relError(
        got.sum,
        a.map((v, i) => v + b[i]),
      ),
    ).toBeLessThan(ELEMENTWISE_TOL);
    expect(
      relError(
        got.acc,
        a.map((v, i) => v - 2 * b[i]),
      ),
    ).toBeLessThan(ELEMENTWISE_TOL);
    expect(got.scaled).toEqual(b.map((v) => v * 0.25));
  });
});
