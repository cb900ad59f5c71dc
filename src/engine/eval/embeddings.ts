import { UMAP } from 'umap-js';

/**
 * Item-embedding analysis (H2): a 2-D PCA projection, and neighbour agreement — the
 * share of each item's nearest neighbours (cosine) that share its content topic or CF
 * cluster, with the share expected by chance beside it.
 */

/** Top-2 principal components of rows (n × d) by power iteration with deflation. */
export function pca2(data: Float32Array | Float64Array, n: number, d: number): { coords: Float32Array; explained: [number, number] } {
  const mean = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mean[j] += data[i * d + j] / n;
  const cov = new Float64Array(d * d);
  for (let i = 0; i < n; i++) {
    for (let a = 0; a < d; a++) {
      const xa = data[i * d + a] - mean[a];
      for (let b = a; b < d; b++) cov[a * d + b] += xa * (data[i * d + b] - mean[b]);
    }
  }
  for (let a = 0; a < d; a++) for (let b = a; b < d; b++) cov[b * d + a] = cov[a * d + b] /= Math.max(1, n - 1);
  let trace = 0;
  for (let a = 0; a < d; a++) trace += cov[a * d + a];
  const comps: Float64Array[] = [];
  const values: number[] = [];
  for (let c = 0; c < 2; c++) {
    let v = new Float64Array(d).map((_, j) => 1 + ((j * 7919 + c * 104729) % 13) / 13);
    let lambda = 0;
    for (let it = 0; it < 300; it++) {
      const w = new Float64Array(d);
      for (let a = 0; a < d; a++) for (let b = 0; b < d; b++) w[a] += cov[a * d + b] * v[b];
      for (const u of comps) { // deflate
        let dot = 0;
        for (let a = 0; a < d; a++) dot += w[a] * u[a];
        for (let a = 0; a < d; a++) w[a] -= dot * u[a];
      }
      const norm = Math.hypot(...w);
      if (norm === 0) break;
      lambda = norm;
      v = w.map((x) => x / norm);
    }
    comps.push(v);
    values.push(lambda);
  }
  const coords = new Float32Array(n * 2);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < 2; c++) {
      let s = 0;
      for (let j = 0; j < d; j++) s += (data[i * d + j] - mean[j]) * comps[c][j];
      coords[i * 2 + c] = s;
    }
  }
  return { coords, explained: [trace > 0 ? values[0] / trace : 0, trace > 0 ? values[1] / trace : 0] };
}

/**
 * A seeded 2-D UMAP of rows (n × d), via umap-js (a maintained implementation; writing our
 * own would be long and slower). Returns coordinates as [x0, y0, x1, y1, ...].
 */
export function umap2(data: Float32Array | Float64Array, n: number, d: number, random: () => number): Float32Array {
  const rows = Array.from({ length: n }, (_, i) => Array.from(data.subarray(i * d, (i + 1) * d)));
  const umap = new UMAP({ nComponents: 2, nNeighbors: Math.min(15, Math.max(2, n - 1)), minDist: 0.1, random });
  const out = umap.fit(rows);
  return Float32Array.from(out.flat());
}

/** Indices of each row's k nearest other rows by cosine similarity (n × k). */
export function nearestNeighbours(data: Float32Array | Float64Array, n: number, d: number, k: number): Int32Array {
  const unit = new Float64Array(n * d);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < d; j++) s += data[i * d + j] ** 2;
    const norm = Math.sqrt(s) || 1;
    for (let j = 0; j < d; j++) unit[i * d + j] = data[i * d + j] / norm;
  }
  const kk = Math.min(k, n - 1);
  const out = new Int32Array(n * kk);
  const sims = new Float64Array(n);
  const bestIdx = new Int32Array(kk);
  const bestSim = new Float64Array(kk);
  for (let i = 0; i < n; i++) {
    for (let m = 0; m < n; m++) {
      let s = 0;
      for (let j = 0; j < d; j++) s += unit[i * d + j] * unit[m * d + j];
      sims[m] = s;
    }
    bestSim.fill(-Infinity);
    bestIdx.fill(-1);
    for (let m = 0; m < n; m++) {
      if (m === i) continue;
      const s = sims[m];
      if (s <= bestSim[kk - 1]) continue;
      let p = kk - 1;
      while (p > 0 && bestSim[p - 1] < s) { bestSim[p] = bestSim[p - 1]; bestIdx[p] = bestIdx[p - 1]; p--; }
      bestSim[p] = s;
      bestIdx[p] = m;
    }
    out.set(bestIdx, i * kk);
  }
  return out;
}

/** Mean share of each item's neighbours with the same label. */
export function neighbourAgreement(neighbours: Int32Array, n: number, labels: ArrayLike<number>): number {
  const k = neighbours.length / n;
  let total = 0;
  for (let i = 0; i < n; i++) {
    let same = 0;
    for (let j = 0; j < k; j++) if (labels[neighbours[i * k + j]] === labels[i]) same++;
    total += same / k;
  }
  return total / n;
}

/** Expected agreement of random neighbours: mean over items of (same-label others)/(n−1). */
export function chanceAgreement(labels: ArrayLike<number>): number {
  const n = labels.length;
  const size = new Map<number, number>();
  for (let i = 0; i < n; i++) size.set(labels[i], (size.get(labels[i]) ?? 0) + 1);
  let total = 0;
  for (let i = 0; i < n; i++) total += ((size.get(labels[i]) as number) - 1) / (n - 1);
  return total / n;
}
