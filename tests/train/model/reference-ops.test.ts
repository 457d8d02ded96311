import { describe, expect, it } from "vitest";
import {
  type AttentionShape,
  attentionBackward,
  attentionForward,
  crossEntropyBackward,
  crossEntropyForward,
  embeddingBackward,
  embeddingForward,
  linearBackward,
  linearForward,
  rmsnormBackward,
  rmsnormForward,
  ropeBackward,
  ropeForward,
  ropeTables,
  swigluBackward,
  swigluForward,
} from "../../../runtime/train/reference/ops.ts";
import { dot, expectGradientMatches, randomVec } from "./gradcheck.ts";

// Each op's backward against central finite differences of L = <op(inputs), R> for a random R.

describe("reference ops: backward matches finite differences (f64)", () => {
  it("linear", () => {
    const [rows, inF, outF] = [3, 5, 4];
    const x = randomVec(rows * inF, 1);
    const w = randomVec(outF * inF, 2);
    const r = randomVec(rows * outF, 3);
    const loss = () => {
      const y = new Float64Array(rows * outF);
      linearForward(y, x, w, rows, inF, outF);
      return dot(y, r);
    };
    const dx = new Float64Array(x.length);
    const dw = new Float64Array(w.length);
    linearBackward(dx, dw, r, x, w, rows, inF, outF);
    expectGradientMatches(loss, x, dx);
    expectGradientMatches(loss, w, dw);
  });

  it("rmsnorm", () => {
    const [rows, c] = [3, 6];
    const x = randomVec(rows * c, 4);
    const w = randomVec(c, 5);
    const r = randomVec(rows * c, 6);
    const rstd = new Float64Array(rows);
    const loss = () => {
      const y = new Float64Array(rows * c);
      rmsnormForward(y, rstd, x, w, rows, c, 1e-5);
      return dot(y, r);
    };
    loss();
    const dx = new Float64Array(x.length);
    const dw = new Float64Array(w.length);
    rmsnormBackward(dx, dw, r, x, w, rstd, rows, c);
    expectGradientMatches(loss, x, dx);
    expectGradientMatches(loss, w, dw);
  });

  it("rope (rotate-half, HF convention)", () => {
    const [rows, heads, d] = [4, 2, 6];
    const tables = ropeTables(d, 10000, 16);
    const positions = [0, 3, 7, 15];
    const x = randomVec(rows * heads * d, 7);
    const r = randomVec(x.length, 8);
    const loss = () => {
      const y = Float64Array.from(x);
      ropeForward(y, positions, heads, tables);
      return dot(y, r);
    };
    const dx = Float64Array.from(r);
    ropeBackward(dx, positions, heads, tables);
    expectGradientMatches(loss, x, dx);
    // Position 0 is the identity; elsewhere element i pairs with i + d/2.
    const y = Float64Array.from(x);
    ropeForward(y, positions, heads, tables);
    expect(Array.from(y.subarray(0, heads * d))).toEqual(Array.from(x.subarray(0, heads * d)));
    const angle = 3 * 10000 ** (-2 / d); // row 1, pair i = 1
    const base = 1 * heads * d;
    expect(y[base + 1]).toBeCloseTo(
      x[base + 1] * Math.cos(angle) - x[base + 1 + d / 2] * Math.sin(angle),
      12,
    );
  });

  it("causal grouped-query attention", () => {
    const shape: AttentionShape = { batch: 2, time: 5, heads: 4, kvHeads: 2, headDim: 4 };
    const rows = shape.batch * shape.time;
    const q = randomVec(rows * shape.heads * shape.headDim, 9);
    const k = randomVec(rows * shape.kvHeads * shape.headDim, 10);
    const v = randomVec(rows * shape.kvHeads * shape.headDim, 11);
    const r = randomVec(q.length, 12);
    const probs = new Float64Array(shape.batch * shape.heads * shape.time * shape.time);
    const loss = () => {
      const out = new Float64Array(q.length);
      attentionForward(out, probs, q, k, v, shape);
      return dot(out, r);
    };
    loss();
    const dq = new Float64Array(q.length);
    const dk = new Float64Array(k.length);
    const dv = new Float64Array(v.length);
    attentionBackward(dq, dk, dv, r, probs, q, k, v, shape);
    expectGradientMatches(loss, q, dq);
    expectGradientMatches(loss, k, dk);
    expectGradientMatches(loss, v, dv);
    // Causality: the first query of each row sees only its own value.
    const out = new Float64Array(q.length);
    attentionForward(out, probs, q, k, v, shape);
    for (let i = 0; i < shape.headDim; i++) expect(out[i]).toBeCloseTo(v[i], 12);
  });

  it("swiglu", () => {
    const gate = randomVec(12, 13, 2);
    const up = randomVec(12, 14);
    const r = randomVec(12, 15);
    const loss = () => {
      const out = new Float64Array(12);
      swigluForward(out, gate, up);
      return dot(out, r);
    };
    const dgate = new Float64Array(12);
    const dup = new Float64Array(12);
    swigluBackward(dgate, dup, r, gate, up);
    expectGradientMatches(loss, gate, dgate);
    expectGradientMatches(loss, up, dup);
  });

  it("embedding (repeated ids accumulate)", () => {
    const [vocab, c] = [5, 3];
    const table = randomVec(vocab * c, 16);
    const ids = [1, 4, 1, 0];
    const r = randomVec(ids.length * c, 17);
    const loss = () => {
      const out = new Float64Array(ids.length * c);
      embeddingForward(out, ids, table, c);
      return dot(out, r);
    };
    const dtable = new Float64Array(table.length);
    embeddingBackward(dtable, r, ids, c);
    expectGradientMatches(loss, table, dtable);
  });

  it("masked mean cross-entropy", () => {
    const [rows, vocab] = [4, 6];
    const logits = randomVec(rows * vocab, 18, 3);
    const targets = [2, 5, 0, 3];
    const mask = [1, 0, 1, 1];
    const probs = new Float64Array(rows * vocab);
    const loss = () => crossEntropyForward(probs, logits, targets, mask, vocab);
    loss();
    const dlogits = new Float64Array(logits.length);
    crossEntropyBackward(dlogits, probs, targets, mask, vocab);
    expectGradientMatches(loss, logits, dlogits);
    // The masked row contributes nothing.
    for (let j = 0; j < vocab; j++) expect(dlogits[vocab + j]).toBe(0);
    // Uniform logits give ln(vocab).
    expect(crossEntropyForward(probs, new Float64Array(rows * vocab), targets, mask, vocab)).toBeCloseTo(
      Math.log(vocab),
      12,
    );
  });
});
