/**
 * The training loop, in plain sight: fixed-shape batches (the last one wraps around, so
 * WebGPU's buffer pool sees one shape), each step run by a Stepper (the fused WebGPU
 * kernels, or plain ops with Adam), the loss read back every few steps with an async
 * read (never a sync read: it breaks WebGPU), and a stop check between steps.
 */
import * as tf from '@tensorflow/tfjs';
import type { Config } from '../core/config';
import { Rng } from '../core/rng';
import type { Retriever } from '../model/retriever';
import { batchBuffers, gatherRows, type BatchBuffers, type Encoded } from '../core/encode';
import { fusedUnavailable, makeStepper } from './stepper';
import { FusedForward } from '../model/kernels/fused-forward';

export interface TrainProgress {
  epoch: number;
  step: number;
  totalSteps: number;
  /** Mean loss over the steps since the last report. */
  loss: number;
}

export interface TrainResult {
  steps: number;
  seconds: number;
  stopped: boolean;
  losses: { step: number; loss: number }[];
  /** Validation score after each epoch (when a validator is given). */
  validation: { epoch: number; step: number; score: number }[];
  /** The epoch (1-based) whose weights the model holds at the end; 0 if none finished. */
  bestEpoch: number;
  epochsRun: number;
  /** What ran the steps: `fused-webgpu`, or `plain (why not fused)`. */
  stepper: string;
}

export interface TrainOptions {
  onProgress?: (p: TrainProgress) => void;
  shouldStop?: () => boolean;
  /** Read the loss back every this many steps. */
  readEvery?: number;
  now?: () => number;
  /** Scores the model after each epoch (higher is better), for early stopping. */
  validate?: () => Promise<number>;
}

type Training = Pick<Config, 'epochs' | 'batchSize' | 'learningRate' | 'jointMixing' | 'seed' | 'patience'> & { initSeed?: number };

/** The batch schedule for one epoch: for each step, B (set, row) pairs. */
export function epochSchedule(sets: Encoded[], cfg: Training, rng: Rng): { set: number; row: number }[][] {
  const B = cfg.batchSize;
  const steps: { set: number; row: number }[][] = [];
  if (sets.length === 2 && cfg.jointMixing === 'balanced') {
    // Half of every batch from each task; the smaller set cycles.
    const orders = sets.map((s) => rng.permutation(s.count));
    const half = [Math.floor(B / 2), B - Math.floor(B / 2)];
    const n = stepsPerEpoch(sets, cfg);
    const pos = [0, 0];
    for (let t = 0; t < n; t++) {
      const batch: { set: number; row: number }[] = [];
      for (let s = 0; s < 2; s++) {
        for (let j = 0; j < half[s]; j++) {
          if (pos[s] === orders[s].length) { pos[s] = 0; rng.shuffle(orders[s]); }
          batch.push({ set: s, row: orders[s][pos[s]++] });
        }
      }
      steps.push(batch);
    }
    return steps;
  }
  // Proportional: every example of every set once, shuffled together.
  const all: { set: number; row: number }[] = [];
  sets.forEach((s, si) => { for (let r = 0; r < s.count; r++) all.push({ set: si, row: r }); });
  rng.shuffle(all);
  const n = stepsPerEpoch(sets, cfg);
  for (let t = 0; t < n; t++) {
    const batch = [];
    for (let j = 0; j < B; j++) batch.push(all[(t * B + j) % all.length]);
    steps.push(batch);
  }
  return steps;
}

export function stepsPerEpoch(sets: readonly { count: number }[], cfg: Training): number {
  const B = cfg.batchSize;
  if (sets.length === 2 && cfg.jointMixing === 'balanced') return Math.ceil(Math.max(sets[0].count, sets[1].count) / Math.floor(B / 2));
  return Math.ceil(sets.reduce((s, x) => s + x.count, 0) / B);
}

/** Resolves after pending macrotasks (messages, signals, timers) have had their turn. */
export function yieldToEventLoop(): Promise<void> {
  if (typeof MessageChannel === 'undefined') return new Promise((r) => setTimeout(r, 0));
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => {
      channel.port1.close();
      resolve();
    };
    channel.port2.postMessage(0);
  });
}

function batchTensors(b: BatchBuffers, B: number, S: number): [tf.Tensor2D, tf.Tensor2D, tf.Tensor1D, tf.Tensor1D] {
  return [tf.tensor2d(b.tokens, [B, S], 'int32'), tf.tensor2d(b.mask, [B, S]), tf.tensor1d(b.target, 'int32'), tf.tensor1d(b.task, 'int32')];
}

/** Trains `model` on the given sets. All tensors it makes are disposed before it returns. */
export async function train(model: Retriever, sets: Encoded[], cfg: Training, opts: TrainOptions = {}): Promise<TrainResult> {
  const now = opts.now ?? (() => performance.now());
  const t0 = now();
  const rng = Rng.derive(cfg.initSeed || cfg.seed, `batches/${sets.map((s) => s.task).join('+')}`);
  const stepper = makeStepper(model, sets, cfg);
  const vars = model.variables();
  const perEpoch = stepsPerEpoch(sets, cfg);
  const totalSteps = perEpoch * cfg.epochs;
  const readEvery = opts.readEvery ?? 10;
  const losses: { step: number; loss: number }[] = [];
  let pending: tf.Scalar[] = [];
  let step = 0;
  let stopped = false;
  const validation: TrainResult['validation'] = [];
  let best = { epoch: 0, score: -Infinity };
  let snapshot: tf.Tensor[] | null = null;
  let epochsRun = 0;

  const flush = async (epoch: number) => {
    // A stop request (a worker message, a signal) is a macrotask: let it in. wasm's and
    // cpu's async reads resolve as microtasks and would otherwise never yield.
    await yieldToEventLoop();
    if (!pending.length) return;
    const stacked = tf.tidy(() => tf.mean(tf.stack(pending)));
    const value = (await stacked.data())[0];
    stacked.dispose();
    pending.forEach((p) => p.dispose());
    pending = [];
    losses.push({ step, loss: value });
    opts.onProgress?.({ epoch, step, totalSteps, loss: value });
  };

  try {
    outer: for (let epoch = 0; epoch < cfg.epochs; epoch++) {
      const schedule = epochSchedule(sets, cfg, rng);
      stepper.beginEpoch(schedule);
      for (let i = 0; i < schedule.length; i++) {
        if (opts.shouldStop?.()) { stopped = true; break outer; }
        pending.push(stepper.step(i));
        step++;
        if (step % readEvery === 0) await flush(epoch);
      }
      await flush(epoch);
      epochsRun = epoch + 1;
      stepper.sync();
      if (opts.validate) {
        const score = await opts.validate();
        validation.push({ epoch: epoch + 1, step, score });
        if (score > best.score) {
          best = { epoch: epoch + 1, score };
          if (cfg.patience > 0) {
            snapshot?.forEach((t) => t.dispose());
            snapshot = vars.map((v) => tf.clone(v));
          }
        } else if (cfg.patience > 0 && epoch + 1 - best.epoch >= cfg.patience) break;
      }
    }
    await flush(epochsRun - 1);
    stepper.sync();
    // Early stopping keeps the best epoch's weights.
    if (snapshot && best.epoch !== epochsRun) vars.forEach((v, i) => v.assign(snapshot![i]));
  } finally {
    pending.forEach((p) => p.dispose());
    snapshot?.forEach((t) => t.dispose());
    stepper.dispose();
  }
  const bestEpoch = opts.validate && cfg.patience > 0 ? best.epoch : epochsRun;
  return { steps: step, seconds: (now() - t0) / 1000, stopped, losses, validation, bestEpoch, epochsRun, stepper: stepper.kind };
}

/**
 * Item logits for every row of `set`, in fixed-size batches (the last is padded),
 * handed to `consume` batch by batch as a Float32Array of rows × items. Where the fused
 * training step would serve the model (WebGPU, atomic IDs), the fused forward kernels
 * run each batch in a handful of dispatches; otherwise the plain ops.
 */
export async function predict(model: Retriever, set: Encoded, batchSize: number, consume: (rows: Float32Array, first: number, count: number) => void): Promise<void> {
  const B = batchSize;
  if (model.head.kind === 'atomic' && fusedUnavailable(model, B) === null) {
    const fused = new FusedForward(model, set, B);
    try {
      for (let b = 0; b < fused.batches; b++) {
        const logits = fused.logits(b);
        const rows = (await logits.data()) as Float32Array;
        logits.dispose();
        consume(rows, b * B, Math.min(B, set.count - b * B));
      }
    } finally {
      fused.dispose();
    }
    return;
  }
  const S = set.seqLen;
  const buf = batchBuffers(B, S);
  for (let first = 0; first < set.count; first += B) {
    const count = Math.min(B, set.count - first);
    const refs = Array.from({ length: B }, (_, j) => first + (j % count));
    gatherRows(set, refs, buf);
    const logits = tf.tidy(() => {
      const [tk, mk, , ts] = batchTensors(buf, B, S);
      return model.logits(tk, mk, ts);
    });
    const rows = (await logits.data()) as Float32Array;
    logits.dispose();
    consume(rows, first, count);
  }
}
