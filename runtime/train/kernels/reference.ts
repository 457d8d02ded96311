/**
 * Plain TypeScript references for every kernel in this folder, in f64, written for clarity over
 * speed. The GPU kernels are tested against these, and every backward here is tested against
 * central finite differences of its forward. Layouts match the kernels (see common.ts): row-major,
 * activations [rows, features], Hugging Face weights [out, in].
 */
type Vec = ArrayLike<number>;

export function matmulRef(
  a: Vec,
  b: Vec,
  m: number,
  n: number,
  k: number,
  opts: { transA?: boolean; transB?: boolean; alpha?: number; beta?: number; c?: Vec } = {},
): Float64Array {
  const out = new Float64Array(m * n);
  const alpha = opts.alpha ?? 1;
  const beta = opts.beta ?? 0;
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let sum = 0;
      for (let p = 0; p < k; p++) {
        const av = opts.transA ? a[p * m + i] : a[i * k + p];
        const bv = opts.transB ? b[j * k + p] : b[p * n + j];
        sum += av * bv;
      }
      out[i * n + j] = alpha * sum + (beta !== 0 && opts.c ? beta * opts.c[i * n + j] : 0);
    }
  }
  return out;
}

export function embeddingRef(table: Vec, ids: ArrayLike<number>, dim: number): Float64Array {
  const out = new Float64Array(ids.length * dim);
  for (let t = 0; t < ids.length; t++) {
    for (let d = 0; d < dim; d++) out[t * dim + d] = table[ids[t] * dim + d];
  }
  return out;
}

export function embeddingBackwardRef(
  dOut: Vec,
  ids: ArrayLike<number>,
  vocab: number,
  dim: number,
): Float64Array {
  const dTable = new Float64Array(vocab * dim);
  for (let t = 0; t < ids.length; t++) {
    for (let d = 0; d < dim; d++) dTable[ids[t] * dim + d] += dOut[t * dim + d];
  }
  return dTable;
}

export function rmsnormRef(
  x: Vec,
  w: Vec,
  rows: number,
  dim: number,
  eps: number,
): { y: Float64Array; rstd: Float64Array } {
  const y = new Float64Array(rows * dim);
  const rstd = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    let sumSq = 0;
    for (let d = 0; d < dim; d++) sumSq += x[r * dim + d] ** 2;
    const s = 1 / Math.sqrt(sumSq / dim + eps);
    rstd[r] = s;
    for (let d = 0; d < dim; d++) y[r * dim + d] = x[r * dim + d] * s * w[d];
  }
  return { y, rstd };
}

export function rmsnormBackwardRef(
  x: Vec,
  w: Vec,
  dy: Vec,
  rows: number,
  dim: number,
  eps: number,
): { dx: Float64Array; dw: Float64Array } {
  const dx = new Float64Array(rows * dim);
  const dw = new Float64Array(dim);
  const { rstd } = rmsnormRef(x, w, rows, dim, eps);
  for (let r = 0; r < rows; r++) {
    const s = rstd[r];
    let dot = 0;
    for (let d = 0; d < dim; d++) dot += dy[r * dim + d] * w[d] * x[r * dim + d];
    for (let d = 0; d < dim; d++) {
      const i = r * dim + d;
      dx[i] = s * (dy[i] * w[d] - (x[i] * s * s * dot) / dim);
      dw[d] += dy[i] * x[i] * s;
    }
  }
  return { dx, dw };
}

/** RoPE, rotate-half (HF Llama): pairs (i, i + hd/2) rotate by pos·theta^(-2i/hd). */
export function ropeRef(
  x: Vec,
  positions: ArrayLike<number>,
  heads: number,
  headDim: number,
  theta: number,
  inverse = false,
): Float64Array {
  const rows = positions.length;
  const half = headDim / 2;
  const out = new Float64Array(rows * heads * headDim);
  for (let r = 0; r < rows; r++) {
    for (let h = 0; h < heads; h++) {
      const base = (r * heads + h) * headDim;
      for (let i = 0; i < half; i++) {
        const angle = positions[r] * theta ** ((-2 * i) / headDim);
        const cos = Math.cos(angle);
        const sin = inverse ? -Math.sin(angle) : Math.sin(angle);
        const x1 = x[base + i];
        const x2 = x[base + i + half];
        out[base + i] = x1 * cos - x2 * sin;
        out[base + i + half] = x2 * cos + x1 * sin;
      }
    }
  }
  return out;
}

export interface AttentionShape {
  batch: number;
  seq: number;
  heads: number;
  kvHeads: number;
  headDim: number;
}

/** Causal softmax(q·kᵀ/√hd)·v per sequence, grouped-query: query head h reads kv head h/(heads/kvHeads). */
export function attentionRef(q: Vec, k: Vec, v: Vec, s: AttentionShape): Float64Array {
  const { batch, seq, heads, kvHeads, headDim } = s;
  const group = heads / kvHeads;
  const scale = 1 / Math.sqrt(headDim);
  const out = new Float64Array(batch * seq * heads * headDim);
  const qAt = (b: number, t: number, h: number, d: number) => q[((b * seq + t) * heads + h) * headDim + d];
  const kvAt = (x: Vec, b: number, t: number, g: number, d: number) =>
    x[((b * seq + t) * kvHeads + g) * headDim + d];
  for (let b = 0; b < batch; b++) {
    for (let h = 0; h < heads; h++) {
      const g = Math.floor(h / group);
      for (let t = 0; t < seq; t++) {
        const scores = new Float64Array(t + 1);
        let max = -Infinity;
        for (let u = 0; u <= t; u++) {
          let dot = 0;
          for (let d = 0; d < headDim; d++) dot += qAt(b, t, h, d) * kvAt(k, b, u, g, d);
          scores[u] = dot * scale;
          max = Math.max(max, scores[u]);
        }
        let sum = 0;
        for (let u = 0; u <= t; u++) {
          scores[u] = Math.exp(scores[u] - max);
          sum += scores[u];
        }
        for (let d = 0; d < headDim; d++) {
          let acc = 0;
          for (let u = 0; u <= t; u++) acc += (scores[u] / sum) * kvAt(v, b, u, g, d);
          out[((b * seq + t) * heads + h) * headDim + d] = acc;
        }
      }
    }
  }
  return out;
}

export function attentionBackwardRef(
  q: Vec,
  k: Vec,
  v: Vec,
  dOut: Vec,
  s: AttentionShape,
): { dq: Float64Array; dk: Float64Array; dv: Float64Array } {
  const { batch, seq, heads, kvHeads, headDim } = s;
  const group = heads / kvHeads;
  const scale = 1 / Math.sqrt(headDim);
  const dq = new Float64Array(q.length);
  const dk = new Float64Array(k.length);
  const dv = new Float64Array(v.length);
  const qi = (b: number, t: number, h: number) => ((b * seq + t) * heads + h) * headDim;
  const ki = (b: number, t: number, g: number) => ((b * seq + t) * kvHeads + g) * headDim;
  for (let b = 0; b < batch; b++) {
    for (let h = 0; h < heads; h++) {
      const g = Math.floor(h / group);
      for (let t = 0; t < seq; t++) {
        const p = new Float64Array(t + 1);
        let max = -Infinity;
        for (let u = 0; u <= t; u++) {
          let dot = 0;
          for (let d = 0; d < headDim; d++) dot += q[qi(b, t, h) + d] * k[ki(b, u, g) + d];
          p[u] = dot * scale;
          max = Math.max(max, p[u]);
        }
        let sum = 0;
        for (let u = 0; u <= t; u++) {
          p[u] = Math.exp(p[u] - max);
          sum += p[u];
        }
        for (let u = 0; u <= t; u++) p[u] /= sum;
        // dP = dO·vᵀ; dS = P ⊙ (dP − Σ P⊙dP)
        const dp = new Float64Array(t + 1);
        let rowDot = 0;
        for (let u = 0; u <= t; u++) {
          for (let d = 0; d < headDim; d++) dp[u] += dOut[qi(b, t, h) + d] * v[ki(b, u, g) + d];
          rowDot += p[u] * dp[u];
        }
        for (let u = 0; u <= t; u++) {
          const ds = p[u] * (dp[u] - rowDot) * scale;
          for (let d = 0; d < headDim; d++) {
            dq[qi(b, t, h) + d] += ds * k[ki(b, u, g) + d];
            dk[ki(b, u, g) + d] += ds * q[qi(b, t, h) + d];
            dv[ki(b, u, g) + d] += p[u] * dOut[qi(b, t, h) + d];
          }
        }
      }
    }
  }
  return { dq, dk, dv };
}

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

export function swigluRef(gate: Vec, up: Vec): Float64Array {
  const out = new Float64Array(gate.length);
  for (let i = 0; i < gate.length; i++) out[i] = gate[i] * sigmoid(gate[i]) * up[i];
  return out;
}

export function swigluBackwardRef(gate: Vec, up: Vec, dOut: Vec): { dGate: Float64Array; dUp: Float64Array } {
  const dGate = new Float64Array(gate.length);
  const dUp = new Float64Array(gate.length);
  for (let i = 0; i < gate.length; i++) {
    const s = sigmoid(gate[i]);
    dUp[i] = dOut[i] * gate[i] * s;
    dGate[i] = dOut[i] * up[i] * s * (1 + gate[i] * (1 - s));
  }
  return { dGate, dUp };
}

/** Mean over unmasked rows of −log softmax(logits)[target]; 0 when every row is masked. */
export function crossEntropyRef(
  logits: Vec,
  targets: ArrayLike<number>,
  mask: ArrayLike<number>,
  rows: number,
  vocab: number,
): { loss: number; dLogits: Float64Array } {
  const dLogits = new Float64Array(rows * vocab);
  let count = 0;
  for (let r = 0; r < rows; r++) if (mask[r] !== 0) count++;
  let total = 0;
  for (let r = 0; r < rows; r++) {
    if (mask[r] === 0) continue;
    let max = -Infinity;
    for (let v = 0; v < vocab; v++) max = Math.max(max, logits[r * vocab + v]);
    let sum = 0;
    for (let v = 0; v < vocab; v++) sum += Math.exp(logits[r * vocab + v] - max);
    const lse = max + Math.log(sum);
    total += lse - logits[r * vocab + targets[r]];
    for (let v = 0; v < vocab; v++) {
      const prob = Math.exp(logits[r * vocab + v] - lse);
      dLogits[r * vocab + v] = (prob - (v === targets[r] ? 1 : 0)) / count;
    }
  }
  return { loss: count === 0 ? 0 : total / count, dLogits };
}

export interface AdamWConfig {
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
}

/** One PyTorch-style AdamW step (decoupled weight decay, bias correction); `t` counts from 1. */
export function adamwStepRef(
  param: Float64Array,
  grad: Vec,
  m: Float64Array,
  v: Float64Array,
  t: number,
  c: AdamWConfig,
  gradScale = 1,
): void {
  const bc1 = 1 - c.beta1 ** t;
  const bc2 = 1 - c.beta2 ** t;
  for (let i = 0; i < param.length; i++) {
    const g = grad[i] * gradScale;
    param[i] *= 1 - c.lr * c.weightDecay;
    m[i] = c.beta1 * m[i] + (1 - c.beta1) * g;
    v[i] = c.beta2 * v[i] + (1 - c.beta2) * g * g;
    param[i] -= (c.lr * (m[i] / bc1)) / (Math.sqrt(v[i] / bc2) + c.eps);
  }
}

/** torch.nn.utils.clip_grad_norm_: the total L2 norm, and the factor min(1, max/(norm + 1e-6)). */
export function gradNormRef(grads: Vec[], maxNorm: number): { norm: number; scale: number } {
  let sumSq = 0;
  for (const g of grads) for (let i = 0; i < g.length; i++) sumSq += g[i] * g[i];
  const norm = Math.sqrt(sumSq);
  return { norm, scale: Math.min(1, maxNorm / (norm + 1e-6)) };
}

/** LoRA: y = x·Wᵀ + (alpha/rank)·(x·Aᵀ)·Bᵀ with x [rows, in], W [out, in], A [rank, in], B [out, rank]. */
export function loraRef(
  x: Vec,
  w: Vec,
  a: Vec,
  b: Vec,
  rows: number,
  inF: number,
  outF: number,
  rank: number,
  alpha: number,
): Float64Array {
  const h = matmulRef(x, a, rows, rank, inF, { transB: true });
  const y = matmulRef(x, w, rows, outF, inF, { transB: true });
  const low = matmulRef(h, b, rows, outF, rank, { transB: true, alpha: alpha / rank });
  for (let i = 0; i < y.length; i++) y[i] += low[i];
  return y;
}

export function loraBackwardRef(
  x: Vec,
  w: Vec,
  a: Vec,
  b: Vec,
  dy: Vec,
  rows: number,
  inF: number,
  outF: number,
  rank: number,
  alpha: number,
): { dx: Float64Array; dA: Float64Array; dB: Float64Array } {
  const s = alpha / rank;
  const h = matmulRef(x, a, rows, rank, inF, { transB: true });
  const dB = matmulRef(dy, h, outF, rank, rows, { transA: true, alpha: s });
  const dh = matmulRef(dy, b, rows, rank, outF, { alpha: s });
  const dA = matmulRef(dh, x, rank, inF, rows, { transA: true });
  const dx = matmulRef(dy, w, rows, inF, outF);
  const dxLow = matmulRef(dh, a, rows, inF, rank);
  for (let i = 0; i < dx.length; i++) dx[i] += dxLow[i];
  return { dx, dA, dB };
}
