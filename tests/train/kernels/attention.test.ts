// Causal grouped-query attention on the GPU against reference.ts, forward and backward.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { attentionBackward, attentionForward } from "../../../runtime/train/kernels/attention.ts";
import { attentionBackwardRef, attentionRef } from "../../../runtime/train/kernels/reference.ts";
import { randomArray, relError, runKernels, useGpu } from "./helpers.ts";

const gpu = useGpu();
// Softmax (exp) and sums over ≤ 10 keys and ≤ 16 dims in f32: 1e-5 relative to the output scale.
const TOL = 1e-5;

describe("attention", () => {
  it("matches the reference forward and backward on random GQA shapes", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          batch: fc.integer({ min: 1, max: 2 }),
          seq: fc.integer({ min: 1, max: 9 }),
          kvHeads: fc.integer({ min: 1, max: 3 }),
          group: fc.integer({ min: 1, max: 3 }),
          headDim: fc.constantFrom(1, 4, 7, 16, 32),
        }),
        async ({ batch, seq, kvHeads, group, headDim }) => {
          const shape = { batch, seq, heads: kvHeads * group, kvHeads, headDim };
          const qLen = batch * seq * shape.heads * headDim;
          const kvLen = batch * seq * kvHeads * headDim;
          const q = randomArray(qLen, seq * 31 + headDim, 1.5);
          const k = randomArray(kvLen, seq * 37 + kvHeads, 1.5);
          const v = randomArray(kvLen, group * 41);
          const dOut = randomArray(qLen, batch * 43);
          const rows = batch * shape.heads * seq;
          const got = await runKernels(
            gpu(),
            { q, k, v, dOut },
            { out: qLen, lse: rows, dq: qLen, dk: kvLen, dv: kvLen, rowDot: rows },
            (step, b) => {
              attentionForward(step, { q: b.q, k: b.k, v: b.v, out: b.out, lse: b.lse, shape });
              attentionBackward(step, { ...b, shape });
            },
          );
          const back = attentionBackwardRef(q, k, v, dOut, shape);
          expect(relError(got.out, attentionRef(q, k, v, shape))).toBeLessThan(TOL);
          expect(relError(got.dq, back.dq)).toBeLessThan(TOL);
          expect(relError(got.dk, back.dk)).toBeLessThan(TOL);
          expect(relError(got.dv, back.dv)).toBeLessThan(TOL);
        },
      ),
      // hd = 32 always runs once: the vec4 code names eight per-row values, more than 16 does.
      { numRuns: 12, examples: [[{ batch: 2, seq: 5, kvHeads: 2, group: 2, headDim: 32 }]] },
    );
  });

  it("is causal: a later key or value never changes an earlier output", async () => {
    const shape = { batch: 1, seq: 6, heads: 2, kvHeads: 1, headDim: 4 };
    const q = randomArray(6 * 2 * 4, 1);
    const k = randomArray(6 * 4, 2);
    const v = randomArray(6 * 4, 3);
    const k2 = k.slice();
    const v2 = v.slice();
    for (let i = 5 * 4; i < 6 * 4; i++) {
      k2[i] = 100;
      v2[i] = -100;
    }
    const run = (kk: Float32Array, vv: Float32Array) =>
      runKernels(gpu(), { q, k: kk, v: vv }, { out: q.length, lse: 12 }, (step, b) =>
        attentionForward(step, { q: b.q, k: b.k, v: b.v, out: b.out, lse: b.lse, shape }),
      );
    const [base, changed] = [await run(k, v), await run(k2, v2)];
    expect(changed.out.subarray(0, 5 * 8)).toEqual(base.out.subarray(0, 5 * 8));
    expect(changed.out.subarray(5 * 8)).not.toEqual(base.out.subarray(5 * 8));
  });

  it("rejects heads that are not a multiple of the kv heads", async () => {
    const g = gpu();
    const buffer = g.buffer(1024);
    const step = g.step();
    const shape = { batch: 1, seq: 2, heads: 3, kvHeads: 2, headDim: 4 };
    expect(() =>
      attentionForward(step, { q: buffer, k: buffer, v: buffer, out: buffer, lse: buffer, shape }),
    ).toThrow(/num_attention_heads \(3\) must be a multiple of num_key_value_heads \(2\)/);
    await step.submit();
    g.release(buffer);
  });
});
