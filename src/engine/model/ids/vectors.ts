/**
 * Item vectors that semantic IDs are cut from, built from training data only:
 *
 * - content: each item's words (title and topic words in a simulated world, the item's
 *   text when imported), weighted tf-idf, each row L2-normalised, then reduced to
 *   `rank` dimensions by a truncated SVD (LSA): shared words (topics) span the leading
 *   directions, words of one item alone fall away.
 * - cf: co-occurrence in the recommendation training sessions (each example links its
 *   target with every item of its history), log(1 + count), rows L2-normalised, then the
 *   same truncated SVD. An item no training session holds has the zero vector.
 * - joint: the content and cf vectors, each row L2-normalised, side by side.
 * - biencoder, biencoder-search, biencoder-rec: a bi-encoder's item tower trained on the
 *   training examples of both tasks or of one (run/biencoder.ts builds those).
 *
 * The SVD is randomised subspace iteration (Halko, Martinsson & Tropp 2011) on the
 * sparse rows, seeded; deterministic for a given seed.
 */
import { Rng } from '../../core/rng';
import { forEachCoOccurrence, type RecExamples } from '../../sim/examples';
import type { Task } from '../../core/encode';

export type IdSource = 'content' | 'cf' | 'joint';

/** The ID sources cut from a bi-encoder's item tower (run/biencoder.ts), and the tasks it trains on. */
export const BIENCODER_SOURCES = { biencoder: ['search', 'rec'], 'biencoder-search': ['search'], 'biencoder-rec': ['rec'] } as const satisfies Record<string, readonly Task[]>;

/** One sparse row per item: column indices and values. */
export interface SparseRows {
  cols: number;
  rows: { idx: Int32Array; val: Float64Array }[];
}

export interface ItemVectorInput {
  items: number;
  words: number;
  /** The words of each item (word ids, repeats allowed). */
  itemWords: ArrayLike<number>[];
  /** Recommendation training examples: histories (−1 = padding) and targets. */
  recTrain: RecExamples;
}

export const VECTOR_RANK = 32;

function fromMaps(cols: number, maps: Map<number, number>[]): SparseRows {
  return {
    cols,
    rows: maps.map((m) => {
      const idx = Int32Array.from([...m.keys()].sort((a, b) => a - b));
      return { idx, val: Float64Array.from(idx, (j) => m.get(j)!) };
    }),
  };
}

function normalizeRows(rows: SparseRows['rows']): void {
  for (const r of rows) {
    let norm = 0;
    for (let j = 0; j < r.val.length; j++) norm += r.val[j] ** 2;
    norm = Math.sqrt(norm);
    if (norm > 0) for (let j = 0; j < r.val.length; j++) r.val[j] /= norm;
  }
}

export function contentRows(inp: ItemVectorInput): SparseRows {
  const maps = inp.itemWords.map((ws) => {
    const m = new Map<number, number>();
    for (let j = 0; j < ws.length; j++) m.set(ws[j], (m.get(ws[j]) ?? 0) + 1);
    return m;
  });
  const df = new Float64Array(inp.words);
  for (const m of maps) for (const w of m.keys()) df[w]++;
  for (const m of maps) for (const [w, c] of m) m.set(w, (1 + Math.log(c)) * (Math.log((inp.items + 1) / (df[w] + 1)) + 1));
  const out = fromMaps(inp.words, maps);
  normalizeRows(out.rows);
  return out;
}

export function cfRows(inp: ItemVectorInput): SparseRows {
  const maps = Array.from({ length: inp.items }, () => new Map<number, number>());
  const r = inp.recTrain;
  const link = (a: number, b: number) => { maps[a].set(b, (maps[a].get(b) ?? 0) + 1); maps[b].set(a, (maps[b].get(a) ?? 0) + 1); };
  forEachCoOccurrence(r, link);
  for (const m of maps) for (const [j, c] of m) m.set(j, Math.log1p(c));
  const out = fromMaps(inp.items, maps);
  normalizeRows(out.rows);
  return out;
}

/** n × k dense (row-major) times nothing: orthonormalises the k columns in place (modified Gram–Schmidt). */
function orthonormalize(a: Float64Array, n: number, k: number): void {
  for (let c = 0; c < k; c++) {
    for (let p = 0; p < c; p++) {
      let dot = 0;
      for (let i = 0; i < n; i++) dot += a[i * k + c] * a[i * k + p];
      for (let i = 0; i < n; i++) a[i * k + c] -= dot * a[i * k + p];
    }
    let norm = 0;
    for (let i = 0; i < n; i++) norm += a[i * k + c] ** 2;
    norm = Math.sqrt(norm);
    for (let i = 0; i < n; i++) a[i * k + c] = norm > 1e-12 ? a[i * k + c] / norm : 0;
  }
}

/** Eigen-decomposition of a symmetric k × k matrix by cyclic Jacobi rotations: values descending, vectors as columns. */
export function symmetricEigen(m: Float64Array, k: number): { values: Float64Array; vectors: Float64Array } {
  const a = Float64Array.from(m);
  const v = new Float64Array(k * k);
  for (let i = 0; i < k; i++) v[i * k + i] = 1;
  for (let sweep = 0; sweep < 60; sweep++) {
    let off = 0;
    for (let p = 0; p < k; p++) for (let q = p + 1; q < k; q++) off += a[p * k + q] ** 2;
    if (off < 1e-22) break;
    for (let p = 0; p < k; p++) {
      for (let q = p + 1; q < k; q++) {
        const apq = a[p * k + q];
        if (Math.abs(apq) < 1e-300) continue;
        const theta = (a[q * k + q] - a[p * k + p]) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1), s = t * c;
        for (let r = 0; r < k; r++) {
          const arp = a[r * k + p], arq = a[r * k + q];
          a[r * k + p] = c * arp - s * arq;
          a[r * k + q] = s * arp + c * arq;
        }
        for (let r = 0; r < k; r++) {
          const apr = a[p * k + r], aqr = a[q * k + r];
          a[p * k + r] = c * apr - s * aqr;
          a[q * k + r] = s * apr + c * aqr;
        }
        for (let r = 0; r < k; r++) {
          const vrp = v[r * k + p], vrq = v[r * k + q];
          v[r * k + p] = c * vrp - s * vrq;
          v[r * k + q] = s * vrp + c * vrq;
        }
      }
    }
  }
  const order = Array.from({ length: k }, (_, i) => i).sort((x, y) => a[y * k + y] - a[x * k + x] || x - y);
  const values = Float64Array.from(order, (i) => a[i * k + i]);
  const vectors = new Float64Array(k * k);
  order.forEach((src, dst) => {
    // A fixed sign: the largest entry of each vector is positive.
    let big = 0;
    for (let r = 0; r < k; r++) if (Math.abs(v[r * k + src]) > Math.abs(big)) big = v[r * k + src];
    const sign = big < 0 ? -1 : 1;
    for (let r = 0; r < k; r++) vectors[r * k + dst] = sign * v[r * k + src];
  });
  return { values, vectors };
}

/** The rank-r truncated SVD's item coordinates U Σ (n × r, row-major) of sparse rows. */
export function truncatedSvd(x: SparseRows, rank: number, rng: Rng, powerIterations = 3): { coords: Float64Array; dim: number } {
  const n = x.rows.length;
  const r = Math.max(1, Math.min(rank, n, x.cols));
  const k = Math.min(r + 8, n, x.cols);
  // Y = X Ω, with Ω a Gaussian cols × k drawn column by column.
  const omega = new Float64Array(x.cols * k);
  for (let i = 0; i < omega.length; i++) omega[i] = rng.normal();
  const times = (right: Float64Array) => { // X · right (cols × k) → n × k
    const out = new Float64Array(n * k);
    x.rows.forEach((row, i) => { for (let t = 0; t < row.idx.length; t++) for (let c = 0; c < k; c++) out[i * k + c] += row.val[t] * right[row.idx[t] * k + c]; });
    return out;
  };
  const transposeTimes = (left: Float64Array) => { // Xᵀ · left (n × k) → cols × k
    const out = new Float64Array(x.cols * k);
    x.rows.forEach((row, i) => { for (let t = 0; t < row.idx.length; t++) for (let c = 0; c < k; c++) out[row.idx[t] * k + c] += row.val[t] * left[i * k + c]; });
    return out;
  };
  let q = times(omega);
  orthonormalize(q, n, k);
  for (let it = 0; it < powerIterations; it++) {
    const z = transposeTimes(q);
    orthonormalize(z, x.cols, k);
    q = times(z);
    orthonormalize(q, n, k);
  }
  // B = Qᵀ X (k × cols) as its transpose; M = B Bᵀ = (Xᵀ Q)ᵀ (Xᵀ Q).
  const bt = transposeTimes(q);
  const m = new Float64Array(k * k);
  for (let j = 0; j < x.cols; j++) for (let a = 0; a < k; a++) { const v = bt[j * k + a]; if (v) for (let b = 0; b < k; b++) m[a * k + b] += v * bt[j * k + b]; }
  const { values, vectors } = symmetricEigen(m, k);
  // U Σ = Q W Σ, and Σ² = the eigenvalues: coords = Q · W[:, :r] · sqrt(λ).
  const coords = new Float64Array(n * r);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < r; c++) {
      let s = 0;
      for (let a = 0; a < k; a++) s += q[i * k + a] * vectors[a * k + c];
      coords[i * r + c] = s * Math.sqrt(Math.max(0, values[c]));
    }
  }
  return { coords, dim: r };
}

function normalizeDense(x: Float64Array, n: number, d: number): Float64Array {
  for (let i = 0; i < n; i++) {
    let norm = 0;
    for (let j = 0; j < d; j++) norm += x[i * d + j] ** 2;
    if (norm > 0) for (let j = 0; j < d; j++) x[i * d + j] /= Math.sqrt(norm);
  }
  return x;
}

/** The item vectors of `source` (n × dim, row-major), seeded. */
export function itemVectors(inp: ItemVectorInput, source: IdSource, seed: number): { vectors: Float64Array; dim: number } {
  const svd = (rows: SparseRows, name: string) => truncatedSvd(rows, VECTOR_RANK, Rng.derive(seed, `ids/svd/${name}`));
  if (source === 'content') { const s = svd(contentRows(inp), 'content'); return { vectors: s.coords, dim: s.dim }; }
  if (source === 'cf') { const s = svd(cfRows(inp), 'cf'); return { vectors: s.coords, dim: s.dim }; }
  const a = svd(contentRows(inp), 'content'), b = svd(cfRows(inp), 'cf');
  normalizeDense(a.coords, inp.items, a.dim);
  normalizeDense(b.coords, inp.items, b.dim);
  const dim = a.dim + b.dim;
  const vectors = new Float64Array(inp.items * dim);
  for (let i = 0; i < inp.items; i++) {
    vectors.set(a.coords.subarray(i * a.dim, (i + 1) * a.dim), i * dim);
    vectors.set(b.coords.subarray(i * b.dim, (i + 1) * b.dim), i * dim + a.dim);
  }
  return { vectors, dim };
}
