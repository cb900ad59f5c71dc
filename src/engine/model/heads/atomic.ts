/**
 * The atomic-ID head: an item is one token. The encoder reads item-ID embeddings; the
 * one-step decoder's state is scored against every item's output row, plus the item
 * prior (bias), and the softmax over items is the model's distribution over items (beam
 * search over one step is top-K). Optional ablations: untied output rows, a per-task
 * bias, per-task item tables. The fused WebGPU kernels serve this head.
 */
import * as tf from '@tensorflow/tfjs';
import { SPECIAL } from '../../core/encode';
import { dense, embed, layerNorm } from '../ops';
import type { EncoderParts, FusedHeadLayout, HeadedModel, IdHead, RetrieverSpec } from '../parts';

type Draw = (shape: number[], scale: number, name: string) => tf.Variable;

export class AtomicHead implements IdHead {
  readonly kind = 'atomic';
  readonly usesDecoder = true;
  readonly fusedItemScores = true;
  /** Item-ID token embeddings [items, dim]: encoder input rows, and (tied) output rows. */
  readonly itemEmbedding: tf.Variable;
  /** Output item-ID embeddings when untied. */
  readonly outputEmbedding: tf.Variable | null;
  /** Item prior: [items], or [2, items] (search, rec) with a per-task bias. */
  readonly outputBias: tf.Variable;
  /** With per-task item embeddings: the search task's own output item-ID table. */
  readonly searchOutputEmbedding: tf.Variable | null;

  /** `itemEmbedding` is drawn before the shared weights, the rest after (the model's draw order). */
  constructor(spec: RetrieverSpec, itemEmbedding: tf.Variable, normal: Draw, zeros: (shape: number[], name: string) => tf.Variable) {
    const joint = spec.tasks === 2;
    this.itemEmbedding = itemEmbedding;
    this.outputEmbedding = spec.tieEmbeddings ? null : normal([spec.items, spec.dim], 0.05, 'out');
    this.outputBias = zeros(joint && spec.outputBias === 'perTask' ? [2, spec.items] : [spec.items], 'bias');
    this.searchOutputEmbedding = joint && spec.itemEmbeddings === 'perTask' ? normal([spec.items, spec.dim], 0.05, 'outsearch') : null;
  }

  /** The item-ID table that recommendation generates from (and, tied, reads as input). */
  get recItemTable(): tf.Variable {
    return this.outputEmbedding ?? this.itemEmbedding;
  }

  inputRows(): tf.Tensor2D {
    return this.itemEmbedding as tf.Tensor2D;
  }

  itemVectors(): tf.Tensor2D {
    return tf.clone(this.recItemTable as tf.Tensor2D);
  }

  fusedUnsupported(spec: RetrieverSpec): string | null {
    if (!spec.tieEmbeddings) return 'untied item embeddings';
    if (this.outputBias.rank !== 1) return 'a per-task output bias (ablation)';
    if (this.searchOutputEmbedding) return 'per-task item embeddings (ablation)';
    return null;
  }

  fusedLayout(at: (v: tf.Variable) => number): FusedHeadLayout {
    return { table: at(this.itemEmbedding), rows: this.itemEmbedding.shape[0], bias: at(this.outputBias) };
  }

  /**
   * Item logits [B, items] for token ids [B, seqLen] (int32) with a padding mask (1 = real
   * token) and each row's task (0 = search, 1 = rec; used only by the per-task ablations).
   * `trace`, when given, receives the intermediate states (the fused kernels' tests compare
   * against them).
   */
  logits(m: EncoderParts, tokens: tf.Tensor2D, mask: tf.Tensor2D, task?: tf.Tensor1D, trace?: (name: string, t: tf.Tensor) => void): tf.Tensor2D {
    const [B, S] = tokens.shape;
    const { dim: D, heads: H } = m.spec;
    const dh = D / H;
    const { x, keyBias } = m.encode(tokens, mask, trace);

    // ID decoder, one step. Self-attention over the single start token is its value map.
    const dec = m.decoder;
    const bos = tf.slice(m.tokenEmbedding, [m.spec.words + SPECIAL.BOS, 0], [1, D]) as tf.Tensor2D;
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
    h = layerNorm(tf.add(h, m.ffn(h, dec))) as tf.Tensor2D;
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

  /** Mean softmax cross-entropy of the target item IDs. */
  loss(m: HeadedModel, tokens: tf.Tensor2D, mask: tf.Tensor2D, targets: tf.Tensor1D, task?: tf.Tensor1D): tf.Scalar {
    const logp = tf.logSoftmax(this.logits(m, tokens, mask, task));
    return tf.neg(tf.mean(tf.sum(tf.mul(tf.oneHot(targets, m.spec.items), logp), 1))) as tf.Scalar;
  }

  inputVariables(): tf.Variable[] {
    return [this.itemEmbedding];
  }

  outputVariables(): tf.Variable[] {
    return [this.outputEmbedding, this.outputBias, this.searchOutputEmbedding].filter((v): v is tf.Variable => v !== null);
  }

  dispose(): void { /* its variables are the model's to dispose */ }
}
