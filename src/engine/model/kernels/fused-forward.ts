/**
 * Inference on WebGPU in 5 + 2·layers dispatches a batch and one readback: the fused
 * forward kernels of the training step (gather · embed · [attention · FFN] × layers ·
 * decoder) and the item logits, on the model's current weights. The set's rows are
 * uploaded once; batch b reads rows b·B … (the last batch wraps within itself, as the
 * plain `predict` pads). Validation, test evaluation and calibration of atomic-ID models
 * use it where the fused training step would serve the model (train/trainer.ts predict).
 */
import * as tf from '@tensorflow/tfjs';
import type { Retriever } from '../retriever';
import type { Encoded } from '../../core/encode';
import { decoder } from './decoder';
import { embed, gatherBatch } from './embedding';
import { attentionBlock, ffnBlock } from './encoder';
import { itemLogits } from './output';
import { arenaLayout, type ArenaLayout } from './layout';
import { packing, type Packing, type View } from './packing';
import { runKernel, type FusedKernel } from './program';
import { codePacking, scorePacking } from './codes/packing';
import { codeEmbed } from './codes/embedding';
import { codeCrossKeys, codeStates } from './codes/decoder';
import { codeLevelLogits } from './codes/output';
import type { CodeScorer } from '../ids/beam';

/** The forward kernels at one batch size (the training step's kernel set extends them). */
export function forwardKernels(l: ArenaLayout, B: number, p = packing(l, B)) {
  const layerInput = (layer: number): View => (layer === 0 ? { stride: l.dim, offset: 0 } : { stride: p.F_STRIDE, offset: p.F_H });
  const layers = l.encoder.map((_, i) => i);
  return {
    gather: gatherBatch(l, B),
    embed: embed(l, B),
    attention: layers.map((i) => attentionBlock(l, B, p, i, layerInput(i))),
    ffn: layers.map((i) => ffnBlock(l, B, p, i)),
    decoder: decoder(l, B, p, { stride: p.F_STRIDE, offset: p.F_H }),
    logits: itemLogits(l, B, p),
  };
}

export class FusedForward {
  readonly batches: number;
  private readonly layout: ArenaLayout;
  private readonly kernels: ReturnType<typeof forwardKernels>;
  private readonly theta: tf.Tensor1D;
  private readonly tokens: tf.Tensor1D;
  private readonly targets: tf.Tensor1D;
  private readonly schedule: tf.Tensor1D;

  constructor(model: Retriever, set: Encoded, readonly batchSize: number) {
    this.layout = arenaLayout(model);
    if (this.layout.codes) throw new Error('fused inference scores atomic IDs; semantic IDs decode by beam search');
    if (set.seqLen !== this.layout.seq) throw new Error(`set of length ${set.seqLen}, model of ${this.layout.seq}`);
    this.kernels = forwardKernels(this.layout, batchSize);
    this.theta = tf.tidy(() => tf.concat(model.variables().map((v) => tf.reshape(v, [-1]))) as tf.Tensor1D);
    this.tokens = tf.tensor1d(set.tokens, 'int32');
    this.targets = tf.tensor1d(set.target, 'int32');
    const B = batchSize;
    this.batches = Math.ceil(set.count / B);
    const rows = new Int32Array(this.batches * B);
    for (let b = 0; b < this.batches; b++) {
      const count = Math.min(B, set.count - b * B);
      for (let j = 0; j < B; j++) rows[b * B + j] = b * B + (j % count);
    }
    this.schedule = tf.tensor1d(rows, 'int32');
  }

  /** Item logits [B, items] of batch `index` (the caller disposes them). */
  logits(index: number): tf.Tensor2D {
    const K = this.kernels;
    return tf.tidy(() => {
      const batch = runKernel(K.gather, [this.tokens, this.targets, this.schedule], { uniforms: [{ type: 'int32', data: [index] }] });
      let x = runKernel(K.embed, [batch, this.theta]);
      for (let i = 0; i < this.layout.layers; i++) x = runKernel(K.ffn[i], [runKernel(K.attention[i], [x, batch, this.theta]), this.theta]);
      const dec = runKernel(K.decoder, [x, batch, this.theta]);
      return tf.reshape(runKernel(K.logits, [dec, this.theta]), [this.batchSize, this.layout.items]) as tf.Tensor2D;
    });
  }

  dispose(): void {
    [this.theta, this.tokens, this.targets, this.schedule].forEach((t) => t.dispose());
  }
}

/**
 * Beam search's scorer on WebGPU for semantic IDs (ids/beam.ts CodeScorer): per batch of
 * inputs, the encoder and the cross-attention keys in 2 + 2·layers dispatches; then per
 * level of the search, 2 dispatches (every hypothesis's next decoder state, its codes'
 * scores) and one readback. The same math as the plain CodeGenerator (ids/code-decoder.ts).
 * Open one per call of a search (it packs the weights once) and a batch per `open`.
 */
export class FusedCodeScorer {
  private readonly layout: ArenaLayout;
  private readonly theta: tf.Tensor1D;
  private readonly itemCodes: tf.Tensor1D;
  private readonly packing: Packing;
  private readonly kernels: { embed: FusedKernel; attention: FusedKernel[]; ffn: FusedKernel[]; crossKeys: FusedKernel };
  /** Hypotheses per dispatch, so that their states stay within 64 MB. */
  private readonly maxHypotheses: number;

  constructor(model: Retriever, readonly batchSize: number) {
    this.layout = arenaLayout(model);
    const l = this.layout;
    if (!l.codes) throw new Error('the fused code scorer serves semantic IDs');
    const B = batchSize, p = packing(l, B);
    this.packing = p;
    // The encoder's kernels are the atomic forward's; only the input rows and the cross keys are the code head's.
    const { attention, ffn } = forwardKernels(l, B, p);
    this.kernels = { embed: codeEmbed(l, B, p, codePacking(l, B)), attention, ffn, crossKeys: codeCrossKeys(l, B, p, { stride: p.F_STRIDE, offset: p.F_H }) };
    this.maxHypotheses = Math.max(1, Math.min(65535, Math.floor((16 << 20) / scorePacking(l).Z_STRIDE)));
    this.theta = tf.tidy(() => tf.concat(model.variables().map((v) => tf.reshape(v, [-1]))) as tf.Tensor1D);
    this.itemCodes = tf.tensor1d(l.codes.itemCodes, 'int32');
  }

  /** Encodes one batch of inputs (`tokens`: batchSize × seqLen token ids); returns its scorer. */
  open(tokens: Int32Array): { score: CodeScorer; dispose: () => void } {
    const l = this.layout, B = this.batchSize, K = this.kernels, codes = l.codes!;
    const ids = new Int32Array(B * l.seq + B);
    ids.set(tokens.subarray(0, B * l.seq));
    const batch = tf.tensor1d(ids, 'int32');
    const kv = tf.tidy(() => {
      let x = runKernel(K.embed, [batch, this.itemCodes, this.theta]);
      for (let i = 0; i < l.layers; i++) x = runKernel(K.ffn[i], [runKernel(K.attention[i], [x, batch, this.theta]), this.theta]);
      return runKernel(K.crossKeys, [x, this.theta]);
    });
    const T = codes.length, MAXC = Math.max(...codes.sizes);
    const score: CodeScorer = async (rows, prefixes, t) => {
      const size = codes.sizes[t];
      const out = new Float32Array(rows.length * size);
      for (let first = 0; first < rows.length; first += this.maxHypotheses) {
        const R = Math.min(this.maxHypotheses, rows.length - first);
        const hyps = new Int32Array(R * (T + 1));
        for (let j = 0; j < R; j++) {
          hyps[j * (T + 1)] = rows[first + j];
          for (let q = 0; q < t; q++) hyps[j * (T + 1) + 1 + q] = codes.offsets[q] + prefixes[(first + j) * t + q];
        }
        const level = [{ type: 'int32' as const, data: [t] }];
        const logits = tf.tidy(() => {
          const h = tf.tensor1d(hyps, 'int32');
          const states = runKernel(codeStates(l, B, R, this.packing), [h, kv, batch, this.theta], { uniforms: level });
          return runKernel(codeLevelLogits(l, B, R), [states, this.theta], { uniforms: level });
        });
        const grid = (await logits.data()) as Float32Array;
        logits.dispose();
        for (let j = 0; j < R; j++) out.set(grid.subarray(j * MAXC, j * MAXC + size), (first + j) * size);
      }
      return out;
    };
    return { score, dispose: () => { batch.dispose(); kv.dispose(); } };
  }

  dispose(): void {
    this.theta.dispose();
    this.itemCodes.dispose();
  }
}
