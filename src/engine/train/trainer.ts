/**
 * The training loop, in plain sight: fixed-shape batches (the last one wraps around, so
 * WebGPU's buffer pool sees one shape), each step run by a Stepper (the fused WebGPU
 * kernels, or plain ops with Adam), the loss read back every few steps with an async
 * read (never a sync read: it breaks WebGPU), and a stop check between steps.
 */
import * as tf from '@tensorflow/tfjs';
import type { Config } from '../core/config';
import { Rng } from '../core/rng';
import type { Scorer } from '../model/scorer';
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
  /**
   * With a validator that scores each task (two tasks, patience > 0): each task's best
   * validation epoch, and the weights of those epochs and of `bestEpoch` (the caller owns
   * them: `load` an epoch, then `dispose`). The model holds `bestEpoch`'s weights.
   */
  perTask?: { bestEpochs: number[]; checkpoints: Checkpoints };
}

/** Copies of the model's weights at chosen epochs (owned: `dispose` frees them). */
export class Checkpoints {
  private readonly weights = new Map<number, tf.Tensor[]>();
  constructor(private readonly vars: tf.Variable[]) {}
  keep(epoch: number): void {
    if (!this.weights.has(epoch)) this.weights.set(epoch, this.vars.map((v) => tf.clone(v)));
  }
  /** Frees every copy not of `epochs`. */
  keepOnly(epochs: readonly number[]): void {
    for (const [e, w] of this.weights) if (!epochs.includes(e)) { w.forEach((t) => t.dispose()); this.weights.delete(e); }
  }
  has(epoch: number): boolean {
    return this.weights.has(epoch);
  }
  /** Puts epoch `epoch`'s weights into the model. */
  load(epoch: number): void {
    const w = this.weights.get(epoch);
    if (!w) throw new Error(`no checkpoint of epoch ${epoch}`);
    this.vars.forEach((v, i) => v.assign(w[i]));
  }
  dispose(): void {
    this.keepOnly([]);
  }
}

/** A validation: the score early stopping maximises (the mean over tasks), and each task's score where known. */
export type Validation = number | { score: number; tasks: number[] };

export interface TrainOptions {
  onProgress?: (p: TrainProgress) => void;
  shouldStop?: () => boolean;
  /** Read the loss back every this many steps. */
  readEvery?: number;
  now?: () => number;
  /** Scores the model after each epoch (higher is better), for early stopping. */
  validate?: () => Promise<Validation>;
}

type Training = Pick<Config, 'epochs' | 'batchSize' | 'learningRate' | 'jointMixing' | 'seed' | 'patience'> & { initSeed?: number; jointSelection?: Config['jointSelection'] };

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
export async function train(model: Scorer, sets: Encoded[], cfg: Training, opts: TrainOptions = {}): Promise<TrainResult> {
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
  // Each task's best epoch, where the validator scores tasks apart (two tasks).
  let bestTask: { epoch: number; score: number }[] | null = null;
  const checkpoints = new Checkpoints(vars);
  let handedOver = false;
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
        const v = await opts.validate();
        const score = typeof v === 'number' ? v : v.score;
        const tasks = typeof v === 'number' || v.tasks.length < 2 ? null : v.tasks;
        validation.push({ epoch: epoch + 1, step, score });
        if (score > best.score) best = { epoch: epoch + 1, score };
        if (tasks) {
          bestTask ??= tasks.map(() => ({ epoch: 0, score: -Infinity }));
          tasks.forEach((x, t) => { if (x > bestTask![t].score) bestTask![t] = { epoch: epoch + 1, score: x }; });
        }
        if (cfg.patience > 0) {
          // Weights kept: the best mean's epoch and each task's best epoch.
          const wanted = [best.epoch, ...(bestTask ?? []).map((b) => b.epoch)];
          if (wanted.includes(epoch + 1)) checkpoints.keep(epoch + 1);
          checkpoints.keepOnly(wanted);
          // Early stopping: under perTask, when neither task has improved for `patience` epochs.
          const last = bestTask && cfg.jointSelection === 'perTask' ? Math.max(...bestTask.map((b) => b.epoch)) : best.epoch;
          if (epoch + 1 - last >= cfg.patience) break;
        }
      }
    }
    await flush(epochsRun - 1);
    stepper.sync();
    // Early stopping keeps the best epoch's weights.
    if (cfg.patience > 0 && checkpoints.has(best.epoch) && best.epoch !== epochsRun) checkpoints.load(best.epoch);
    handedOver = bestTask !== null && cfg.patience > 0 && !stopped;
  } finally {
    pending.forEach((p) => p.dispose());
    if (!handedOver) checkpoints.dispose();
    stepper.dispose();
  }
  const bestEpoch = opts.validate && cfg.patience > 0 ? best.epoch : epochsRun;
  return {
    steps: step, seconds: (now() - t0) / 1000, stopped, losses, validation, bestEpoch, epochsRun, stepper: stepper.kind,
    ...(handedOver ? { perTask: { bestEpochs: bestTask!.map((b) => b.epoch), checkpoints } } : {}),
  };
}

/**
 * Item logits for every row of `set`, in fixed-size batches (the last is padded),
 * handed to `consume` batch by batch as a Float32Array of rows × items. Where the fused
 * training step would serve the model (WebGPU, atomic IDs), the fused forward kernels
 * run each batch in a handful of dispatches; otherwise the plain ops.
 */
export async function predict(model: Scorer, set: Encoded, batchSize: number, consume: (rows: Float32Array, first: number, count: number) => void): Promise<void> {
  const B = batchSize;
  const generative = model.generative;
  if (generative?.head.fusedItemScores && fusedUnavailable(model, B) === null) {
    const fused = new FusedForward(generative, set, B);
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
