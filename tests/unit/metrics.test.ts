import { describe, expect, it } from 'vitest';
import { chanceAgreement, nearestNeighbours, neighbourAgreement, pca2 } from '../../src/engine/eval/embeddings';
import { interval as meanInterval } from '../../src/engine/eval/evidence';
import { MarginalAccumulator, popularityBuckets, RankingAccumulator, rankOf } from '../../src/engine/eval/metrics';
import { klDivergence } from '../../src/engine/sim/stats';

describe('ranking metrics', () => {
  it('ranks with ties broken by item index', () => {
    const s = [0.1, 0.5, 0.5, 0.9];
    expect(rankOf(s, 0, 4, 3)).toBe(0);
    expect(rankOf(s, 0, 4, 1)).toBe(1);
    expect(rankOf(s, 0, 4, 2)).toBe(2);
    expect(rankOf(s, 0, 4, 0)).toBe(3);
  });

  it('computes Recall@K and NDCG@K on a hand-worked case', () => {
    const acc = new RankingAccumulator(2, new Uint8Array([0, 0, 1, 2]));
    acc.addRank(0, 0); // hit, gain 1
    acc.addRank(1, 2); // hit, gain 1/log2(3)
    acc.addRank(2, 3); // miss
    acc.addRank(5, 1); // miss
    const r = acc.result();
    expect(r['recall@2']).toBeCloseTo(0.5);
    expect(r['ndcg@2']).toBeCloseTo((1 + 1 / Math.log2(3)) / 4);
    expect(r.byBucket.head['recall@2']).toBeCloseTo(0.5);
    expect(r.byBucket.head.count).toBe(2);
    expect(r.byBucket.torso['ndcg@2']).toBeCloseTo(1 / Math.log2(3));
    expect(r.byBucket.tail['recall@2']).toBe(0);
  });

  it('buckets items by thirds of the training targets', () => {
    // counts: item 0 has 6 of 12, item 1 has 4, items 2,3 have 1 each, item 4 none
    const b = popularityBuckets([6, 4, 1, 1, 0]);
    // item 4, never a training target, is in the tail and cold (bit 4)
    expect(Array.from(b)).toEqual([0, 1, 2, 2, 2 | 4]);
  });

  it('counts cold targets (no training example in the task) in their own bucket, also in the tail', () => {
    const acc = new RankingAccumulator(1, popularityBuckets([3, 0, 0]));
    acc.addRank(0, 0); // head hit
    acc.addRank(0, 1); // cold hit
    acc.addRank(4, 2); // cold miss
    acc.addRank(3, 1); // cold miss
    const r = acc.result();
    expect(r.count).toBe(4);
    expect(r['recall@1']).toBeCloseTo(0.5);
    expect(r.byBucket.cold!.count).toBe(3);
    expect(r.byBucket.cold!['recall@1']).toBeCloseTo(1 / 3);
    expect(r.byBucket.tail.count).toBe(3);
    expect(r.byBucket.head.count + r.byBucket.torso.count + r.byBucket.tail.count).toBe(r.count);
  });

  it('the marginal is the mean softmax', () => {
    const m = new MarginalAccumulator(2);
    m.addRow([0, 0], 0);
    m.addRow([Math.log(3), 0], 0);
    expect(Array.from(m.marginal())).toEqual([0.625, 0.375].map((v) => expect.closeTo(v, 9)));
  });

  it('KL divergence: zero for equal, known value otherwise', () => {
    expect(klDivergence([0.5, 0.5], [0.5, 0.5])).toBe(0);
    expect(klDivergence([1, 0], [0.5, 0.5])).toBeCloseTo(Math.log(2));
  });

  it('a 95% interval over seeds uses Student t', () => {
    const r = meanInterval([1, 2, 3]);
    expect(r.mean).toBe(2);
    expect(r.ci95![1] - 2).toBeCloseTo(4.303 / Math.sqrt(3), 3);
    expect(meanInterval([5]).ci95).toBeNull();
  });
});

describe('embedding analysis', () => {
  it('PCA finds the axis of largest variance', () => {
    const n = 50;
    const data = new Float64Array(n * 3);
    for (let i = 0; i < n; i++) { data[i * 3] = i - 25; data[i * 3 + 1] = (i % 2) * 0.1; data[i * 3 + 2] = 0; }
    const { coords, explained } = pca2(data, n, 3);
    expect(explained[0]).toBeGreaterThan(0.99);
    expect(Math.abs(coords[0] - coords[2])).toBeCloseTo(1, 3); // neighbours 1 apart on PC1
  });

  it('neighbour agreement counts same-label neighbours; chance is the label share', () => {
    // two tight groups on opposite sides
    const data = new Float32Array([1, 0, 1, 0.1, 1, -0.1, -1, 0, -1, 0.1, -1, -0.1]);
    const nn = nearestNeighbours(data, 6, 2, 2);
    expect(neighbourAgreement(nn, 6, [0, 0, 0, 1, 1, 1])).toBe(1);
    expect(neighbourAgreement(nn, 6, [0, 1, 0, 1, 0, 1])).toBeCloseTo(1 / 3);
    expect(chanceAgreement([0, 0, 0, 1, 1, 1])).toBeCloseTo(2 / 5);
  });
});

describe('UMAP projection', () => {
  it('is seeded: same seed, same coordinates; separates two groups', async () => {
    const { umap2 } = await import('../../src/engine/eval/embeddings');
    const { Rng } = await import('../../src/engine/core/rng');
    const n = 40, d = 4;
    const data = new Float32Array(n * d);
    const g = new Rng(5);
    for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) data[i * d + j] = (i < 20 ? 5 : -5) * (j === 0 ? 1 : 0) + g.normal() * 0.1;
    const run = () => { const r = new Rng(1, 'umap'); return umap2(data, n, d, () => r.next()); };
    const a = run();
    expect(a.length).toBe(2 * n);
    expect(Array.from(a)).toEqual(Array.from(run()));
    for (const v of a) expect(Number.isFinite(v)).toBe(true);
    const centroid = (from: number, to: number) => { let x = 0, y = 0; for (let i = from; i < to; i++) { x += a[2 * i]; y += a[2 * i + 1]; } return [x / (to - from), y / (to - from)]; };
    const [c1, c2] = [centroid(0, 20), centroid(20, 40)];
    expect(Math.hypot(c1[0] - c2[0], c1[1] - c2[1])).toBeGreaterThan(1);
  });
});

describe('beyond-accuracy metrics', () => {
  it('match a hand-computed case: MRR, coverage, ARP, APLT, Gini and popularity lift over the full catalogue', async () => {
    const { TaskEvaluator } = await import('../../src/engine/eval/evaluate');
    const { popularityBuckets } = await import('../../src/engine/eval/metrics');
    const counts = [10, 5, 3, 1, 0]; // head: item 0; torso: item 1; tail: items 2, 3, 4 (4 never seen)
    const own = [2, 6];
    const ev = new TaskEvaluator(2, popularityBuckets(counts), 5, Int32Array.from([1, 3]), { trainCounts: counts, own });
    // Example 0: top 2 = items 0, 1; target 1 at rank 1. Example 1: top 2 = items 3, 2; target 3 at rank 0.
    ev.consume(Float32Array.from([5, 4, 3, 2, 1, 0, 0, 1, 2, 0]), 0, 2);
    const r = ev.finish().eval;
    expect(r['mrr@2']).toBeCloseTo((1 / 2 + 1) / 2, 12);
    expect(r['coverage@2']).toBeCloseTo(4 / 5, 12);
    expect(r['arp@2']).toBeCloseTo(((10 + 5) / 2 + (1 + 3) / 2) / 2, 12);
    expect(r['aplt@2']).toBeCloseTo((0 + 1) / 2, 12);
    expect(r['gini@2']).toBeCloseTo(0.2, 12); // counts 0,1,1,1,1: Σ(2i−n−1)c / (n Σc) = 4 / 20
    expect(r['popLift@2']).toBeCloseTo((4.75 - 4) / 4, 12);
    expect(r['recall@5']).toBeUndefined(); // only beside a larger K
  });

  it('take the top K as rankOf ranks: ties go to the lower item index', async () => {
    const { topK, rankOf } = await import('../../src/engine/eval/metrics');
    const scores = Float32Array.from([1, 3, 3, 0, 3, 2]);
    const out = new Int32Array(3);
    topK(scores, 0, 6, 3, out);
    expect(Array.from(out)).toEqual([1, 2, 4]);
    expect(Array.from(out).map((i) => rankOf(scores, 0, 6, i))).toEqual([0, 1, 2]);
  });
});
