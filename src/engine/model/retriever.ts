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
 * The shared body (token and position tables, encoder, decoder block) is here; how items
 * enter and leave the model is its ID head (parts.ts IdHead): heads/atomic.ts (an item is
 * one token, generating its ID is one decoding step, and the softmax over the item tokens
 * is the model's distribution over items) or heads/codes.ts (semantic IDs: an item is
 * `length` code tokens, read as the sum of their embeddings and generated one after
 * another, ids/code-decoder.ts), heads/towers.ts (the bi-encoder's two towers), or a head the caller
 * brings (`spec.head`). Gen_S, Gen_R and Gen_R+S are this same model.
 */
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../core/rng';
import { builtInHead, drawnBeforeBody } from './heads';
import { dense, embed, layerNorm } from './ops';
import type { EncoderLayer, HeadContext, HeadedModel, IdHead, RetrieverSpec, SemanticIdSpec } from './parts';

export type { EncoderLayer, HeadContext, IdHead, RetrieverSpec, SemanticIdSpec };

/** Special tokens live after the words in the non-item table. */
const SPECIALS = 4;

export class Retriever implements HeadedModel {
  readonly spec: RetrieverSpec;
  /** Word and special-token embeddings [words + 4, dim]. */
  readonly tokenEmbedding: tf.Variable;
  readonly position: tf.Variable;
  readonly encoder: EncoderLayer[];
  readonly decoder: EncoderLayer & { wvSelf: tf.Variable };
  /** How items enter and leave the model (parts.ts IdHead): atomic IDs, semantic-ID codes, or a bi-encoder's towers. */
  readonly head: IdHead;

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
    // The draw order of the weights is fixed (a seed gives the same model): the atomic
    // item table, the shared body, then the head's output side.
    const before = spec.head ? null : drawnBeforeBody(spec, normal);
    this.tokenEmbedding = normal([words + SPECIALS, D], 0.05, 'tokens');
    this.position = normal([spec.seqLen, D], 0.05, 'pos');
    this.encoder = Array.from({ length: spec.layers }, (_, l) => block(`enc${l}`));
    this.decoder = { ...block('dec'), wvSelf: normal([D, D], D ** -0.5, 'decwvself') };
    const context = { spec, tokenEmbedding: this.tokenEmbedding, normal, zeros };
    this.head = spec.head ? spec.head(context) : builtInHead(context, before);
  }

  /** Each item's representation [items, dim] (the head's: output rows, sums of code embeddings, or the item tower), the caller's to dispose. */
  itemVectors(): tf.Tensor2D {
    return this.head.itemVectors();
  }

  variables(): tf.Variable[] {
    // A bi-encoder has no decoder: its weights are drawn (a seed gives the same encoder) but not trained.
    const decoder = this.head.usesDecoder ? this.decoderVariables() : [];
    return [...this.head.inputVariables(), this.tokenEmbedding, this.position, ...this.encoder.flatMap(blockVariables), ...decoder, ...this.head.outputVariables()];
  }

  private decoderVariables(): tf.Variable[] {
    return [...blockVariables(this.decoder), this.decoder.wvSelf];
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
    const flatTokens = tf.reshape(tokens, [-1]) as tf.Tensor1D;
    const head = this.head;
    const rows = head.embedTokens ? head.embedTokens(flatTokens) : embed(tf.concat([this.head.inputRows(), this.tokenEmbedding], 0) as tf.Tensor2D, flatTokens);
    let x = tf.add(tf.reshape(rows, [B, S, D]), this.position) as tf.Tensor3D;
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

  /** Item logits [B, items] (atomic IDs: see heads/atomic.ts; a bi-encoder: heads/towers.ts; semantic IDs score codes). */
  logits(tokens: tf.Tensor2D, mask: tf.Tensor2D, task?: tf.Tensor1D, trace?: (name: string, t: tf.Tensor) => void): tf.Tensor2D {
    if (!this.head.logits) throw new Error('this model generates its item IDs code by code and scores codes, not items: see ids/code-decoder.ts');
    return this.head.logits(this, tokens, mask, task, trace);
  }

  ffn(h: tf.Tensor2D, L: EncoderLayer): tf.Tensor2D {
    return tf.add(dense(tf.relu(tf.add(dense(h, L.w1 as tf.Tensor2D), L.b1)) as tf.Tensor2D, L.w2 as tf.Tensor2D), L.b2);
  }

  /** Mean cross-entropy of the target items (the head's). */
  loss(tokens: tf.Tensor2D, mask: tf.Tensor2D, targets: tf.Tensor1D, task?: tf.Tensor1D): tf.Scalar {
    return this.head.loss(this, tokens, mask, targets, task);
  }

  dispose(): void {
    for (const v of this.variables()) v.dispose();
    if (!this.head.usesDecoder) for (const v of this.decoderVariables()) v.dispose();
    this.head.dispose();
  }
}

function blockVariables(b: EncoderLayer): tf.Variable[] {
  return [b.wq, b.wk, b.wv, b.wo, b.w1, b.b1, b.w2, b.b2];
}

let counter = 0;
function uid(): number {
  return ++counter;
}
