/**
 * The generative retriever: a small T5-like encoder–decoder over atomic item IDs, or
 * over semantic IDs (ids/code-decoder.ts: several code tokens per item, decoded one
 * after another).
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
 *
 * With semantic IDs (`spec.ids`) an item is `length` code tokens: the item-ID rows of the
 * encoder input are each item's sum of code embeddings, and the decoder generates the
 * codes with causal self-attention over the codes so far (code-decoder.ts).
 */
import * as tf from '@tensorflow/tfjs';
import { SPECIAL } from '../core/encode';
import { Rng } from '../core/rng';
import { codeLoss, codeVocabulary, positionMask } from './ids/code-decoder';
import { dense, embed, layerNorm } from './ops';
import type { EncoderLayer, ModelParts, RetrieverSpec, SemanticIdSpec } from './parts';

export type { EncoderLayer, RetrieverSpec, SemanticIdSpec };


/** Special tokens live after the words in the non-item table. */
const SPECIALS = 4;


export class Retriever implements ModelParts {
  readonly spec: RetrieverSpec;
  /** Item-ID token embeddings [items, dim]: encoder input rows, and (tied) output rows. Null with semantic IDs. */
  readonly itemEmbedding: tf.Variable | null;
  /** Semantic IDs: code-token embeddings [code tokens, dim] (input and, tied, output), the
   *  untied output table, the decoder's positions and causal self-attention maps, and
   *  each task's code tokens per item [items, length] (index 0 search, 1 rec). */
  readonly codeEmbedding: tf.Variable | null = null;
  readonly codeOutput: tf.Variable | null = null;
  readonly decoderPosition: tf.Variable | null = null;
  readonly selfAttention: { wq: tf.Variable; wk: tf.Variable } | null = null;
  readonly itemCodeTokens: [tf.Tensor2D, tf.Tensor2D] | null = null;
  /** Small catalogues: which code tokens each item has (rec set), [items, code tokens], so
   *  that the items' sums of code embeddings are one matrix product (faster than a gather on wasm). */
  private readonly itemCodeMembership: tf.Tensor2D | null = null;
  /** Semantic IDs: which code tokens each decoder position may emit (code-decoder.ts positionMask). */
  readonly codePositionMask: tf.Tensor3D | null = null;
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
    const ids = spec.ids;
    const joint = spec.tasks === 2;
    this.itemEmbedding = ids ? null : normal([items, D], 0.05, 'items');
    this.tokenEmbedding = normal([words + SPECIALS, D], 0.05, 'tokens');
    this.position = normal([spec.seqLen, D], 0.05, 'pos');
    this.encoder = Array.from({ length: spec.layers }, (_, l) => block(`enc${l}`));
    this.decoder = { ...block('dec'), wvSelf: normal([D, D], D ** -0.5, 'decwvself') };
    this.outputEmbedding = spec.tieEmbeddings || ids ? null : normal([items, D], 0.05, 'out');
    const outputs = ids ? codeVocabulary(ids).total : items;
    this.outputBias = zeros(joint && spec.outputBias === 'perTask' ? [2, outputs] : [outputs], 'bias');
    this.searchOutputEmbedding = joint && spec.itemEmbeddings === 'perTask' && !ids ? normal([items, D], 0.05, 'outsearch') : null;
    if (ids) {
      const V = codeVocabulary(ids);
      this.codeEmbedding = normal([V.total, D], 0.05, 'codes');
      this.codeOutput = spec.tieEmbeddings ? null : normal([V.total, D], 0.05, 'codesout');
      this.decoderPosition = normal([ids.length, D], 0.05, 'decpos');
      this.selfAttention = { wq: normal([D, D], D ** -0.5, 'decwqself'), wk: normal([D, D], D ** -0.5, 'decwkself') };
      const tokensOf = (set: number) => {
        const t = new Int32Array(items * ids.length);
        for (let i = 0; i < items; i++) for (let p = 0; p < ids.length; p++) t[i * ids.length + p] = V.offsets[p] + ids.codes[i * ids.length + p] + (ids.perTask ? set * V.perSet : 0);
        return t;
      };
      const rec = tokensOf(1);
      this.itemCodeTokens = [tf.tensor2d(tokensOf(0), [items, ids.length], 'int32'), tf.tensor2d(rec, [items, ids.length], 'int32')];
      this.codePositionMask = positionMask(ids);
      if (items * V.total <= 1 << 20) {
        const member = new Float32Array(items * V.total);
        for (let i = 0; i < items; i++) for (let p = 0; p < ids.length; p++) member[i * V.total + rec[i * ids.length + p]] += 1;
        this.itemCodeMembership = tf.tensor2d(member, [items, V.total]);
      }
    }
  }

  /** The item-ID table that recommendation generates from (and, tied, reads as input); atomic IDs only. */
  get recItemTable(): tf.Variable {
    if (!this.itemEmbedding) throw new Error('a model with semantic IDs has no item-ID table: see itemVectors()');
    return this.outputEmbedding ?? this.itemEmbedding;
  }

  /**
   * Each item's representation [items, dim]: with atomic IDs the rows recommendation
   * generates from; with semantic IDs the sum of the item's code embeddings (its
   * recommendation code tokens), which is also what the encoder reads for a history item.
   */
  itemVectors(): tf.Tensor2D {
    if (!this.spec.ids) return this.recItemTable as tf.Tensor2D;
    if (this.itemCodeMembership) return dense(this.itemCodeMembership, this.codeEmbedding as tf.Tensor2D);
    const { items, dim } = this.spec;
    const T = this.spec.ids.length;
    return tf.sum(tf.reshape(embed(this.codeEmbedding as tf.Tensor2D, tf.reshape(this.itemCodeTokens![1], [-1])), [items, T, dim]), 1) as tf.Tensor2D;
  }

  variables(): tf.Variable[] {
    const blk = (b: EncoderLayer) => [b.wq, b.wk, b.wv, b.wo, b.w1, b.b1, b.w2, b.b2];
    const present = (...vs: (tf.Variable | null | undefined)[]) => vs.filter((v): v is tf.Variable => !!v);
    return [
      ...present(this.itemEmbedding, this.codeEmbedding), this.tokenEmbedding, this.position,
      ...this.encoder.flatMap(blk), ...blk(this.decoder), this.decoder.wvSelf,
      ...present(this.outputEmbedding), this.outputBias,
      ...present(this.searchOutputEmbedding, this.codeOutput, this.decoderPosition, this.selfAttention?.wq, this.selfAttention?.wk),
    ];
  }

  /** Token ids: item i → i; word w → items + w; special s → items + words + s. */
  wordToken(w: number): number { return this.spec.items + w; }
  specialToken(s: number): number { return this.spec.items + this.spec.words + s; }

  /**
   * The encoder: states [B, seqLen, dim] for token ids [B, seqLen] (int32) with a padding
   * mask [B, seqLen] (1 = real token), and the additive key mask [B, 1, 1, seqLen].
   */
  encode(tokens: tf.Tensor2D, mask: tf.Tensor2D, trace?: (name: string, t: tf.Tensor) => void): { x: tf.Tensor3D; keyBias: tf.Tensor4D } {
    const [B, S] = tokens.shape;
    const { dim: D, heads: H } = this.spec;
    const dh = D / H;
    const table = tf.concat([this.spec.ids ? this.itemVectors() : this.itemEmbedding!, this.tokenEmbedding], 0) as tf.Tensor2D;
    let x = tf.add(tf.reshape(embed(table, tf.reshape(tokens, [-1])), [B, S, D]), this.position) as tf.Tensor3D;
    trace?.('embed', x);
    // Additive attention mask: 0 for real keys, −1e9 for padding.
    const keyBias = tf.reshape(tf.mul(tf.sub(1, mask), -1e9), [B, 1, 1, S]) as tf.Tensor4D;
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
    return { x, keyBias };
  }

  /**
   * Item logits [B, items] for a batch of token ids [B, seqLen] (int32) with a padding
   * mask [B, seqLen] (1 = real token, 0 = padding) and each row's task (int32, 0 = search,
   * 1 = rec; used only by the per-task ablations). `trace`, when given, receives the
   * intermediate states (the fused kernels' tests compare against them). Atomic IDs only.
   */
  logits(tokens: tf.Tensor2D, mask: tf.Tensor2D, task?: tf.Tensor1D, trace?: (name: string, t: tf.Tensor) => void): tf.Tensor2D {
    if (this.spec.ids) throw new Error('a model with semantic IDs scores codes, not items: see code-decoder.ts');
    const [B, S] = tokens.shape;
    const { dim: D, heads: H } = this.spec;
    const dh = D / H;
    const { x, keyBias } = this.encode(tokens, mask, trace);

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

  ffn(h: tf.Tensor2D, L: EncoderLayer): tf.Tensor2D {
    return tf.add(dense(tf.relu(tf.add(dense(h, L.w1 as tf.Tensor2D), L.b1)) as tf.Tensor2D, L.w2 as tf.Tensor2D), L.b2);
  }

  /** Mean softmax cross-entropy of the target item IDs. */
  loss(tokens: tf.Tensor2D, mask: tf.Tensor2D, targets: tf.Tensor1D, task?: tf.Tensor1D): tf.Scalar {
    if (this.spec.ids) return codeLoss(this, tokens, mask, targets, task);
    const logits = this.logits(tokens, mask, task);
    const logp = tf.logSoftmax(logits);
    return tf.neg(tf.mean(tf.sum(tf.mul(tf.oneHot(targets, this.spec.items), logp), 1))) as tf.Scalar;
  }

  dispose(): void {
    for (const v of this.variables()) v.dispose();
    this.itemCodeTokens?.forEach((t) => t.dispose());
    this.itemCodeMembership?.dispose();
    this.codePositionMask?.dispose();
  }
}

let counter = 0;
function uid(): number {
  return ++counter;
}
