/** Statistics of a simulated world, shown beside the sliders and written to report.json. */
import type { Dataset } from './examples';
import { targetCounts } from './examples';
import type { World } from './world';
import type { DataStats } from '../core/data';
export type { DataStats };

/** KL(p‖q) in nats; q is floored so that a zero in q gives a large, finite number. */
export function klDivergence(p: ArrayLike<number>, q: ArrayLike<number>, floor = 1e-12): number {
  let kl = 0;
  for (let i = 0; i < p.length; i++) {
    if (p[i] > 0) kl += p[i] * Math.log(p[i] / Math.max(q[i], floor));
  }
  return Math.max(0, kl);
}

/** Average ranks (ties share the mean rank), as Spearman's ρ needs. */
function averageRanks(x: ArrayLike<number>): Float64Array {
  const idx = Array.from({ length: x.length }, (_, i) => i).sort((a, b) => x[a] - x[b]);
  const r = new Float64Array(x.length);
  for (let s = 0; s < idx.length; ) {
    let e = s;
    while (e + 1 < idx.length && x[idx[e + 1]] === x[idx[s]]) e++;
    for (let j = s; j <= e; j++) r[idx[j]] = (s + e) / 2;
    s = e + 1;
  }
  return r;
}

export function pearson(x: ArrayLike<number>, y: ArrayLike<number>): number {
  const n = x.length;
  let mx = 0, my = 0;
  for (let i = 0; i < n; i++) { mx += x[i]; my += y[i]; }
  mx /= n; my /= n;
  let sxy = 0, sxx = 0, syy = 0;
  for (let i = 0; i < n; i++) {
    const dx = x[i] - mx, dy = y[i] - my;
    sxy += dx * dy; sxx += dx * dx; syy += dy * dy;
  }
  return sxx > 0 && syy > 0 ? sxy / Math.sqrt(sxx * syy) : 0;
}

export function spearman(x: ArrayLike<number>, y: ArrayLike<number>): number {
  return pearson(averageRanks(x), averageRanks(y));
}

/** Least-squares slope of log p against log rank: about −exponent for a Zipf law. */
export function zipfSlope(p: ArrayLike<number>): number {
  const sorted = Array.from(p).filter((v) => v > 0).sort((a, b) => b - a);
  const lx = sorted.map((_, r) => Math.log(r + 1));
  const ly = sorted.map((v) => Math.log(v));
  const n = lx.length;
  const mx = lx.reduce((s, v) => s + v, 0) / n, my = ly.reduce((s, v) => s + v, 0) / n;
  let num = 0, den = 0;
  for (let i = 0; i < n; i++) { num += (lx[i] - mx) * (ly[i] - my); den += (lx[i] - mx) ** 2; }
  return den > 0 ? num / den : 0;
}


function normalized(counts: Float64Array): Float64Array {
  const s = counts.reduce((a, b) => a + b, 0);
  return s > 0 ? counts.map((v) => v / s) : counts;
}

export function worldStats(w: World): Pick<DataStats, 'popularityKL' | 'popularitySpearman' | 'realizedAlignment' | 'coverage'> {
  let aligned = 0;
  for (let i = 0; i < w.items; i++) if (w.cluster[i] === w.topicCluster[w.topic[i]]) aligned++;
  const share = (m: Uint8Array) => m.reduce((a, b) => a + b, 0) / w.items;
  return {
    popularityKL: { recVsSearch: klDivergence(w.pRec, w.pSearch), searchVsRec: klDivergence(w.pSearch, w.pRec) },
    popularitySpearman: spearman(w.pRec, w.pSearch),
    realizedAlignment: aligned / w.items,
    coverage: { search: share(w.searchCovered), rec: share(w.recCovered) },
  };
}

export function dataStats(w: World, d: Dataset): DataStats {
  const cs = targetCounts(d.searchTrain, w.items);
  const cr = targetCounts(d.recTrain, w.items);
  const ps = normalized(cs.map((v) => v + 0.5));
  const pr = normalized(cr.map((v) => v + 0.5));
  return {
    ...worldStats(w),
    trainExamples: { search: d.searchTrain.count, rec: d.recTrain.count },
    testExamples: { search: d.searchTest.count, rec: d.recTest.count },
    trainItems: { search: cs.filter((v) => v > 0).length, rec: cr.filter((v) => v > 0).length },
    trainPopularityKL: { recVsSearch: klDivergence(pr, ps), searchVsRec: klDivergence(ps, pr) },
  };
}
