/**
 * One training step of a Retriever on WebGPU in one queue submit and, with atomic IDs,
 * 12 + 4·layers dispatches (plain tfjs: ~600 and ~40 at the classroom shape):
 *
 *   forward   gather batch · embed · [attention block · FFN block] × layers · decoder ·
 *             softmax cross-entropy (+ its gradient) · mean loss
 *   backward  output dx · output weights · decoder dx · decoder start · decoder weights ·
 *             [encoder dx · encoder weights] × layers · embedding rows
 *   update    Adam over the whole arena
 *
 * With semantic IDs, 9 + 4·layers (plain tfjs: ~630 and ~42):
 *
 *   forward   gather batch · code embed · [attention · FFN] × layers · code decoder (all
 *             positions, teacher forced) · per-position cross-entropy · mean loss
 *   backward  code decoder dx · code decoder weights · [encoder dx · encoder weights] ×
 *             layers · input rows (code table, tokens, positions)
 *   update    Adam over the whole arena
 *
 * The kernels sit by layer, forward beside backward (llm.c style): embedding.ts, encoder.ts,
 * decoder.ts, output.ts (the atomic-ID head: one softmax over the items), codes.ts (the
 * semantic-ID head), adam.ts, on the WGSL helpers of wgsl.ts. The bi-encoder, per-task
 * code tokens and the per-task ablations train with the plain ops (train/stepper.ts chooses).
 *
 * The parameters live in the arena (layout.ts) while training; `syncToModel` writes them
 * back to the Retriever's variables (for validation, evaluation and snapshots). The
 * training data is uploaded once; each epoch uploads only its schedule of row indices.
 */
import * as tf from '@tensorflow/tfjs';
import type { Retriever } from '../retriever';
import type { Encoded } from '../../core/encode';
import { adam } from './adam';
import { decoderBackward, decoderStartGrad, decoderWeightGrad } from './decoder';
import { embedGrad } from './embedding';
import { encoderBackward, encoderWeightGrad } from './encoder';
import { forwardKernels } from './fused-forward';
import { codePacking } from './codes/packing';
import { codeEmbed, codeEmbedGrad } from './codes/embedding';
import { codeDecoder, codeDecoderBackward, codeDecoderWeightGrad } from './codes/decoder';
import { codeCrossEntropy, codeMeanLoss } from './codes/output';
import { meanLoss, outputBackward, outputWeightGrad, softmaxCrossEntropy } from './output';
import { arenaLayout, type ArenaLayout } from './layout';
import { packing, type Packing, type View } from './packing';
import { runKernel, submit } from './program';

const BETA1 = 0.9;
const BETA2 = 0.999;

/** The model's kernels at one batch size, built once (their shader sources are cached). */
function kernelSet(l: ArenaLayout, B: number, p: Packing) {
  const layerInput = (layer: number): View => (layer === 0 ? { stride: l.dim, offset: 0 } : { stride: p.F_STRIDE, offset: p.F_H });
  const encoderOut: View = { stride: p.F_STRIDE, offset: p.F_H };
  const layers = l.encoder.map((_, i) => i);
  return {
    ...forwardKernels(l, B, p),
    crossEntropy: softmaxCrossEntropy(l, B, p),
    meanLoss: meanLoss(l, B),
    outputBackward: outputBackward(l, B),
    outputWeightGrad: outputWeightGrad(l, B, p),
    decoderBackward: decoderBackward(l, B, p),
    decoderStartGrad: decoderStartGrad(l, B, p),
    decoderWeightGrad: decoderWeightGrad(l, B, p, encoderOut),
    // The top layer's output gradient is the decoder's dx; lower layers take the dx of the layer above.
    encoderBackward: layers.map((i) => encoderBackward(l, B, p, i,
      i === layers.length - 1 ? { stride: p.G_ROW, offset: 0 } : { stride: p.B_STRIDE, offset: p.B_DX })),
    encoderWeightGrad: layers.map((i) => encoderWeightGrad(l, B, p, i, layerInput(i))),
    embedGrad: embedGrad(l, B, p),
    adam: adam(l, B),
  };
}

/** The semantic-ID head's kernels at one batch size (the encoder's are the atomic step's). */
function codeKernelSet(l: ArenaLayout, B: number, p: Packing) {
  const q = codePacking(l, B);
  const encoderOut: View = { stride: p.F_STRIDE, offset: p.F_H };
  return {
    embed: codeEmbed(l, B, p, q),
    decoder: codeDecoder(l, B, p, q, encoderOut),
    crossEntropy: codeCrossEntropy(l, B, p, q),
    meanLoss: codeMeanLoss(l, B, p, q),
    decoderBackward: codeDecoderBackward(l, B, p, q),
    decoderWeightGrad: codeDecoderWeightGrad(l, B, p, q, encoderOut),
    embedGrad: codeEmbedGrad(l, B, p, q),
  };
}

/** Bytes of the largest buffer a step binds, to check against the device's limit. */
export function largestBinding(model: Retriever, batchSize: number): number {
  const l = arenaLayout(model);
  const p = packing(l, batchSize);
  const rows = batchSize * l.seq;
  const head = l.codes
    ? ((q) => [batchSize * q.C_STRIDE, q.G_BASE + batchSize * q.CT * q.K_POS, batchSize * q.CT * q.CE_STRIDE])(codePacking(l, batchSize))
    : [p.G_BASE + batchSize * p.G_STRIDE, batchSize * (l.items + 1), batchSize * p.E_STRIDE];
  return 4 * Math.max(4 * l.P, rows * p.A_STRIDE, rows * p.B_STRIDE, ...head);
}

export class FusedStep {
  readonly layout: ArenaLayout;
  private readonly kernels: ReturnType<typeof kernelSet>;
  /** Semantic IDs: the code head's kernels, and each item's code tokens (uploaded once). */
  private readonly codeKernels: ReturnType<typeof codeKernelSet> | null;
  private readonly itemCodes: tf.Tensor1D | null;
  private readonly arena: tf.Tensor1D;
  private readonly tokens: tf.Tensor1D;
  private readonly targets: tf.Tensor1D;
  private readonly rowOffset: number[];
  private schedule: tf.Tensor1D | null = null;
  private accBeta1 = BETA1;
  private accBeta2 = BETA2;

  constructor(private readonly model: Retriever, sets: Encoded[], readonly batchSize: number, readonly learningRate: number) {
    this.layout = arenaLayout(model);
    const p = packing(this.layout, batchSize);
    this.kernels = kernelSet(this.layout, batchSize, p);
    this.codeKernels = this.layout.codes ? codeKernelSet(this.layout, batchSize, p) : null;
    this.itemCodes = this.layout.codes ? tf.tensor1d(this.layout.codes.itemCodes, 'int32') : null;
    const P = this.layout.P;
    this.arena = tf.tidy(() => tf.concat([...model.variables().map((v) => tf.reshape(v, [-1])), tf.zeros([3 * P])]) as tf.Tensor1D);
    const S = this.layout.seq;
    const total = sets.reduce((s, x) => s + x.count, 0);
    const tokens = new Int32Array(total * S);
    const targets = new Int32Array(total);
    this.rowOffset = [];
    let at = 0;
    for (const set of sets) {
      if (set.seqLen !== S) throw new Error(`set of length ${set.seqLen}, model of ${S}`);
      this.rowOffset.push(at);
      tokens.set(set.tokens, at * S);
      targets.set(set.target, at);
      at += set.count;
    }
    this.tokens = tf.tensor1d(tokens, 'int32');
    this.targets = tf.tensor1d(targets, 'int32');
  }

  /** Uploads an epoch's batches: for each step, B (set, row) pairs. */
  setSchedule(batches: { set: number; row: number }[][]): void {
    const rows = new Int32Array(batches.length * this.batchSize);
    batches.forEach((batch, s) => batch.forEach((ref, j) => { rows[s * this.batchSize + j] = this.rowOffset[ref.set] + ref.row; }));
    this.schedule?.dispose();
    this.schedule = tf.tensor1d(rows, 'int32');
  }

  /** Runs step `index` of the current schedule: forward, backward and Adam. Returns the
   *  batch's mean loss (a scalar the caller disposes). */
  step(index: number): tf.Scalar {
    if (!this.schedule) throw new Error('setSchedule first');
    const loss = tf.tidy(() => {
      const l = this.forwardBackward(index);
      this.update();
      return l;
    });
    submit();
    return loss;
  }

  /** Forward and backward without the update: the loss, and g filled (for tests). */
  forwardBackward(index: number): tf.Scalar {
    const K = this.kernels;
    const arena = this.arena;
    const batch = this.gather(index);
    const activations = this.forward(batch);
    const { ffn, dec } = activations;
    if (this.codeKernels) return this.codeBackward(batch, activations, this.codeKernels, this.itemCodes!);
    const ce = runKernel(K.crossEntropy, [dec, batch, arena]);
    const loss = tf.reshape(runKernel(K.meanLoss, [ce]), []) as tf.Scalar;
    const encoderOut = ffn[ffn.length - 1];
    const dy = runKernel(K.outputBackward, [ce, arena]);
    runKernel(K.outputWeightGrad, [ce, dec], { arena });
    const bwd = runKernel(K.decoderBackward, [dy, dec, arena]);
    runKernel(K.decoderStartGrad, [bwd, dec], { arena });
    runKernel(K.decoderWeightGrad, [bwd, dec, encoderOut], { arena });
    const gradOut = this.encoderBackward(bwd, activations);
    runKernel(K.embedGrad, [gradOut, batch], { arena });
    return loss;
  }

  /** The semantic-ID head's loss and backward: code decoder, encoder, input rows. */
  private codeBackward(batch: tf.Tensor, act: ReturnType<FusedStep['forward']>, C: ReturnType<typeof codeKernelSet>, codes: tf.Tensor): tf.Scalar {
    const arena = this.arena;
    const ce = runKernel(C.crossEntropy, [act.dec, batch, codes, arena]);
    const loss = tf.reshape(runKernel(C.meanLoss, [ce]), []) as tf.Scalar;
    const bwd = runKernel(C.decoderBackward, [ce, act.dec, arena]);
    runKernel(C.decoderWeightGrad, [bwd, act.dec, act.ffn[act.ffn.length - 1]], { arena });
    const gradOut = this.encoderBackward(bwd, act);
    runKernel(C.embedGrad, [gradOut, bwd, ce, act.dec, batch, codes], { arena });
    return loss;
  }

  /** The encoder layers' backward, top to bottom, from the decoder's gradient of the
   *  encoder rows; returns the bottom layer's (its dx is the input rows' gradient). */
  private encoderBackward(decoderGrad: tf.Tensor, act: ReturnType<FusedStep['forward']>): tf.Tensor {
    const K = this.kernels;
    let gradOut = decoderGrad;
    for (let i = this.layout.layers - 1; i >= 0; i--) {
      gradOut = runKernel(K.encoderBackward[i], [gradOut, act.attention[i], act.ffn[i], this.arena]);
      runKernel(K.encoderWeightGrad[i], [act.layerInputs[i], act.attention[i], act.ffn[i], gradOut], { arena: this.arena });
    }
    return gradOut;
  }

  /** The forward kernels' outputs for a gathered batch (packed; see packing.ts). */
  forward(batch: tf.Tensor): { layerInputs: tf.Tensor[]; attention: tf.Tensor[]; ffn: tf.Tensor[]; dec: tf.Tensor } {
    const K = this.kernels;
    const layerInputs: tf.Tensor[] = [];
    const attention: tf.Tensor[] = [];
    const ffn: tf.Tensor[] = [];
    const C = this.codeKernels;
    let x = C ? runKernel(C.embed, [batch, this.itemCodes!, this.arena]) : runKernel(K.embed, [batch, this.arena]);
    for (let i = 0; i < this.layout.layers; i++) {
      layerInputs.push(x);
      attention.push(runKernel(K.attention[i], [x, batch, this.arena]));
      ffn.push(runKernel(K.ffn[i], [attention[i], this.arena]));
      x = ffn[i];
    }
    const dec = C ? runKernel(C.decoder, [x, batch, this.itemCodes!, this.arena]) : runKernel(K.decoder, [x, batch, this.arena]);
    return { layerInputs, attention, ffn, dec };
  }

  /** The gathered batch of step `index` (int32: B·S tokens, then B targets). */
  gather(index: number): tf.Tensor {
    return runKernel(this.kernels.gather, [this.tokens, this.targets, this.schedule!], { uniforms: [{ type: 'int32', data: [index] }] });
  }

  private update(): void {
    runKernel(this.kernels.adam, [], {
      arena: this.arena,
      uniforms: [{ type: 'float32', data: [this.learningRate] }, { type: 'float32', data: [1 - this.accBeta1] }, { type: 'float32', data: [1 - this.accBeta2] }],
    });
    // As tfjs's Adam: the accumulated betas advance after each update, in float32.
    this.accBeta1 = Math.fround(this.accBeta1 * BETA1);
    this.accBeta2 = Math.fround(this.accBeta2 * BETA2);
  }

  /** The gradient segment g, as [P] (for tests; forwardBackward fills it). */
  gradients(): tf.Tensor1D {
    const P = this.layout.P;
    return tf.slice(this.arena, [3 * P], [P]);
  }

  /** Writes θ back into the Retriever's variables. */
  syncToModel(): void {
    const vars = this.model.variables();
    tf.tidy(() => this.layout.entries.forEach((e, i) => vars[i].assign(tf.reshape(tf.slice(this.arena, [e.offset], [e.size]), e.shape))));
  }

  dispose(): void {
    [this.arena, this.tokens, this.targets].forEach((t) => t.dispose());
    this.itemCodes?.dispose();
    this.schedule?.dispose();
    this.schedule = null;
  }
}
