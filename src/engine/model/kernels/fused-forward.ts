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
import { packing, type View } from './packing';
import { runKernel } from './program';

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
