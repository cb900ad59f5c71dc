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
 * The shared body (token and position tables, encoder, decoder block) is body.ts; how items
 * enter and leave the model is its ID head (parts.ts IdHead): heads/atomic.ts (an item is
 * one token, generating its ID is one decoding step, and the softmax over the item tokens
 * is the model's distribution over items) or heads/codes.ts (semantic IDs: an item is
 * `length` code tokens, read as the sum of their embeddings and generated one after
 * another, ids/code-decoder.ts), or a head the caller brings (`spec.head`). Gen_S, Gen_R
 * and Gen_R+S are this same model; the bi-encoder reference (bi-encoder.ts) is a scorer
 * beside it on the same body.
 */
import * as tf from '@tensorflow/tfjs';
import { Body, seededDraws } from './body';
import { builtInHead, drawnBeforeBody } from './heads';
import { embed } from './ops';
import type { EncoderLayer, HeadContext, HeadedModel, IdHead, RetrieverSpec, SemanticIdSpec } from './parts';

export type { EncoderLayer, HeadContext, IdHead, RetrieverSpec, SemanticIdSpec };

export class Retriever implements HeadedModel {
  readonly spec: RetrieverSpec;
  /** Word and special-token embeddings [words + 4, dim]. */
  readonly tokenEmbedding: tf.Variable;
  readonly position: tf.Variable;
  readonly encoder: EncoderLayer[];
  readonly decoder: EncoderLayer & { wvSelf: tf.Variable };
  /** How items enter and leave the model (parts.ts IdHead): atomic IDs, semantic-ID codes, or the caller's head. */
  readonly head: IdHead;
  private readonly body: Body;

  constructor(spec: RetrieverSpec, seed: number) {
    this.spec = spec;
    const draws = seededDraws(seed);
    // The draw order of the weights is fixed (a seed gives the same model): the atomic
    // item table, the shared body, then the head's output side.
    const before = spec.head ? null : drawnBeforeBody(spec, draws.normal);
    this.body = new Body(spec, draws);
    ({ tokenEmbedding: this.tokenEmbedding, position: this.position, encoder: this.encoder, decoder: this.decoder } = this.body);
    const context = { spec, tokenEmbedding: this.tokenEmbedding, ...draws };
    this.head = spec.head ? spec.head(context) : builtInHead(context, before);
  }

  /** The model that generates: itself (a Scorer's generative side, scorer.ts). */
  get generative(): Retriever {
    return this;
  }

  /** Each item's representation [items, dim] (the head's: output rows, or sums of code embeddings), the caller's to dispose. */
  itemVectors(): tf.Tensor2D {
    return this.head.itemVectors();
  }

  variables(): tf.Variable[] {
    // A head that reads the encoder alone has no decoder: its weights are drawn (a seed gives the same body) but not trained.
    const decoder = this.head.usesDecoder ? this.body.decoderVariables() : [];
    return [...this.head.inputVariables(), ...this.body.encoderVariables(), ...decoder, ...this.head.outputVariables()];
  }

  /** Why the fused WebGPU step cannot train this model as configured, or null when it can. */
  fusedUnsupported(): string | null {
    const why = this.head.fusedUnsupported(this.spec);
    if (why) return why;
    if (this.spec.dim % this.spec.heads) return 'heads must divide dim';
    return null;
  }

  /** Token ids: item i → i; word w → items + w; special s → items + words + s. */
  wordToken(w: number): number { return this.spec.items + w; }
  specialToken(s: number): number { return this.spec.items + this.spec.words + s; }

  /**
   * The encoder: states [B, seqLen, dim] for token ids [B, seqLen] (int32) with a padding
   * mask [B, seqLen] (1 = real token), and the additive key mask [B, 1, 1, seqLen].
   */
  encode(tokens: tf.Tensor2D, mask: tf.Tensor2D, trace?: (name: string, t: tf.Tensor) => void): { x: tf.Tensor3D; keyBias: tf.Tensor4D } {
    const flatTokens = tf.reshape(tokens, [-1]) as tf.Tensor1D;
    const head = this.head;
    const rows = head.embedTokens ? head.embedTokens(flatTokens) : embed(tf.concat([head.inputRows(), this.tokenEmbedding], 0) as tf.Tensor2D, flatTokens);
    return this.body.encodeRows(rows, mask, trace);
  }

  /** Item logits [B, items] (atomic IDs: see heads/atomic.ts; semantic IDs score codes). */
  logits(tokens: tf.Tensor2D, mask: tf.Tensor2D, task?: tf.Tensor1D, trace?: (name: string, t: tf.Tensor) => void): tf.Tensor2D {
    if (!this.head.logits) throw new Error('this model generates its item IDs code by code and scores codes, not items: see ids/code-decoder.ts');
    return this.head.logits(this, tokens, mask, task, trace);
  }

  ffn(h: tf.Tensor2D, L: EncoderLayer): tf.Tensor2D {
    return this.body.ffn(h, L);
  }

  /** Mean cross-entropy of the target items (the head's). */
  loss(tokens: tf.Tensor2D, mask: tf.Tensor2D, targets: tf.Tensor1D, task?: tf.Tensor1D): tf.Scalar {
    return this.head.loss(this, tokens, mask, targets, task);
  }

  dispose(): void {
    for (const v of this.variables()) v.dispose();
    if (!this.head.usesDecoder) for (const v of this.body.decoderVariables()) v.dispose();
    this.head.dispose();
  }
}
