/**
 * What training, evaluation and the embedding analysis read of a model: a Scorer. The
 * generative retriever (retriever.ts: Gen_S, Gen_R, Gen_R+S) is one; the bi-encoder
 * reference (bi-encoder.ts), which ranks by the cosine of two towers and generates
 * nothing, is the other. Both sit on the same body (body.ts).
 */
import type * as tf from '@tensorflow/tfjs';
import type { BodySpec } from './body';
import type { Retriever } from './retriever';

export interface Scorer {
  readonly spec: BodySpec;
  /** Its trained weights, in a fixed order. */
  variables(): tf.Variable[];
  /** Scores of every item for a batch [B, items] (a head that generates code by code has none: it throws). */
  logits(tokens: tf.Tensor2D, mask: tf.Tensor2D, task?: tf.Tensor1D, trace?: (name: string, t: tf.Tensor) => void): tf.Tensor2D;
  /** Its training loss over a batch. */
  loss(tokens: tf.Tensor2D, mask: tf.Tensor2D, targets: tf.Tensor1D, task?: tf.Tensor1D): tf.Scalar;
  /** Each item's representation [items, dim] (what the embedding analysis projects): the caller's to dispose. */
  itemVectors(): tf.Tensor2D;
  /** Why the fused WebGPU step cannot train it as configured, or null when it can. */
  fusedUnsupported(): string | null;
  /** The generative retriever itself (its ID head generates; the fused kernels read its arena), or null for a scorer that only ranks. */
  readonly generative: Retriever | null;
  dispose(): void;
}
