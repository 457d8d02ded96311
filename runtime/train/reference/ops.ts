/**
 * The reference decoder's operations, each forward beside its hand-written backward (llm.c style).
 * Everything is Float64 so finite-difference checks are tight; tensors are flat row-major arrays with
 * N = batch·time rows. Backward functions ACCUMULATE (+=) into their gradient outputs, so callers
 * zero gradients once per step and shared inputs (residuals) simply add up.
 */

export type Vec = Float64Array;

// ---------------------------------------------------------------------------------------------
// Linear (torch.nn.Linear without bias): y[n, o] = Σ_i x[n, i] · W[o, i], W is [out, in].

export function linearForward(y: Vec, x: Vec, w: Vec, rows: number, inF: number, outF: number): void {
  // A 2×4 block of outputs per pass: each loaded x element feeds four accumulators and each loaded
  // weight two, which is what makes plain JavaScript loops run near a GFLOP/s.
  let n = 0;
  for (; n + 2 <= rows; n += 2) {
    const x0 = n * inF;
    const x1 = x0 + inF;
    const y0 = n * outF;
    const y1 = y0 + outF;
    let o = 0;
    for (; o + 4 <= outF; o += 4) {
      const w0 = o * inF;
      const w1 = w0 + inF;
      const w2 = w1 + inF;
      const w3 = w2 + inF;
      let a0 = 0;
      let a1 = 0;
      let a2 = 0;
      let a3 = 0;
      let b0 = 0;
      let b1 = 0;
      let b2 = 0;
      let b3 = 0;
      for (let i = 0; i < inF; i++) {
        const p = x[x0 + i];
        const q = x[x1 + i];
        const u0 = w[w0 + i];
        const u1 = w[w1 + i];
        const u2 = w[w2 + i];
        const u3 = w[w3 + i];
        a0 += p * u0;
        a1 += p * u1;
        a2 += p * u2;
        a3 += p * u3;
        b0 += q * u0;
        b1 += q * u1;
        b2 += q * u2;
        b3 += q * u3;
      }
      y[y0 + o] = a0;
      y[y0 + o + 1] = a1;
      y[y0 + o + 2] = a2;
      y[y0 + o + 3] = a3;
      y[y1 + o] = b0;
      y[y1 + o + 1] = b1;
      y[y1 + o + 2] = b2;
      y[y1 + o + 3] = b3;
    }
    for (; o < outF; o++) {
      const wRow = o * inF;
      let a = 0;
      let b = 0;
      for (let i = 0; i < inF; i++) {
        a += x[x0 + i] * w[wRow + i];
        b += x[x1 + i] * w[wRow + i];
      }
      y[y0 + o] = a;
      y[y1 + o] = b;
    }
  }
  for (; n < rows; n++) {
    for (let o = 0; o < outF; o++) {
      let sum = 0;
      for (let i = 0; i < inF; i++) sum += x[n * inF + i] * w[o * inF + i];
      y[n * outF + o] = sum;
    }
  }
}

/** dx += dy·W, dW += dyᵀ·x; pass null for a gradient that is not needed (frozen weight, token input). */
export function linearBackward(
  dx: Vec | null,
  dw: Vec | null,
  dy: Vec,
  x: Vec,
  w: Vec,
  rows: number,
  inF: number,
  outF: number,
): void {
  // dx row n = Σ_o dy[n, o] · W[o, :]; dW row o = Σ_n dy[n, o] · x[n, :].
  if (dx) accumulateProducts(dx, dy, w, rows, outF, inF, 1, outF);
  if (dw) accumulateProducts(dw, dy, x, outF, rows, inF, outF, 1);
}

/**
 * out[r, :] += Σ_k coefficient(r, k) · source[k, :], with coefficient(r, k) = coefficients[r·rStride + k·kStride].
 * Rows have `width` elements. Two output rows and four source rows per pass, so each loaded element
 * is used several times.
 */
function accumulateProducts(
  out: Vec,
  coefficients: Vec,
  source: Vec,
  outRows: number,
  terms: number,
  width: number,
  kStride: number,
  rStride: number,
): void {
  let r = 0;
  for (; r + 2 <= outRows; r += 2) {
    const out0 = r * width;
    const out1 = out0 + width;
    const c0 = r * rStride;
    const c1 = c0 + rStride;
    let k = 0;
    for (; k + 4 <= terms; k += 4) {
      const a0 = coefficients[c0 + k * kStride];
      const a1 = coefficients[c0 + (k + 1) * kStride];
      const a2 = coefficients[c0 + (k + 2) * kStride];
      const a3 = coefficients[c0 + (k + 3) * kStride];
      const b0 = coefficients[c1 + k * kStride];
      const b1 = coefficients[c1 + (k + 1) * kStride];
      const b2 = coefficients[c1 + (k + 2) * kStride];
      const b3 = coefficients[c1 + (k + 3) * kStride];
      const s0 = k * width;
      const s1 = s0 + width;
      const s2 = s1 + width;
      const s3 = s2 + width;
      for (let i = 0; i < width; i++) {
        const v0 = source[s0 + i];
        const v1 = source[s1 + i];
        const v2 = source[s2 + i];
        const v3 = source[s3 + i];
        out[out0 + i] += a0 * v0 + a1 * v1 + a2 * v2 + a3 * v3;
        out[out1 + i] += b0 * v0 + b1 * v1 + b2 * v2 + b3 * v3;
      }
    }
    for (; k < terms; k++) {
      const a = coefficients[c0 + k * kStride];
      const b = coefficients[c1 + k * kStride];
      const s = k * width;
      for (let i = 0; i < width; i++) {
        out[out0 + i] += a * source[s + i];
        out[out1 + i] += b * source[s + i];
      }
    }
  }
  for (; r < outRows; r++) {
    for (let k = 0; k < terms; k++) {
      const c = coefficients[r * rStride + k * kStride];
      if (c === 0) continue;
      for (let i = 0; i < width; i++) out[r * width + i] += c * source[k * width + i];
    }
  }
}

// ---------------------------------------------------------------------------------------------
// RMSNorm: y = x · rstd · w, rstd = 1 / sqrt(mean(x²) + eps) per row.

export function rmsnormForward(
  y: Vec,
  rstd: Vec,
  x: Vec,
  w: Vec,
  rows: number,
  c: number,
  eps: number,
): void {
  for (let n = 0; n < rows; n++) {
    const row = n * c;
    let sumSquares = 0;
    for (let i = 0; i < c; i++) sumSquares += x[row + i] * x[row + i];
    const r = 1 / Math.sqrt(sumSquares / c + eps);
    rstd[n] = r;
    for (let i = 0; i < c; i++) y[row + i] = x[row + i] * r * w[i];
  }
}

/** With g = dy·w and x̂ = x·rstd: dx = rstd·(g − x̂·mean(g·x̂)), dw += Σ_n dy·x̂. */
export function rmsnormBackward(
  dx: Vec,
  dw: Vec | null,
  dy: Vec,
  x: Vec,
  w: Vec,
  rstd: Vec,
  rows: number,
  c: number,
): void {
  for (let n = 0; n < rows; n++) {
    const row = n * c;
    const r = rstd[n];
    let dot = 0;
    for (let i = 0; i < c; i++) dot += dy[row + i] * w[i] * x[row + i] * r;
    const meanDot = dot / c;
    for (let i = 0; i < c; i++) {
      const normalized = x[row + i] * r;
      dx[row + i] += r * (dy[row + i] * w[i] - normalized * meanDot);
      if (dw) dw[i] += dy[row + i] * normalized;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// RoPE, Hugging Face's rotate-half convention: within each head, element i pairs with i + d/2 and
// both rotate by angle pos · θ^(−2i/d).

export interface RopeTables {
  headDim: number;
  /** [positions, headDim/2] */
  cos: Vec;
  sin: Vec;
}

export function ropeTables(headDim: number, theta: number, positions: number): RopeTables {
  const half = headDim / 2;
  const cos = new Float64Array(positions * half);
  const sin = new Float64Array(positions * half);
  for (let p = 0; p < positions; p++) {
    for (let i = 0; i < half; i++) {
      const angle = p * theta ** ((-2 * i) / headDim);
      cos[p * half + i] = Math.cos(angle);
      sin[p * half + i] = Math.sin(angle);
    }
  }
  return { headDim, cos, sin };
}

/** Rotates x ([rows, heads·headDim]) in place; row n sits at position positions[n]. */
export function ropeForward(x: Vec, positions: ArrayLike<number>, heads: number, tables: RopeTables): void {
  rotate(x, positions, heads, tables, 1);
}

/** The rotation is orthogonal, so the gradient rotates back by the opposite angle (in place). */
export function ropeBackward(dx: Vec, positions: ArrayLike<number>, heads: number, tables: RopeTables): void {
  rotate(dx, positions, heads, tables, -1);
}

function rotate(x: Vec, positions: ArrayLike<number>, heads: number, tables: RopeTables, direction: 1 | -1) {
  const d = tables.headDim;
  const half = d / 2;
  for (let n = 0; n < positions.length; n++) {
    const table = positions[n] * half;
    for (let h = 0; h < heads; h++) {
      const base = (n * heads + h) * d;
      for (let i = 0; i < half; i++) {
        const c = tables.cos[table + i];
        const s = direction * tables.sin[table + i];
        const first = x[base + i];
        const second = x[base + i + half];
        x[base + i] = first * c - second * s;
        x[base + i + half] = second * c + first * s;
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Causal grouped-query attention. q: [B, T, H·d], k and v: [B, T, Hkv·d], out: [B, T, H·d];
// query head h reads key/value head ⌊h / (H/Hkv)⌋. probs [B, H, T, T] is kept for the backward.

export interface AttentionShape {
  batch: number;
  time: number;
  heads: number;
  kvHeads: number;
  headDim: number;
}

export function attentionForward(out: Vec, probs: Vec, q: Vec, k: Vec, v: Vec, s: AttentionShape): void {
  const { batch, time, heads, kvHeads, headDim: d } = s;
  const group = heads / kvHeads;
  const scale = 1 / Math.sqrt(d);
  const qStride = heads * d;
  const kvStride = kvHeads * d;
  for (let b = 0; b < batch; b++) {
    for (let h = 0; h < heads; h++) {
      const kvh = Math.floor(h / group);
      for (let t = 0; t < time; t++) {
        const qBase = (b * time + t) * qStride + h * d;
        const pBase = ((b * heads + h) * time + t) * time;
        let max = Number.NEGATIVE_INFINITY;
        for (let u = 0; u <= t; u++) {
          const kBase = (b * time + u) * kvStride + kvh * d;
          let dot = 0;
          for (let i = 0; i < d; i++) dot += q[qBase + i] * k[kBase + i];
          probs[pBase + u] = dot * scale;
          if (probs[pBase + u] > max) max = probs[pBase + u];
        }
        let sum = 0;
        for (let u = 0; u <= t; u++) {
          probs[pBase + u] = Math.exp(probs[pBase + u] - max);
          sum += probs[pBase + u];
        }
        for (let u = 0; u <= t; u++) probs[pBase + u] /= sum;
        for (let u = t + 1; u < time; u++) probs[pBase + u] = 0;
        for (let i = 0; i < d; i++) out[qBase + i] = 0;
        for (let u = 0; u <= t; u++) {
          const p = probs[pBase + u];
          const vBase = (b * time + u) * kvStride + kvh * d;
          for (let i = 0; i < d; i++) out[qBase + i] += p * v[vBase + i];
        }
      }
    }
  }
}

/** dp = dout·v, dv += p·dout, softmax backward ds = p·(dp − Σ p·dp), dq += ds·k/√d, dk += ds·q/√d. */
export function attentionBackward(
  dq: Vec,
  dk: Vec,
  dv: Vec,
  dout: Vec,
  probs: Vec,
  q: Vec,
  k: Vec,
  v: Vec,
  s: AttentionShape,
): void {
  const { batch, time, heads, kvHeads, headDim: d } = s;
  const group = heads / kvHeads;
  const scale = 1 / Math.sqrt(d);
  const qStride = heads * d;
  const kvStride = kvHeads * d;
  const dp = new Float64Array(time);
  for (let b = 0; b < batch; b++) {
    for (let h = 0; h < heads; h++) {
      const kvh = Math.floor(h / group);
      for (let t = 0; t < time; t++) {
        const qBase = (b * time + t) * qStride + h * d;
        const pBase = ((b * heads + h) * time + t) * time;
        let weighted = 0;
        for (let u = 0; u <= t; u++) {
          const vBase = (b * time + u) * kvStride + kvh * d;
          const p = probs[pBase + u];
          let dot = 0;
          for (let i = 0; i < d; i++) {
            dot += dout[qBase + i] * v[vBase + i];
            dv[vBase + i] += p * dout[qBase + i];
          }
          dp[u] = dot;
          weighted += p * dot;
        }
        for (let u = 0; u <= t; u++) {
          const ds = probs[pBase + u] * (dp[u] - weighted) * scale;
          const kBase = (b * time + u) * kvStride + kvh * d;
          for (let i = 0; i < d; i++) {
            dq[qBase + i] += ds * k[kBase + i];
            dk[kBase + i] += ds * q[qBase + i];
          }
        }
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------
// SwiGLU: out = silu(gate) · up, silu(g) = g · σ(g).

export function swigluForward(out: Vec, gate: Vec, up: Vec): void {
  for (let i = 0; i < out.length; i++) {
    const g = gate[i];
    out[i] = (g / (1 + Math.exp(-g))) * up[i];
  }
}

/** dgate += dout · up · σ(g)·(1 + g·(1 − σ(g))), dup += dout · silu(g). */
export function swigluBackward(dgate: Vec, dup: Vec, dout: Vec, gate: Vec, up: Vec): void {
  for (let i = 0; i < dout.length; i++) {
    const g = gate[i];
    const sigmoid = 1 / (1 + Math.exp(-g));
    dgate[i] += dout[i] * up[i] * sigmoid * (1 + g * (1 - sigmoid));
    dup[i] += dout[i] * g * sigmoid;
  }
}

// ---------------------------------------------------------------------------------------------
// Embedding lookup: out[n] = E[ids[n]].

export function embeddingForward(out: Vec, ids: ArrayLike<number>, table: Vec, c: number): void {
  for (let n = 0; n < ids.length; n++) out.set(table.subarray(ids[n] * c, ids[n] * c + c), n * c);
}

export function embeddingBackward(dtable: Vec, dout: Vec, ids: ArrayLike<number>, c: number): void {
  for (let n = 0; n < ids.length; n++) {
    const row = ids[n] * c;
    for (let i = 0; i < c; i++) dtable[row + i] += dout[n * c + i];
  }
}

// ---------------------------------------------------------------------------------------------
// Residual add.

export function addForward(out: Vec, a: Vec, b: Vec): void {
  for (let i = 0; i < out.length; i++) out[i] = a[i] + b[i];
}

// ---------------------------------------------------------------------------------------------
// Masked mean cross-entropy over rows: loss = Σ_n m_n · (−log softmax(logits_n)[target_n]) / Σ_n m_n.
// Rows with mask 0 contribute nothing; a batch with no masked rows has loss 0.

export function crossEntropyForward(
  probs: Vec,
  logits: Vec,
  targets: ArrayLike<number>,
  mask: ArrayLike<number>,
  vocab: number,
): number {
  let total = 0;
  let count = 0;
  for (let n = 0; n < targets.length; n++) {
    const row = n * vocab;
    let max = Number.NEGATIVE_INFINITY;
    for (let j = 0; j < vocab; j++) if (logits[row + j] > max) max = logits[row + j];
    let sum = 0;
    for (let j = 0; j < vocab; j++) {
      probs[row + j] = Math.exp(logits[row + j] - max);
      sum += probs[row + j];
    }
    for (let j = 0; j < vocab; j++) probs[row + j] /= sum;
    if (mask[n]) {
      total += mask[n] * -Math.log(probs[row + targets[n]]);
      count += mask[n];
    }
  }
  return count > 0 ? total / count : 0;
}

/** dlogits += (softmax − onehot(target)) · m_n / Σ m. */
export function crossEntropyBackward(
  dlogits: Vec,
  probs: Vec,
  targets: ArrayLike<number>,
  mask: ArrayLike<number>,
  vocab: number,
): void {
  let count = 0;
  for (let n = 0; n < targets.length; n++) count += mask[n];
  if (count === 0) return;
  for (let n = 0; n < targets.length; n++) {
    if (!mask[n]) continue;
    const weight = mask[n] / count;
    const row = n * vocab;
    for (let j = 0; j < vocab; j++) dlogits[row + j] += probs[row + j] * weight;
    dlogits[row + targets[n]] -= weight;
  }
}
