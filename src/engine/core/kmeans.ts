/** k-means with k-means++ seeding: deterministic for a given generator. Pure TypeScript. */
import type { Rng } from './rng';

export interface KMeansResult {
  /** Cluster of each point. */
  assign: Int32Array;
  /** Centres, k × d row-major (an empty cluster keeps its seed point). */
  centres: Float64Array;
  k: number;
}

/** k-means on n points of dimension d (row-major), seeded; `rounds` Lloyd iterations at most. */
export function kMeansFit(x: ArrayLike<number>, n: number, d: number, k: number, rng: Rng, rounds = 25): KMeansResult {
  k = Math.max(1, Math.min(k, n));
  const centres = new Float64Array(k * d);
  const dist2 = (i: number, c: number) => {
    let s = 0;
    for (let j = 0; j < d; j++) { const t = x[i * d + j] - centres[c * d + j]; s += t * t; }
    return s;
  };
  const copyPoint = (i: number, c: number) => { for (let j = 0; j < d; j++) centres[c * d + j] = x[i * d + j]; };
  // k-means++: each next centre drawn in proportion to the squared distance to the nearest one.
  copyPoint(rng.int(n), 0);
  const best = new Float64Array(n).fill(Infinity);
  for (let c = 1; c < k; c++) {
    let total = 0;
    for (let i = 0; i < n; i++) { best[i] = Math.min(best[i], dist2(i, c - 1)); total += best[i]; }
    let r = rng.next() * total, pick = n - 1;
    for (let i = 0; i < n; i++) { r -= best[i]; if (r <= 0) { pick = i; break; } }
    copyPoint(pick, c);
  }
  const assign = new Int32Array(n);
  for (let round = 0; round < rounds; round++) {
    let moved = false;
    for (let i = 0; i < n; i++) {
      let bc = 0, bd = Infinity;
      for (let c = 0; c < k; c++) { const v = dist2(i, c); if (v < bd) { bd = v; bc = c; } }
      if (assign[i] !== bc) { moved = true; assign[i] = bc; }
    }
    const sums = new Float64Array(k * d), sizes = new Int32Array(k);
    for (let i = 0; i < n; i++) { sizes[assign[i]]++; for (let j = 0; j < d; j++) sums[assign[i] * d + j] += x[i * d + j]; }
    for (let c = 0; c < k; c++) if (sizes[c]) for (let j = 0; j < d; j++) centres[c * d + j] = sums[c * d + j] / sizes[c];
    if (!moved && round > 0) break;
  }
  return { assign, centres, k };
}
