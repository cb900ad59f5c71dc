/**
 * The model's parts: its spec, the semantic-ID spec, an encoder layer, the shared body
 * every head reads, and the ID head's interface. Heads import this file, not the
 * Retriever, so the model and its heads form no cycle.
 */
import type * as tf from '@tensorflow/tfjs';
import type { BodySpec, EncoderLayer } from './body';
import type { IdTrie } from './ids/trie';

export type { EncoderLayer };

export interface RetrieverSpec extends BodySpec {
  tieEmbeddings: boolean;
  /** Ablations for a model trained on both tasks (ignored when `tasks` is 1). */
  tasks?: 1 | 2;
  outputBias?: 'shared' | 'perTask';
  itemEmbeddings?: 'shared' | 'perTask';
  /** Semantic IDs; atomic IDs without. */
  ids?: SemanticIdSpec;
  /** A head the caller brings (built after the shared body, from its draws): any module that implements IdHead. */
  head?: (body: HeadContext) => IdHead;
}

/** What a head is built from: the spec, the shared token table (a head may read words), and the model's seeded draws. */
export interface HeadContext {
  spec: RetrieverSpec;
  tokenEmbedding: tf.Variable;
  normal: (shape: number[], scale: number, name: string) => tf.Variable;
  zeros: (shape: number[], name: string) => tf.Variable;
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

/** The shared body every head reads: the spec, the token and position tables, the encoder and the decoder block. */
export interface EncoderParts {
  readonly spec: RetrieverSpec;
  readonly tokenEmbedding: tf.Variable;
  readonly position: tf.Variable;
  readonly encoder: EncoderLayer[];
  readonly decoder: EncoderLayer & { wvSelf: tf.Variable };
  ffn(h: tf.Tensor2D, layer: EncoderLayer): tf.Tensor2D;
  encode(tokens: tf.Tensor2D, mask: tf.Tensor2D, trace?: (name: string, t: tf.Tensor) => void): { x: tf.Tensor3D; keyBias: tf.Tensor4D };
}

/**
 * An ID head: how items enter the encoder and how the model generates them. Each scheme
 * is one head (heads/atomic.ts: one softmax over items; heads/codes.ts: semantic-ID
 * codes decoded one after another); a new head is one file that implements this.
 */
export interface IdHead {
  /** Its name in reports and errors (the built-in ones: atomic, codes). */
  readonly kind: string;
  /** Whether the shared decoder block belongs to this head's model (a head may read the encoder alone). */
  readonly usesDecoder: boolean;
  /** Whether the fused forward kernels (kernels/fused-forward.ts) compute its item scores. */
  readonly fusedItemScores: boolean;
  /** Scores of every item for a batch [B, items], where the head scores items directly (one softmax over
   *  items). A head that generates its IDs token by token has none (ids/code-decoder.ts). */
  logits?(m: HeadedModel, tokens: tf.Tensor2D, mask: tf.Tensor2D, task?: tf.Tensor1D, trace?: (name: string, t: tf.Tensor) => void): tf.Tensor2D;
  /** A head that generates its IDs code by code: the trie of valid IDs its beam search keeps to, and each
   *  position's codebook size (eval/generate.ts decodes with them). A head that scores items has none. */
  readonly generation?: Generation;
  /** Why the fused WebGPU step cannot train this head as it is configured, or null when it can. */
  fusedUnsupported(spec: RetrieverSpec): string | null;
  /** Where the fused step (kernels/layout.ts) finds this head in the arena, given each variable's θ offset and the
   *  decoder start token's row. Absent for a head the fused step never trains. */
  fusedLayout?(at: (v: tf.Variable) => number, bos: number): FusedHeadLayout;
  /** The item rows the encoder reads for a history item [items, dim]. */
  inputRows(): tf.Tensor2D;
  /** Optional: the encoder's input rows for these tokens [B·S, dim] directly (token ids as the model numbers them),
   *  where building the whole item table per step would cost more than the tokens need. */
  embedTokens?(tokens: tf.Tensor1D): tf.Tensor2D;
  /** Each item's representation [items, dim] (what the embedding analysis projects): a new tensor, the caller's to dispose. */
  itemVectors(): tf.Tensor2D;
  /** Mean −log P(target item) over a batch, teacher forced. */
  loss(m: HeadedModel, tokens: tf.Tensor2D, mask: tf.Tensor2D, targets: tf.Tensor1D, task?: tf.Tensor1D): tf.Scalar;
  /** Its weights before the shared ones (the input tables) and after (the output side), in a fixed order. */
  inputVariables(): tf.Variable[];
  outputVariables(): tf.Variable[];
  dispose(): void;
}

/** A head's part of the fused step's arena: its item table (θ offset, rows), which sits first in θ with the word
 *  rows after it, its output bias, and for semantic IDs the code decoder's offsets and each item's codes. */
export interface FusedHeadLayout {
  table: number;
  rows: number;
  bias: number;
  codes?: CodeLayout;
}

/** The semantic-ID head's part of the arena (heads/codes.ts): its code table sits where
 *  the atomic item table would (θ offset 0), and the encoder reads an item as the sum of
 *  its codes' rows. */
export interface CodeLayout {
  /** Codes per item, and each position's codebook: tokens offsets[t] … offsets[t] + sizes[t] − 1. */
  length: number;
  sizes: number[];
  offsets: number[];
  /** Code tokens (rows of the code table). */
  total: number;
  /** Each item's code tokens, row-major [items, length] (uploaded once). */
  itemCodes: Int32Array;
  /** θ offsets: the decoder's position rows, its self-attention query and key maps, the start token's row. */
  decoderPosition: number;
  selfWq: number;
  selfWk: number;
  bos: number;
}

/** What constrained generation needs of a head: its valid IDs and its codebooks. */
export interface Generation {
  readonly trie: IdTrie;
  readonly sizes: readonly number[];
}

/** A model: the shared body and one head. */
export interface HeadedModel extends EncoderParts {
  readonly head: IdHead;
}

/** What the code decoder (ids/code-decoder.ts) reads of a semantic-ID head. */
export interface CodeHeadParts extends IdHead {
  readonly kind: 'codes';
  readonly ids: SemanticIdSpec;
  /** Code-token embeddings [code tokens, dim] (input and, tied, output), the untied output
   *  table, the decoder's positions and causal self-attention maps, each task's code tokens
   *  per item [items, length] (index 0 search, 1 rec), which codes each position may emit,
   *  and the code prior. */
  readonly codeEmbedding: tf.Variable;
  readonly codeOutput: tf.Variable | null;
  readonly decoderPosition: tf.Variable;
  readonly selfAttention: { wq: tf.Variable; wk: tf.Variable };
  readonly itemCodeTokens: [tf.Tensor2D, tf.Tensor2D];
  readonly codePositionMask: tf.Tensor3D;
  readonly outputBias: tf.Variable;
}
