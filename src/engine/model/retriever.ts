/**
 * The generative retriever: a small T5-like encoder–decoder over atomic item IDs.
 *
 *   input tokens  = [task token] + query words (search) or item-ID tokens (rec), padded
 *   encoder       = `layers` × (multi-head self-attention → FFN), post-layer-norm
 *   ID decoder    = one decoding step: a start token attends to itself (with one token
 *                   that is a linear map of its value) and cross-attends to the encoder,
 *                   then an FFN; its output is scored against every item-ID token
 *   item-ID logits = decoder state · itemEmbedding[i] + bias[i]   (tied by default)
 *
 * With atomic IDs an item is one token, so generating the ID is one decoding step, and
 * the softmax over the item tokens is the model's distribution over items; beam search
 * over one step is top-K. Gen_S, Gen_R and Gen_R+S are this same model.
 */
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../rng';
import { dense, embed, layerNorm } from './ops';

export interface RetrieverSpec {
  items: number;
  words: number;
  dim: number;
  layers: number;
  heads: number;
  /** Input length including the task token (if any). */
  seqLen: number;
  tieEmbeddings: boolean;
  /** Ablations for a model trained on both tasks (ignored when `tasks` is 1). */
  tasks?: 1 | 2;
  outputBias?: 'shared' | 'perTask';
  itemEmbeddings?: 'shared' | 'perTask';
}

/** Special tokens live after the words in the non-item table. */
export const SPECIAL = { PAD: 0, TASK_SEARCH: 1, TASK_REC: 2, BOS: 3 } as const;
const SPECIALS = 4;

interface EncoderLayer {
  wq: tf.Variable; wk: tf.Variable; wv: tf.Variable; wo: tf.Variable;
  w1: tf.Variable; b1: tf.Variable; w2: tf.Variable; b2: tf.Variable;
}

export class Retriever {
  readonly spec: RetrieverSpec;
  /** Item-ID token embeddings [items, dim]: encoder input rows, and (tied) output rows. */
  readonly itemEmbedding: tf.Variable;
  /** Word and special-token embeddings [words + 4, dim]. */
  readonly tokenEmbedding: tf.Variable;
  readonly position: tf.Variable;
  readonly encoder: EncoderLayer[];
  readonly decoder: EncoderLayer & { wvSelf: tf.Variable };
  /** Output item-ID embeddings when untied. */
  readonly outputEmbedding: tf.Variable | null;
  /** Item prior: [items], or [2, items] (search, rec) with a per-task bias. */
  readonly outputBias: tf.Variable;
  /** With per-task item embeddings: the search task's own output item-ID table. */
  readonly searchOutputEmbedding: tf.Variable | null;

  constructor(spec: RetrieverSpec, seed: number) {
    this.spec = spec;
    const { items, words, dim: D } = spec;
    const rng = Rng.derive(seed, 'weights');
    const normal = (shape: number[], scale: number, name: string) => {
      const n = shape.reduce((a, b) => a * b, 1);
      const v = new Float32Array(n);
      for (let i = 0; i < n; i++) v[i] = rng.normal() * scale;
      return tf.tidy(() => tf.variable(tf.tensor(v, shape), true, `${name}_${uid()}`));
    };
    const zeros = (shape: number[], name: string) => tf.tidy(() => tf.variable(tf.zeros(shape), true, `${name}_${uid()}`));
    const block = (p: string): EncoderLayer => ({
      wq: normal([D, D], D ** -0.5, `${p}wq`), wk: normal([D, D], D ** -0.5, `${p}wk`),
      wv: normal([D, D], D ** -0.5, `${p}wv`), wo: normal([D, D], D ** -0.5, `${p}wo`),
      w1: normal([D, 4 * D], D ** -0.5, `${p}w1`), b1: zeros([4 * D], `${p}b1`),
      w2: normal([4 * D, D], (4 * D) ** -0.5, `${p}w2`), b2: zeros([D], `${p}b2`),
    });
    this.itemEmbedding = normal([items, D], 0.05, 'items');
    this.tokenEmbedding = normal([words + SPECIALS, D], 0.05, 'tokens');
    this.position = normal([spec.seqLen, D], 0.05, 'pos');
    this.encoder = Array.from({ length: spec.layers }, (_, l) => block(`enc${l}`));
    this.decoder = { ...block('dec'), wvSelf: normal([D, D], D ** -0.5, 'decwvself') };
    this.outputEmbedding = spec.tieEmbeddings ? null : normal([items, D], 0.05, 'out');
    const joint = spec.tasks === 2;
    this.outputBias = zeros(joint && spec.outputBias === 'perTask' ? [2, items] : [items], 'bias');
    this.searchOutputEmbedding = joint && spec.itemEmbeddings === 'perTask' ? normal([items, D], 0.05, 'outsearch') : null;
  }

  /** The item-ID table that recommendation generates from (and, tied, reads as input). */
  get recItemTable(): tf.Variable {
    return this.outputEmbedding ?? this.itemEmbedding;
  }

  variables(): tf.Variable[] {
    const blk = (b: EncoderLayer) => [b.wq, b.wk, b.wv, b.wo, b.w1, b.b1, b.w2, b.b2];
    return [
      this.itemEmbedding, this.tokenEmbedding, this.position,
      ...this.encoder.flatMap(blk), ...blk(this.decoder), this.decoder.wvSelf,
      ...(this.outputEmbedding ? [this.outputEmbedding] : []), this.outputBias,
      ...(this.searchOutputEmbedding ? [this.searchOutputEmbedding] : []),
    ];
  }

  /** Token ids: item i → i; word w → items + w; special s → items + words + s. */
  wordToken(w: number): number { return this.spec.items + w; }
  specialToken(s: number): number { return this.spec.items + this.spec.words + s; }

  /**
   * Item logits [B, items] for a batch of token ids [B, seqLen] (int32) with a padding
   * mask [B, seqLen] (1 = real token, 0 = padding) and each row's task (int32, 0 = search,
   * 1 = rec; used only by the per-task ablations). `trace`, when given, receives the
   * intermediate states (the fused kernels' tests compare against them).
   */
  logits(tokens: tf.Tensor2D, mask: tf.Tensor2D, task?: tf.Tensor1D, trace?: (name: string, t: tf.Tensor) => void): tf.Tensor2D {
    const [B, S] = tokens.shape;
    const { dim: D, heads: H } = this.spec;
    const dh = D / H;
    const table = tf.concat([this.itemEmbedding, this.tokenEmbedding], 0) as tf.Tensor2D;
    let x = tf.add(tf.reshape(embed(table, tf.reshape(tokens, [-1])), [B, S, D]), this.position) as tf.Tensor3D;
    trace?.('embed', x);
    // Additive attention mask: 0 for real keys, −1e9 for padding.
    const keyBias = tf.reshape(tf.mul(tf.sub(1, mask), -1e9), [B, 1, 1, S]);
    const split = (t: tf.Tensor2D) => tf.transpose(tf.reshape(t, [B, S, H, dh]), [0, 2, 1, 3]) as tf.Tensor4D;

    for (const [l, L] of this.encoder.entries()) {
      const flat = tf.reshape(x, [B * S, D]) as tf.Tensor2D;
      const q = split(dense(flat, L.wq as tf.Tensor2D));
      const k = split(dense(flat, L.wk as tf.Tensor2D));
      const v = split(dense(flat, L.wv as tf.Tensor2D));
      const att = tf.softmax(tf.add(tf.mul(tf.matMul(q, k, false, true), 1 / Math.sqrt(dh)), keyBias));
      const ctx = tf.reshape(tf.transpose(tf.matMul(att, v), [0, 2, 1, 3]), [B * S, D]) as tf.Tensor2D;
      let h = layerNorm(tf.add(flat, dense(ctx, L.wo as tf.Tensor2D))) as tf.Tensor2D;
      trace?.(`attention${l}`, h);
      h = layerNorm(tf.add(h, this.ffn(h, L))) as tf.Tensor2D;
      trace?.(`ffn${l}`, h);
      x = tf.reshape(h, [B, S, D]);
    }

    // ID decoder, one step. Self-attention over the single start token is its value map.
    const dec = this.decoder;
    const bos = tf.slice(this.tokenEmbedding, [this.spec.words + SPECIAL.BOS, 0], [1, D]) as tf.Tensor2D;
    let y = layerNorm(tf.add(bos, dense(dense(bos, dec.wvSelf as tf.Tensor2D), dec.wo as tf.Tensor2D))) as tf.Tensor2D; // [1, D]
    // Cross-attention: the decoder query attends over the encoder states.
    const flat = tf.reshape(x, [B * S, D]) as tf.Tensor2D;
    const q = tf.reshape(dense(y, dec.wq as tf.Tensor2D), [1, 1, H, dh]);
    const k = tf.reshape(dense(flat, dec.wk as tf.Tensor2D), [B, S, H, dh]);
    const v = tf.reshape(dense(flat, dec.wv as tf.Tensor2D), [B, S, H, dh]);
    const scores = tf.add(tf.mul(tf.sum(tf.mul(k, q), -1), 1 / Math.sqrt(dh)), tf.reshape(keyBias, [B, S, 1])); // [B, S, H]
    const att = tf.softmax(tf.transpose(scores, [0, 2, 1])); // [B, H, S] over keys
    const ctx = tf.sum(tf.mul(tf.reshape(tf.transpose(att, [0, 2, 1]), [B, S, H, 1]), v), 1); // [B, H, dh]
    let h = layerNorm(tf.add(y, dense(tf.reshape(ctx, [B, D]) as tf.Tensor2D, dec.wo as tf.Tensor2D))) as tf.Tensor2D;
    h = layerNorm(tf.add(h, this.ffn(h, dec))) as tf.Tensor2D;
    y = h;
    trace?.('decoder', y);

    let itemScores = dense(y, tf.transpose(this.recItemTable as tf.Tensor2D));
    const perTask = this.searchOutputEmbedding || this.outputBias.rank === 2;
    if (perTask && !task) throw new Error('a model with per-task ablations needs each row\'s task');
    if (this.searchOutputEmbedding) {
      // Each task scores items with its own ID table: rows of the search task take the search table's scores.
      const isSearch = tf.reshape(tf.cast(tf.equal(task!, 0), 'float32'), [B, 1]);
      const searchScores = dense(y, tf.transpose(this.searchOutputEmbedding as tf.Tensor2D));
      itemScores = tf.add(tf.mul(searchScores, isSearch), tf.mul(itemScores, tf.sub(1, isSearch)));
    }
    const bias = this.outputBias.rank === 2 ? embed(this.outputBias as tf.Tensor2D, task!) : this.outputBias;
    return tf.add(itemScores, bias) as tf.Tensor2D;
  }

  private ffn(h: tf.Tensor2D, L: EncoderLayer): tf.Tensor2D {
    return tf.add(dense(tf.relu(tf.add(dense(h, L.w1 as tf.Tensor2D), L.b1)) as tf.Tensor2D, L.w2 as tf.Tensor2D), L.b2);
  }

  /** Mean softmax cross-entropy of the target item IDs. */
  loss(tokens: tf.Tensor2D, mask: tf.Tensor2D, targets: tf.Tensor1D, task?: tf.Tensor1D): tf.Scalar {
    const logits = this.logits(tokens, mask, task);
    const logp = tf.logSoftmax(logits);
    return tf.neg(tf.mean(tf.sum(tf.mul(tf.oneHot(targets, this.spec.items), logp), 1))) as tf.Scalar;
  }

  dispose(): void {
    for (const v of this.variables()) v.dispose();
  }
}

let counter = 0;
function uid(): number {
  return ++counter;
}
