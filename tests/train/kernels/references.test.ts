// Every backward in reference.ts against central finite differences of its forward (f64, CPU).
import { describe, expect, it } from "vitest";
import * as ref from "../../../runtime/train/kernels/reference.ts";
import { dot, finiteDifferences, randomArray, relError } from "./helpers.ts";

const f64 = (x: ArrayLike<number>) => Float64Array.from(x);
// Central differences with h = 1e-6 in f64 are accurate to ~1e-8 relative on these smooth functions.
const FD_TOL = 1e-6;

function checkGradient(f: (x: Float64Array) => number, x: Float64Array, analytic: ArrayLike<number>): void {
  const numeric = finiteDifferences(f, x);
  expect(
    relError(
      analytic,
      numeric.map(([, d]) => d),
    ),
  ).toBeLessThan(FD_TOL);
}

describe("reference backward passes match finite differences", () => {
  it("matmul (all forms)", () => {
    const [m, n, k] = [3, 4, 5];
    for (const [transA, transB] of [
      [false, false],
      [false, true],
      [true, false],
      [true, true],
    ]) {
      const a = f64(randomArray(m * k, 1));
      const b = f64(randomArray(k * n, 2));
      const w = f64(randomArray(m * n, 3));
      // The gradient of Σ w⊙(op(A)·op(B)) is w·op(B)ᵀ for op(A) and op(A)ᵀ·w for op(B).
      const dOpA = ref.matmulRef(w, b, m, k, n, { transB: !transB });
      const dOpB = ref.matmulRef(a, w, k, n, m, { transA: !transA });
      const dA = transA ? transpose(dOpA, m, k) : dOpA;
      const dB = transB ? transpose(dOpB, k, n) : dOpB;
      checkGradient((x) => dot(w, ref.matmulRef(x, b, m, n, k, { transA, transB })), a, dA);
      checkGradient((x) => dot(w, ref.matmulRef(a, x, m, n, k, { transA, transB })), b, dB);
    }
  });

  it("embedding", () => {
    const ids = Uint32Array.from([2, 0, 2, 3]);
    const table = f64(randomArray(5 * 3, 4));
    const w = f64(randomArray(ids.length * 3, 5));
    checkGradient((x) => dot(w, ref.embeddingRef(x, ids, 3)), table, ref.embeddingBackwardRef(w, ids, 5, 3));
  });

  it("rmsnorm (x and w)", () => {
    const [rows, dim, eps] = [3, 7, 1e-5];
    const x = f64(randomArray(rows * dim, 6));
    const wt = f64(randomArray(dim, 7));
    const dy = f64(randomArray(rows * dim, 8));
    const { dx, dw } = ref.rmsnormBackwardRef(x, wt, dy, rows, dim, eps);
    checkGradient((v) => dot(dy, ref.rmsnormRef(v, wt, rows, dim, eps).y), x, dx);
    checkGradient((v) => dot(dy, ref.rmsnormRef(x, v, rows, dim, eps).y), wt, dw);
  });

  it("rope (the inverse rotation is the backward)", () => {
    const positions = [0, 3, 7];
    const [heads, hd, theta] = [2, 6, 10000];
    const x = f64(randomArray(positions.length * heads * hd, 9));
    const dy = f64(randomArray(x.length, 10));
    const dx = ref.ropeRef(dy, positions, heads, hd, theta, true);
    checkGradient((v) => dot(dy, ref.ropeRef(v, positions, heads, hd, theta)), x, dx);
  });

  it("attention with grouped-query heads (q, k, v)", () => {
    const s = { batch: 2, seq: 4, heads: 4, kvHeads: 2, headDim: 3 };
    const q = f64(randomArray(s.batch * s.seq * s.heads * s.headDim, 11));
    const k = f64(randomArray(s.batch * s.seq * s.kvHeads * s.headDim, 12));
    const v = f64(randomArray(k.length, 13));
    const dOut = f64(randomArray(q.length, 14));
    const { dq, dk, dv } = ref.attentionBackwardRef(q, k, v, dOut, s);
    checkGradient((x) => dot(dOut, ref.attentionRef(x, k, v, s)), q, dq);
    checkGradient((x) => dot(dOut, ref.attentionRef(q, x, v, s)), k, dk);
    checkGradient((x) => dot(dOut, ref.attentionRef(q, k, x, s)), v, dv);
  });

  it("swiglu (gate and up)", () => {
    const gate = f64(randomArray(9, 15, 4));
    const up = f64(randomArray(9, 16));
    const dOut = f64(randomArray(9, 17));
    const { dGate, dUp } = ref.swigluBackwardRef(gate, up, dOut);
    checkGradient((x) => dot(dOut, ref.swigluRef(x, up)), gate, dGate);
    checkGradient((x) => dot(dOut, ref.swigluRef(gate, x)), up, dUp);
  });

  it("masked cross-entropy", () => {
    const [rows, vocab] = [4, 6];
    const logits = f64(randomArray(rows * vocab, 18, 3));
    const targets = [1, 5, 0, 2];
    const mask = [1, 0, 1, 1];
    const { dLogits } = ref.crossEntropyRef(logits, targets, mask, rows, vocab);
    checkGradient((x) => ref.crossEntropyRef(x, targets, mask, rows, vocab).loss, logits, dLogits);
  });

  it("lora (x, A, B)", () => {
    const [rows, inF, outF, rank, alpha] = [3, 5, 4, 2, 4];
    const x = f64(randomArray(rows * inF, 19));
    const w = f64(randomArray(outF * inF, 20));
    const a = f64(randomArray(rank * inF, 21));
    const b = f64(randomArray(outF * rank, 22));
    const dy = f64(randomArray(rows * outF, 23));
    const g = ref.loraBackwardRef(x, w, a, b, dy, rows, inF, outF, rank, alpha);
    checkGradient((v) => dot(dy, ref.loraRef(v, w, a, b, rows, inF, outF, rank, alpha)), x, g.dx);
    checkGradient((v) => dot(dy, ref.loraRef(x, w, v, b, rows, inF, outF, rank, alpha)), a, g.dA);
    checkGradient((v) => dot(dy, ref.loraRef(x, w, a, v, rows, inF, outF, rank, alpha)), b, g.dB);
  });
});

function transpose(x: Float64Array, rows: number, cols: number): Float64Array {
  const out = new Float64Array(x.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = x[r * cols + c];
  return out;
}
