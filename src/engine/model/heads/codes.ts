/**
 * The semantic-ID head: an item is `length` code tokens. The encoder reads each history
 * item as the sum of its code embeddings; the decoder generates the codes one after
 * another with causal self-attention over the codes so far (ids/code-decoder.ts), scored
 * against the code table plus a code prior. Trained with the plain tfjs ops, or on WebGPU with the fused kernels
 * of model/kernels/codes.ts.
 */
import * as tf from '@tensorflow/tfjs';
import { codeLoss, codeVocabulary, positionMask } from '../ids/code-decoder';
import { IdTrie } from '../ids/trie';
import { dense, embed } from '../ops';
import type { CodeHeadParts, FusedHeadLayout, Generation, HeadedModel, RetrieverSpec, SemanticIdSpec } from '../parts';

type Draw = (shape: number[], scale: number, name: string) => tf.Variable;

export class CodeHead implements CodeHeadParts {
  readonly kind = 'codes';
  readonly usesDecoder = true;
  /** Its scores are beam search's, fused by level (kernels/codes/decoder.ts codeStates). */
  readonly fusedItemScores = false;
  readonly ids: SemanticIdSpec;
  readonly outputBias: tf.Variable;
  readonly codeEmbedding: tf.Variable;
  readonly codeOutput: tf.Variable | null;
  readonly decoderPosition: tf.Variable;
  readonly selfAttention: { wq: tf.Variable; wk: tf.Variable };
  readonly itemCodeTokens: [tf.Tensor2D, tf.Tensor2D];
  readonly codePositionMask: tf.Tensor3D;
  /** Decoding keeps to the items' own codes. */
  readonly generation: Generation;
  /** Small catalogues: which code tokens each item has (rec set), [items, code tokens], so
   *  that the items' sums of code embeddings are one matrix product (faster than a gather on wasm). */
  private readonly itemCodeMembership: tf.Tensor2D | null = null;
  private readonly items: number;
  /** Each item's recommendation code tokens, row-major [items, length] (with shared tokens, every task's). */
  private readonly recTokens: Int32Array;
  private readonly dim: number;

  /** Drawn after the shared weights (the model's draw order). */
  constructor(spec: RetrieverSpec, ids: SemanticIdSpec, normal: Draw, zeros: (shape: number[], name: string) => tf.Variable) {
    const { items, dim: D } = spec;
    this.ids = ids;
    this.items = items;
    this.generation = { trie: new IdTrie({ items, length: ids.length, codes: ids.codes }), sizes: ids.sizes };
    this.dim = D;
    const V = codeVocabulary(ids);
    this.outputBias = zeros(spec.tasks === 2 && spec.outputBias === 'perTask' ? [2, V.total] : [V.total], 'bias');
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
    this.recTokens = rec;
    this.itemCodeTokens = [tf.tensor2d(tokensOf(0), [items, ids.length], 'int32'), tf.tensor2d(rec, [items, ids.length], 'int32')];
    this.codePositionMask = positionMask(ids);
    if (items * V.total <= 1 << 20) {
      const member = new Float32Array(items * V.total);
      for (let i = 0; i < items; i++) for (let p = 0; p < ids.length; p++) member[i * V.total + rec[i * ids.length + p]] += 1;
      this.itemCodeMembership = tf.tensor2d(member, [items, V.total]);
    }
  }

  /** Each item's sum of code embeddings (its recommendation code tokens): what the encoder reads for a history item. */
  itemVectors(): tf.Tensor2D {
    if (this.itemCodeMembership) return dense(this.itemCodeMembership, this.codeEmbedding as tf.Tensor2D);
    const T = this.ids.length;
    return tf.sum(tf.reshape(embed(this.codeEmbedding as tf.Tensor2D, tf.reshape(this.itemCodeTokens[1], [-1])), [this.items, T, this.dim]), 1) as tf.Tensor2D;
  }

  inputRows(): tf.Tensor2D {
    return this.itemVectors();
  }

  fusedUnsupported(spec: RetrieverSpec): string | null {
    if (!spec.tieEmbeddings) return 'untied item embeddings';
    if (this.outputBias.rank !== 1) return 'a per-task output bias (ablation)';
    return this.ids.perTask ? 'per-task code tokens' : null;
  }

  /** Its code table in place of the item table; each item's codes as code-token rows of that table. */
  fusedLayout(at: (v: tf.Variable) => number, bos: number): FusedHeadLayout {
    const V = codeVocabulary(this.ids);
    const { length, sizes } = this.ids;
    return {
      table: at(this.codeEmbedding), rows: V.total, bias: at(this.outputBias),
      codes: {
        // The fused step trains shared code tokens only (fusedUnsupported), so the rec tokens are every task's.
        length, sizes: [...sizes], offsets: V.offsets, total: V.total, itemCodes: this.recTokens,
        decoderPosition: at(this.decoderPosition), selfWq: at(this.selfAttention.wq), selfWk: at(this.selfAttention.wk), bos,
      },
    };
  }

  loss(m: HeadedModel, tokens: tf.Tensor2D, mask: tf.Tensor2D, targets: tf.Tensor1D, task?: tf.Tensor1D): tf.Scalar {
    return codeLoss(m, tokens, mask, targets, task);
  }

  inputVariables(): tf.Variable[] {
    return [this.codeEmbedding];
  }

  outputVariables(): tf.Variable[] {
    return [this.outputBias, ...(this.codeOutput ? [this.codeOutput] : []), this.decoderPosition, this.selfAttention.wq, this.selfAttention.wk];
  }

  dispose(): void {
    this.itemCodeTokens.forEach((t) => t.dispose());
    this.itemCodeMembership?.dispose();
    this.codePositionMask.dispose();
  }
}
