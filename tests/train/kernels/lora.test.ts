// LoRA forward/backward on the GPU against reference.ts; a training step never touches the base weight.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { adamwStep } from "../../../runtime/train/kernels/adamw.ts";
import { loraBackward, loraForward } from "../../../runtime/train/kernels/lora.ts";
import { linearBackward, linearForward } from "../../../runtime/train/kernels/matmul.ts";
import { loraBackwardRef, loraRef, matmulRef } from "../../../runtime/train/kernels/reference.ts";
import { randomArray, relError, runKernels, useGpu } from "./helpers.ts";

const gpu = useGpu();
// Compositions of two or three f32 matmuls with inner sizes ≤ 40: 1e-5 relative.
const TOL = 1e-5;

describe("LoRA", () => {
  it("forward and backward (dx, dA, dB) match the reference", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 24 }),
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 1, max: 40 }),
        fc.constantFrom(1, 2, 4, 8),
        async (rows, inF, outF, rank) => {
          const shape = { rows, inFeatures: inF, outFeatures: outF, rank, alpha: 16 };
          const x = randomArray(rows * inF, rows + inF);
          const w = randomArray(outF * inF, outF);
          const a = randomArray(rank * inF, rank);
          const b = randomArray(outF * rank, rank + 1);
          const dy = randomArray(rows * outF, rows);
          const got = await runKernels(
            gpu(),
            { x, w, a, b, dy },
            {
              h: rows * rank,
              y: rows * outF,
              dh: rows * rank,
              dA: rank * inF,
              dB: outF * rank,
              dx: rows * inF,
            },
            (step, bf) => {
              loraForward(step, { x: bf.x, w: bf.w, a: bf.a, b: bf.b, h: bf.h, y: bf.y, shape });
              loraBackward(step, { ...bf, shape });
            },
          );
          const back = loraBackwardRef(x, w, a, b, dy, rows, inF, outF, rank, 16);
          expect(relError(got.y, loraRef(x, w, a, b, rows, inF, outF, rank, 16))).toBeLessThan(TOL);
          expect(relError(got.dx, back.dx)).toBeLessThan(TOL);
          expect(relError(got.dA, back.dA)).toBeLessThan(TOL);
          expect(relError(got.dB, back.dB)).toBeLessThan(TOL);
        },
      ),
      { numRuns: 10 },
    );
  });

  it("a training step (forward, backward, AdamW on A and B) leaves the base weight bit-identical", async () => {
    const shape = { rows: 16, inFeatures: 32, outFeatures: 24, rank: 4, alpha: 8 };
    const w = randomArray(24 * 32, 7);
    const g = gpu();
    const buffers = {
      x: g.upload(randomArray(16 * 32, 1)),
      w: g.upload(w),
      a: g.upload(randomArray(4 * 32, 2)),
      b: g.upload(randomArray(24 * 4, 3)),
      h: g.buffer(16 * 4 * 4),
      y: g.buffer(16 * 24 * 4),
      dy: g.upload(randomArray(16 * 24, 4)),
      dh: g.buffer(16 * 4 * 4),
      dA: g.buffer(4 * 32 * 4),
      dB: g.buffer(24 * 4 * 4),
      dx: g.buffer(16 * 32 * 4),
      mA: g.buffer(4 * 32 * 4),
      vA: g.buffer(4 * 32 * 4),
      mB: g.buffer(24 * 4 * 4),
      vB: g.buffer(24 * 4 * 4),
    };
    const step = g.step();
    for (const name of ["dA", "dB", "mA", "vA", "mB", "vB"] as const) step.clear(buffers[name]);
    loraForward(step, { ...buffers, shape });
    loraBackward(step, { ...buffers, shape });
    const hyper = { lr: 0.1 };
    const { mA, vA, mB, vB } = buffers;
    adamwStep(step, { param: buffers.a, grad: buffers.dA, m: mA, v: vA, length: 4 * 32, t: 1, hyper });
    adamwStep(step, { param: buffers.b, grad: buffers.dB, m: mB, v: vB, length: 24 * 4, t: 1, hyper });
    await step.submit();
    const after = await g.download(buffers.w, w.length);
    expect(new Uint32Array(after.buffer)).toEqual(new Uint32Array(w.buffer));
    expect(await g.download(buffers.a, 4 * 32)).not.toEqual(randomArray(4 * 32, 2));
    for (const b of Object.values(buffers)) g.release(b);
  });

  it("linearForward/linearBackward compute x·Wᵀ, dy·W and accumulate dyᵀ·x", async () => {
    const [rows, inF, outF] = [12, 20, 8];
    const x = randomArray(rows * inF, 1);
    const w = randomArray(outF * inF, 2);
    const dy = randomArray(rows * outF, 3);
    const dw0 = randomArray(outF * inF, 4);
    const got = await runKernels(
      gpu(),
      { x, w, dy },
      { y: rows * outF, dx: rows * inF, dw: dw0.slice() },
      (step, b) => {
        linearForward(step, { x: b.x, w: b.w, y: b.y, rows, inFeatures: inF, outFeatures: outF });
        linearBackward(step, { ...b, rows, inFeatures: inF, outFeatures: outF });
      },
    );
    expect(relError(got.y, matmulRef(x, w, rows, outF, inF, { transB: true }))).toBeLessThan(TOL);
    expect(relError(got.dx, matmulRef(dy, w, rows, inF, outF))).toBeLessThan(TOL);
    const dw = matmulRef(dy, x, outF, inF, rows, { transA: true, beta: 1, c: dw0 });
    expect(relError(got.dw, dw)).toBeLessThan(TOL);
  });
});
