/**
 * The model's parts as the ID decoders see them: its spec, the semantic-ID spec, an
 * encoder layer, and the weights and encoder a head reads (Retriever implements it).
 * Heads import this file, not the Retriever, so the model and its heads form no cycle.
 */
import type * as tf from '@tensorflow/tfjs';

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
  /** Semantic IDs; atomic IDs without. */
  ids?: SemanticIdSpec;
}

export interface SemanticIdSpec {
  /** Codes per item, items × length, 0-based within each position. */
  codes: Int32Array;
  length: number;
  /** Codebook size at each position. */
  sizes: number[];
  /** Gen_R+S only: each task its own code tokens. */
  perTask: boolean;
}

export interface EncoderLayer {
  wq: tf.Variable; wk: tf.Variable; wv: tf.Variable; wo: tf.Variable;
  w1: tf.Variable; b1: tf.Variable; w2: tf.Variable; b2: tf.Variable;
}

/** What a code head (ids/code-decoder.ts) reads of the model. */
export interface ModelParts {
  readonly spec: RetrieverSpec;
  readonly tokenEmbedding: tf.Variable;
  readonly codeEmbedding: tf.Variable | null;
  readonly codeOutput: tf.Variable | null;
  readonly decoderPosition: tf.Variable | null;
  readonly selfAttention: { wq: tf.Variable; wk: tf.Variable } | null;
  readonly itemCodeTokens: [tf.Tensor2D, tf.Tensor2D] | null;
  readonly codePositionMask: tf.Tensor3D | null;
  readonly decoder: EncoderLayer & { wvSelf: tf.Variable };
  readonly outputBias: tf.Variable;
  ffn(h: tf.Tensor2D, layer: EncoderLayer): tf.Tensor2D;
  encode(tokens: tf.Tensor2D, mask: tf.Tensor2D, trace?: (name: string, t: tf.Tensor) => void): { x: tf.Tensor3D; keyBias: tf.Tensor4D };
}
