/**
 * What one training step runs on: the fused WebGPU kernels (model/kernels/) where the
 * backend is WebGPU and the model fits them, otherwise the model's plain tfjs ops
 * (model/scorer.ts) with tfjs's Adam. Both do the same math (the tests check it); the trainer
 * and the benchmark use whichever this picks.
 */
import * as tf from '@tensorflow/tfjs';
import { FusedStep, largestBinding } from '../model/kernels/fused-step';
import type { Retriever } from '../model/retriever';
import type { Scorer } from '../model/scorer';
import { batchBuffers, gatherRows, type Encoded } from '../core/encode';

export type BatchRef = { set: number; row: number };

export interface Stepper {
  /** `fused-webgpu`, or `plain` with the reason the fused kernels were not used. */
  readonly kind: string;
  beginEpoch(batches: BatchRef[][]): void;
  /** Trains on batch `index` of the epoch; returns its mean loss (the caller disposes it). */
  step(index: number): tf.Scalar;
  /** Makes the model's variables hold the current weights. */
  sync(): void;
  dispose(): void;
}

let fusedEnabled = true;
/** Switches the fused WebGPU kernels off (to measure or compare the plain ops). */
export function useFusedKernels(on: boolean): void {
  fusedEnabled = on;
}

/** Why the fused kernels cannot train this model on this backend now, or null. */
export function fusedUnavailable(model: Scorer, batchSize: number): string | null {
  if (tf.getBackend() !== 'webgpu') return `backend ${tf.getBackend()}`;
  if (!fusedEnabled) return 'switched off';
  const why = model.fusedUnsupported();
  if (why) return why;
  if (!model.generative) return 'a model that does not generate';
  const limits = (tf.backend() as unknown as { device?: { limits?: GPUSupportedLimitsLike } }).device?.limits;
  if (limits) {
    if (largestBinding(model.generative, batchSize) > limits.maxStorageBufferBindingSize) return 'a buffer larger than the device allows';
    if (16 * model.spec.dim + 8 > limits.maxComputeWorkgroupStorageSize) return 'dim too large for workgroup memory';
  }
  return null;
}

interface GPUSupportedLimitsLike { maxStorageBufferBindingSize: number; maxComputeWorkgroupStorageSize: number }

export function makeStepper(model: Scorer, sets: Encoded[], cfg: { batchSize: number; learningRate: number }): Stepper {
  const why = fusedUnavailable(model, cfg.batchSize);
  return why === null && model.generative ? fusedStepper(model.generative, sets, cfg) : plainStepper(model, sets, cfg, why ?? '');
}

function fusedStepper(model: Retriever, sets: Encoded[], cfg: { batchSize: number; learningRate: number }): Stepper {
  // The fused step submits once itself, after its last dispatch; tfjs would otherwise
  // submit after every 15.
  if (tf.env().getNumber('WEBGPU_DEFERRED_SUBMIT_BATCH_SIZE') < 64) tf.env().set('WEBGPU_DEFERRED_SUBMIT_BATCH_SIZE', 64);
  const fused = new FusedStep(model, sets, cfg.batchSize, cfg.learningRate);
  return {
    kind: 'fused-webgpu',
    beginEpoch: (batches) => fused.setSchedule(batches),
    step: (i) => fused.step(i),
    sync: () => fused.syncToModel(),
    dispose: () => fused.dispose(),
  };
}

function plainStepper(model: Scorer, sets: Encoded[], cfg: { batchSize: number; learningRate: number }, why: string): Stepper {
  const B = cfg.batchSize;
  const S = sets[0].seqLen;
  const buf = batchBuffers(B, S);
  // Adam's epsilon is explicit: WebGL would otherwise use 1e-4.
  const optimizer = tf.train.adam(cfg.learningRate, 0.9, 0.999, 1e-7);
  const vars = model.variables();
  let batches: BatchRef[][] = [];
  return {
    kind: `plain (${why})`,
    beginEpoch: (b) => { batches = b; },
    step: (i) => {
      batches[i].forEach((ref, j) => gatherRows(sets[ref.set], [ref.row], buf, j));
      return tf.tidy(() => {
        const tk = tf.tensor2d(buf.tokens, [B, S], 'int32');
        const mk = tf.tensor2d(buf.mask, [B, S]);
        const tg = tf.tensor1d(buf.target, 'int32');
        const ts = tf.tensor1d(buf.task, 'int32');
        return optimizer.minimize(() => model.loss(tk, mk, tg, ts), true, vars) as tf.Scalar;
      });
    },
    sync: () => {},
    dispose: () => optimizer.dispose(),
  };
}
