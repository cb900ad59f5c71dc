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
