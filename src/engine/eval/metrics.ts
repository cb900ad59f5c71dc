/**
 * Ranking metrics with one relevant item per example: Recall@K (hit rate) and NDCG@K,
 * overall and per popularity bucket, and on cold targets (items with no training example
 * in the task; they are also in the tail). Ties are broken by item index, so that a
 * scorer that gives many items the same score gains nothing from them.
 */
import { BUCKETS, type Bucket, type BucketMetrics, type TaskEval } from '../core/report';

export { BUCKETS, type Bucket, type BucketMetrics, type TaskEval };

/** Bit set in a bucket code for an item the task never saw in training. */
const COLD = 4;


/** 0-based rank of `target` among `scores[offset .. offset+n)`. */
export function rankOf(scores: ArrayLike<number>, offset: number, n: number, target: number): number {
  const s = scores[offset + target];
  let rank = 0;
  for (let j = 0; j < n; j++) {
    const v = scores[offset + j];
    if (v > s || (v === s && j < target)) rank++;
  }
  return rank;
}

/**
 * Buckets by training frequency: items sorted by how often they are a training target;
 * head = the most frequent items that together make the first third of training
 * targets, torso = the next third, tail = the rest (including items never seen, which
 * also carry the cold bit).
 */
export function popularityBuckets(trainCounts: ArrayLike<number>): Uint8Array {
  const n = trainCounts.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => trainCounts[b] - trainCounts[a] || a - b);
  let total = 0;
  for (let i = 0; i < n; i++) total += trainCounts[i];
  const bucket = new Uint8Array(n).fill(2);
  for (let i = 0; i < n; i++) if (trainCounts[i] <= 0) bucket[i] |= COLD;
  let acc = 0;
  for (const i of order) {
    if (trainCounts[i] <= 0) break;
    bucket[i] = acc < total / 3 ? 0 : acc < (2 * total) / 3 ? 1 : 2;
    acc += trainCounts[i];
  }
  return bucket;
}

export class RankingAccumulator {
  // Indices 0–2: head, torso, tail; 3: cold (a subset of the tail, not added to the total).
  private hits = [0, 0, 0, 0];
  private gains = [0, 0, 0, 0];
  private counts = [0, 0, 0, 0];

  /** Per test example: 1 where its target is in the top K (for bootstraps over test examples). */
  readonly hitsByExample: Uint8Array | null;

  constructor(readonly k: number, private readonly bucketOf: Uint8Array, examples = 0) {
    this.hitsByExample = examples > 0 ? new Uint8Array(examples) : null;
  }

  addRank(rank: number, target: number, example?: number): void {
    if (this.hitsByExample && example !== undefined && rank < this.k) this.hitsByExample[example] = 1;
    const code = this.bucketOf[target];
    for (const b of code & COLD ? [code & 3, 3] : [code & 3]) {
      this.counts[b]++;
      if (rank < this.k) {
        this.hits[b]++;
        this.gains[b] += 1 / Math.log2(rank + 2);
      }
    }
  }

  result(): TaskEval {
    const r = `recall@${this.k}`, g = `ndcg@${this.k}`;
    const sum = (a: number[]) => a[0] + a[1] + a[2];
    const n = sum(this.counts);
    const byBucket = Object.fromEntries(
      [...BUCKETS, 'cold'].map((name, b) => [name, { [r]: this.counts[b] ? this.hits[b] / this.counts[b] : 0, [g]: this.counts[b] ? this.gains[b] / this.counts[b] : 0, count: this.counts[b] }]),
    ) as TaskEval['byBucket'];
    return { [r]: n ? sum(this.hits) / n : 0, [g]: n ? sum(this.gains) / n : 0, count: n, byBucket } as TaskEval;
  }
}

/** Accumulates the mean softmax of score rows: a scorer's marginal distribution over items. */
export class MarginalAccumulator {
  readonly sum: Float64Array;
  private rows = 0;
  constructor(items: number) {
    this.sum = new Float64Array(items);
  }
  /** `scores` are logits (or log-probabilities) for one row. */
  addRow(scores: ArrayLike<number>, offset: number): void {
    const n = this.sum.length;
    let max = -Infinity;
    for (let j = 0; j < n; j++) max = Math.max(max, scores[offset + j]);
    let z = 0;
    for (let j = 0; j < n; j++) z += Math.exp(scores[offset + j] - max);
    for (let j = 0; j < n; j++) this.sum[j] += Math.exp(scores[offset + j] - max) / z;
    this.rows++;
  }
  marginal(): Float64Array {
    return this.sum.map((v) => v / Math.max(1, this.rows));
  }
}

/**
 * What popularity-bias papers report beside accuracy, over every test example's top K
 * (full-catalogue ranking, ties by item index as rankOf), with popularity = an item's
 * training-target count in the task:
 * - coverage@K: the share of the catalogue in any top K (catalogue coverage; Ge et al. 2010);
 * - ARP@K: the mean popularity of a top K's items, averaged over examples (Abdollahpouri et al. 2019);
 * - APLT@K: the share of a top K's items in the long tail (the tail bucket of popularityBuckets, never-seen items included), averaged (ibid.);
 * - Gini@K: the Gini index of how often each item is recommended (RecBole's GiniIndex);
 * - popLift@K: (ARP@K − the examples' own popularity) / that popularity, where an example's own
 *   popularity is the mean popularity of its input items (a history) or of its target (a query)
 *   (popularity lift, Abdollahpouri et al. 2020).
 * Also MRR@K, and Recall and NDCG at 5 (K = 10) beside K.
 */
export class BeyondAccuracy {
  private readonly recommended: Float64Array;
  private arp = 0;
  private aplt = 0;
  private own = 0;
  private rows = 0;
  private rr = 0;
  private hits5 = 0;
  private gains5 = 0;
  private readonly top: Int32Array;

  constructor(readonly k: number, private readonly trainCounts: ArrayLike<number>, private readonly bucketOf: Uint8Array, private readonly ownPopularity?: ArrayLike<number>) {
    this.recommended = new Float64Array(trainCounts.length);
    this.top = new Int32Array(k);
  }

  /** One example's scores (`n` items from `offset`), its target's 0-based rank and its index. */
  addRow(scores: ArrayLike<number>, offset: number, n: number, rank: number, example: number): void {
    const k = Math.min(this.k, n);
    topK(scores, offset, n, k, this.top);
    let pop = 0, tail = 0;
    for (let j = 0; j < k; j++) {
      const i = this.top[j];
      this.recommended[i]++;
      pop += this.trainCounts[i];
      if ((this.bucketOf[i] & 3) === 2) tail++;
    }
    this.arp += pop / k;
    this.aplt += tail / k;
    if (this.ownPopularity) this.own += this.ownPopularity[example];
    if (rank < this.k) this.rr += 1 / (rank + 1);
    if (rank < 5) { this.hits5++; this.gains5 += 1 / Math.log2(rank + 2); }
    this.rows++;
  }

  result(): Record<string, number> {
    const k = this.k, n = Math.max(1, this.rows);
    let covered = 0, total = 0;
    for (const c of this.recommended) { if (c > 0) covered++; total += c; }
    const sorted = Float64Array.from(this.recommended).sort();
    let g = 0;
    for (let i = 0; i < sorted.length; i++) g += (2 * (i + 1) - sorted.length - 1) * sorted[i];
    const out: Record<string, number> = {
      [`mrr@${k}`]: this.rr / n,
      [`coverage@${k}`]: covered / this.recommended.length,
      [`arp@${k}`]: this.arp / n,
      [`aplt@${k}`]: this.aplt / n,
      [`gini@${k}`]: total > 0 ? g / (sorted.length * total) : 0,
    };
    if (this.ownPopularity && this.own > 0) out[`popLift@${k}`] = (this.arp - this.own) / this.own;
    if (k > 5) { out['recall@5'] = this.hits5 / n; out['ndcg@5'] = this.gains5 / n; }
    return out;
  }
}

/** The `k` highest of `scores[offset .. offset+n)` into `out`, best first (ties: lower index first). */
export function topK(scores: ArrayLike<number>, offset: number, n: number, k: number, out: Int32Array): void {
  let size = 0;
  for (let j = 0; j < n; j++) {
    const v = scores[offset + j];
    if (size === k && v <= scores[offset + out[k - 1]]) continue;
    let p = size < k ? size++ : k - 1;
    while (p > 0 && scores[offset + out[p - 1]] < v) { out[p] = out[p - 1]; p--; }
    out[p] = j;
  }
}
