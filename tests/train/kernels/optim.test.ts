// Masked cross-entropy, AdamW and global gradient-norm clipping on the GPU against reference.ts.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { adamwStep } from "../../../runtime/train/kernels/adamw.ts";
import { crossEntropyBackward, crossEntropyForward } from "../../../runtime/train/kernels/crossentropy.ts";
import { clipGradNorm, gradNormPartialCount } from "../../../runtime/train/kernels/gradclip.ts";
import { adamwStepRef, crossEntropyRef, gradNormRef } from "../../../runtime/train/kernels/reference.ts";
import { randomArray, relError, rng, runKernels, useGpu } from "./helpers.ts";

const gpu = useGpu();
// Log-sum-exp over ≤ 300 logits and a mean over ≤ 20 rows in f32: 1e-5 relative.
const LOSS_TOL = 1e-5;

async function crossEntropy(logits: Float32Array, targets: Uint32Array, mask: Uint32Array, vocab: number) {
  const rows = targets.length;
  return runKernels(
    gpu(),
    { logits, targets, mask },
    { lse: rows, rowLoss: rows, loss: 2, dLogits: rows * vocab },
    (step, b) => {
      const args = { ...b, logits: b.logits, targets: b.targets, mask: b.mask, rows, vocab };
      crossEntropyForward(step, args);
      crossEntropyBackward(step, { ...args, dLogits: b.dLogits });
    },
  );
}

describe("masked cross-entropy", () => {
  it("matches the reference loss and gradient on random shapes and masks", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 20 }),
        fc.integer({ min: 2, max: 300 }),
        fc.integer(),
        async (rows, vocab, seed) => {
          const next = rng(seed);
          const logits = randomArray(rows * vocab, seed, 5);
          const targets = Uint32Array.from({ length: rows }, () => Math.floor(next() * vocab));
          const mask = Uint32Array.from({ length: rows }, () => (next() < 0.7 ? 1 : 0));
          const got = await crossEntropy(logits, targets, mask, vocab);
          const want = crossEntropyRef(logits, targets, mask, rows, vocab);
          expect(Math.abs(got.loss[0] - want.loss)).toBeLessThan(LOSS_TOL * Math.max(1, want.loss));
          expect(got.loss[1]).toBe(mask.reduce((n, m) => n + (m ? 1 : 0), 0));
          expect(relError(got.dLogits, want.dLogits)).toBeLessThan(LOSS_TOL);
        },
      ),
      { numRuns: 12 },
    );
  });

  it("ignores masked tokens exactly, whatever their logits and targets hold", async () => {
    const [rows, vocab] = [5, 11];
    const logits = randomArray(rows * vocab, 3, 4);
    const targets = Uint32Array.from([1, 2, 3, 4, 5]);
    const mask = Uint32Array.from([1, 0, 1, 0, 1]);
    const base = await crossEntropy(logits, targets, mask, vocab);
    const poisoned = logits.slice();
    for (const row of [1, 3])
      for (let v = 0; v < vocab; v++) poisoned[row * vocab + v] = v % 2 ? 1e30 : Number.NaN;
    const changedTargets = Uint32Array.from([1, 9, 3, 0, 5]);
    const after = await crossEntropy(poisoned, changedTargets, mask, vocab);
    expect(after.loss).toEqual(base.loss);
    expect(after.dLogits).toEqual(base.dLogits);
    for (const row of [1, 3])
      expect(base.dLogits.subarray(row * vocab, (row + 1) * vocab).every((x) => x === 0)).toBe(true);
  });

  it("gives loss 0 and zero gradients when every token is masked", async () => {
    const got = await crossEntropy(randomArray(12, 1), Uint32Array.from([0, 1, 2]), new Uint32Array(3), 4);
    expect([...got.loss]).toEqual([0, 0]);
    expect(got.dLogits.every((x) => x === 0)).toBe(true);
  });
});

describe("AdamW", () => {
  it("N steps equal the reference (β 0.9/0.95, weight decay, bias correction)", async () => {
    const length = 203;
    const hyper = { lr: 1e-2, beta1: 0.9, beta2: 0.95, eps: 1e-8, weightDecay: 0.1 };
    const param = randomArray(length, 1);
    const g = gpu();
    const [p, grad, m, v] = [
      g.upload(param),
      g.buffer(length * 4),
      g.buffer(length * 4),
      g.buffer(length * 4),
    ];
    const want = Float64Array.from(param);
    const [wm, wv] = [new Float64Array(length), new Float64Array(length)];
    const first = g.step();
    first.clear(m);
    first.clear(v);
    await first.submit();
    for (let t = 1; t <= 6; t++) {
      const gradient = randomArray(length, 100 + t);
      g.write(grad, gradient);
      const step = g.step();
      adamwStep(step, { param: p, grad, m, v, length, t, hyper });
      await step.submit();
      adamwStepRef(want, gradient, wm, wv, t, hyper);
    }
    // Six updates of size ≤ lr each, f32 arithmetic: within 1e-6 of the f64 trajectory.
    const got = await g.download(p, length);
    let worst = 0;
    for (let i = 0; i < length; i++) worst = Math.max(worst, Math.abs(got[i] - want[i]));
    expect(worst).toBeLessThan(1e-6);
    expect(relError(await g.download(v, length), wv)).toBeLessThan(1e-5);
    for (const b of [p, grad, m, v]) g.release(b);
  });
});

describe("global gradient-norm clipping", () => {
  it("computes the total norm over several buffers, and the clip scale", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 1, max: 3000 }), { minLength: 1, maxLength: 4 }),
        fc.constantFrom(0.5, 1, 1e6),
        async (lengths, maxNorm) => {
          const grads = lengths.map((n, i) => randomArray(n, n + i));
          const inputs = Object.fromEntries(grads.map((g, i) => [`g${i}`, g]));
          const got = await runKernels(
            gpu(),
            inputs,
            { partials: gradNormPartialCount(lengths), clip: 2 },
            (step, b) =>
              clipGradNorm(step, {
                grads: lengths.map((length, i) => ({ buffer: b[`g${i}`], length })),
                partials: b.partials,
                clip: b.clip,
                maxNorm,
              }),
          );
          const want = gradNormRef(grads, maxNorm);
          expect(Math.abs(got.clip[0] - want.norm) / want.norm).toBeLessThan(1e-5);
          expect(Math.abs(got.clip[1] - want.scale)).toBeLessThan(1e-5 * want.scale);
        },
      ),
      { numRuns: 10 },
    );
  });

  it("apply: true scales every gradient so the clipped norm is maxNorm", async () => {
    const grads = [randomArray(500, 1, 3), randomArray(77, 2, 3)];
    const got = await runKernels(
      gpu(),
      {},
      { g0: grads[0].slice(), g1: grads[1].slice(), partials: gradNormPartialCount([500, 77]), clip: 2 },
      (step, b) =>
        clipGradNorm(step, {
          grads: [
            { buffer: b.g0, length: 500 },
            { buffer: b.g1, length: 77 },
          ],
          partials: b.partials,
          clip: b.clip,
          maxNorm: 1,
          apply: true,
        }),
    );
    const { norm } = gradNormRef([got.g0, got.g1], 1);
    expect(norm).toBeCloseTo(1, 5);
    expect(got.clip[1]).toBeLessThan(1);
  });
});
