/**
 * The bi-encoder: two towers that meet in a dot product, the traditional dense retriever
 * beside the generative models (and the follow-up's source of item vectors). A Scorer
 * (scorer.ts) on the same body as the generative retriever (body.ts), drawn from a seed
 * in the same order, that ranks every item and generates nothing.
 *
 *   query tower = the model's encoder (the same as the generative models') over the query
 *                 words or the history's items, mean-pooled over real tokens, a linear
 *                 map, L2-normalised
 *   item tower  = the mean of the item's word embeddings (the encoder's own word table)
 *                 plus an item-ID embedding, a linear map; L2-normalised when scored
 *   score(q, i) = SCALE · cos(query, item)
 *
 * History items enter the encoder as their item-tower vectors, so an item no training
 * example names still has a representation (from its words): the bi-encoder can rank items
 * a task never saw. The ID embedding starts at zero and only items in training move it.
 *
 * Training is in-batch softmax: each example's target against the batch's other targets,
 * with the logQ correction (Yi et al., RecSys 2019): each candidate's logit minus the log
 * of its chance to be sampled as a batch target, so that frequent items are not pushed
 * down for being frequent negatives; a repeated target is not its own negative. Ranking
 * (and calibration, the softmax of the scores) uses the uncorrected scores over every item.
 */
import * as tf from '@tensorflow/tfjs';
import { Body, seededDraws, type BodySpec } from './body';
import { dense, embed } from './ops';
import type { Scorer } from './scorer';

/** A bi-encoder's item tower input and its training correction. */
export interface TowerSpec {
  /** Each item's words, items × wordsPerItem (row-major), with their weights (1/count; 0 = padding). */
  itemWords: Int32Array;
  wordWeights: Float32Array;
  wordsPerItem: number;
  /** log of each item's chance to be a batch target in training (the logQ correction), [items]. */
  logQ: Float32Array;
}

/** 1/τ of the scaled cosine: logits in [−20, 20]. */
export const TOWER_SCALE = 20;
/** At most this many words of an item's text feed its tower (the first, in text order). */
export const TOWER_WORDS = 32;

/** A tower spec from each item's words and its training target counts per set with their batch shares. */
export function towerSpec(itemWords: ArrayLike<number>[], targetCounts: { counts: ArrayLike<number>; share: number }[]): TowerSpec {
  const n = itemWords.length;
  let longest = 1;
  for (const w of itemWords) longest = Math.max(longest, w.length);
  const L = Math.min(TOWER_WORDS, longest);
  const idx = new Int32Array(n * L), weights = new Float32Array(n * L);
  for (let i = 0; i < n; i++) {
    const m = Math.min(L, itemWords[i].length);
    for (let j = 0; j < m; j++) { idx[i * L + j] = itemWords[i][j]; weights[i * L + j] = 1 / m; }
  }
  const q = new Float64Array(n);
  for (const { counts, share } of targetCounts) {
    let total = 0;
    for (let i = 0; i < n; i++) total += counts[i];
    if (total > 0) for (let i = 0; i < n; i++) q[i] += (share * counts[i]) / total;
  }
  // Items never a target are never a negative either; their value is never read.
  const logQ = Float32Array.from(q, (v) => (v > 0 ? Math.log(v) : 0));
  return { itemWords: idx, wordWeights: weights, wordsPerItem: L, logQ };
}

export class BiEncoder implements Scorer {
  /** Item-ID embeddings [items, dim], starting at zero. */
  readonly idEmbedding: tf.Variable;
  readonly itemProjection: tf.Variable;
  readonly queryProjection: tf.Variable;
  /** The shared body's word table (the item tower reads it too). */
  readonly tokenEmbedding: tf.Variable;
  /** Ranks, generates nothing. */
  readonly generative = null;
  private readonly body: Body;
  private readonly words: tf.Tensor1D;
  private readonly weights: tf.Tensor1D;
  private readonly logQ: tf.Tensor1D;
  private readonly allItems: tf.Tensor1D;
  /** While `logits` runs: the whole tower, computed once for the encoder's input rows and the scores. */
  private stepTower: tf.Tensor2D | null = null;

  constructor(readonly spec: BodySpec, private readonly towers: TowerSpec, seed: number) {
    const D = spec.dim;
    const draws = seededDraws(seed);
    this.body = new Body(spec, draws);
    // The decoder block is drawn, so that the towers' weights follow the same draws as a
    // generative model's head, and not kept: two towers meet in a dot product.
    for (const v of this.body.decoderVariables()) v.dispose();
    this.tokenEmbedding = this.body.tokenEmbedding;
    this.idEmbedding = draws.zeros([spec.items, D], 'towerid');
    this.itemProjection = draws.normal([D, D], D ** -0.5, 'toweritem');
    this.queryProjection = draws.normal([D, D], D ** -0.5, 'towerquery');
    this.words = tf.tensor1d(towers.itemWords, 'int32');
    this.weights = tf.tensor1d(towers.wordWeights);
    this.logQ = tf.tensor1d(towers.logQ);
    this.allItems = tf.range(0, spec.items, 1, 'int32') as tf.Tensor1D;
  }

  /** The item tower's vectors of every item [items, dim], before normalisation. */
  private tower(): tf.Tensor2D {
    return this.towerOf(this.allItems);
  }

  /** The item tower's vectors of the given items [n, dim], before normalisation. */
  private towerOf(items: tf.Tensor1D): tf.Tensor2D {
    const L = this.towers.wordsPerItem, D = this.spec.dim;
    const n = items.shape[0];
    const slots = tf.reshape(tf.add(tf.mul(tf.expandDims(items, 1), tf.scalar(L, 'int32')), tf.range(0, L, 1, 'int32')), [-1]) as tf.Tensor1D;
    const rows = tf.reshape(embed(this.tokenEmbedding as tf.Tensor2D, tf.gather(this.words, slots)), [n, L, D]);
    const weights = tf.reshape(tf.gather(this.weights, slots), [n, L, 1]);
    const content = tf.sum(tf.mul(rows, weights), 1) as tf.Tensor2D;
    return dense(tf.add(content, embed(this.idEmbedding as tf.Tensor2D, items)) as tf.Tensor2D, this.itemProjection as tf.Tensor2D);
  }

  /** The encoder's input rows for a batch's tokens: an item token reads its tower, a word or special token its
   *  embedding. A catalogue larger than the batch's tokens computes the tower of those tokens only (20,000 items:
   *  68 ms a step instead of 442 on wasm); a smaller one the whole table once. */
  embedTokens(tokens: tf.Tensor1D): tf.Tensor2D {
    const N = this.spec.items;
    if (this.stepTower || N <= tokens.shape[0]) return embed(tf.concat([this.stepTower ?? this.tower(), this.tokenEmbedding], 0) as tf.Tensor2D, tokens);
    const int = (v: number) => tf.scalar(v, 'int32');
    const isItem = tf.less(tokens, int(N));
    const itemRows = this.towerOf(tf.minimum(tokens, int(N - 1)) as tf.Tensor1D);
    const wordRows = embed(this.tokenEmbedding as tf.Tensor2D, tf.maximum(tf.sub(tokens, int(N)), int(0)) as tf.Tensor1D);
    return tf.where(tf.expandDims(isItem, 1), itemRows, wordRows) as tf.Tensor2D;
  }

  /** The item rows the encoder reads for a history item [items, dim]: the whole tower. */
  inputRows(): tf.Tensor2D {
    return this.tower();
  }

  fusedUnsupported(): string | null {
    return 'a bi-encoder';
  }

  itemVectors(): tf.Tensor2D {
    return l2Normalize(this.tower());
  }

  /** The query tower: [B, dim], unit length. */
  query(tokens: tf.Tensor2D, mask: tf.Tensor2D): tf.Tensor2D {
    const rows = this.embedTokens(tf.reshape(tokens, [-1]) as tf.Tensor1D);
    const { x } = this.body.encodeRows(rows, mask);
    const w = tf.expandDims(mask, 2);
    const pooled = tf.div(tf.sum(tf.mul(x, w), 1), tf.maximum(tf.sum(w, 1), 1)) as tf.Tensor2D;
    return l2Normalize(dense(pooled, this.queryProjection as tf.Tensor2D));
  }

  /** Scores of every item [B, items]: SCALE · cos(query, item). */
  logits(tokens: tf.Tensor2D, mask: tf.Tensor2D): tf.Tensor2D {
    const tower = this.tower();
    this.stepTower = tower;
    try {
      return tf.mul(dense(this.query(tokens, mask), tf.transpose(l2Normalize(tower))), TOWER_SCALE) as tf.Tensor2D;
    } finally {
      this.stepTower = null;
    }
  }

  /** In-batch softmax with the logQ correction; a repeated target is masked out as a negative. */
  loss(tokens: tf.Tensor2D, mask: tf.Tensor2D, targets: tf.Tensor1D): tf.Scalar {
    const B = targets.shape[0];
    // Only the batch's items go through the item tower: its tokens' (embedTokens) and its targets'.
    const q = this.query(tokens, mask);
    const v = l2Normalize(this.towerOf(targets));
    const diagonal = tf.eye(B);
    // A column whose item is the row's own target, off the diagonal: not a negative.
    const repeat = tf.sub(tf.cast(tf.equal(tf.expandDims(targets, 1), tf.expandDims(targets, 0)), 'float32'), diagonal);
    const corrected = tf.sub(tf.mul(dense(q, tf.transpose(v)), TOWER_SCALE), tf.reshape(tf.gather(this.logQ, targets), [1, B]));
    const logp = tf.logSoftmax(tf.sub(corrected, tf.mul(repeat, 1e9)));
    return tf.neg(tf.mean(tf.sum(tf.mul(logp, diagonal), 1))) as tf.Scalar;
  }

  /** The ID table, the body's encoder, then the two projections (the order the trainer and checkpoints keep). */
  variables(): tf.Variable[] {
    return [this.idEmbedding, ...this.body.encoderVariables(), this.itemProjection, this.queryProjection];
  }

  dispose(): void {
    for (const v of this.variables()) v.dispose();
    this.words.dispose();
    this.weights.dispose();
    this.logQ.dispose();
    this.allItems.dispose();
  }
}

function l2Normalize(x: tf.Tensor2D): tf.Tensor2D {
  return tf.mul(x, tf.rsqrt(tf.add(tf.sum(tf.square(x), 1, true), 1e-12))) as tf.Tensor2D;
}
