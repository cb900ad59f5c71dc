/**
 * The lab worker: trains in a module Web Worker so the page stays responsive. It picks
 * a backend once, runs one job (a run or a sweep) at a time, stops on request, and if
 * the WebGPU device is lost it falls back to the next backend, says so, and runs again.
 */
import * as tf from '@tensorflow/tfjs';
import type { BackendName } from '../engine/backend';
import { withoutAblations } from '../engine/config';
import { runExperiment, type ExperimentEvent } from '../engine/experiment';
import type { Report } from '../engine/report';
import { runSweep } from '../engine/sweep';
import { chooseBrowserBackend, destroyDevice, deviceLost } from './browser-backends';
import type { FromWorker, ToWorker } from './protocol';

const post = (m: FromWorker) => (self as unknown as Worker).postMessage(m);
let backendReady: Promise<BackendName> | null = null;
let stopRequested = -1;
let lost: string | null = null;
let lostSignal: Promise<string> = new Promise(() => {});

function start(order: readonly BackendName[], note?: string): Promise<BackendName> {
  return chooseBrowserBackend(order).then(({ backend, attempts }) => {
    post({ type: 'backend', backend, attempts, note });
    lost = null;
    lostSignal = deviceLost();
    lostSignal.then((why) => { lost = why; });
    return backend;
  });
}

type Job = Extract<ToWorker, { type: 'run' | 'sweep' }>;

async function execute(msg: Job, stop: () => boolean): Promise<void> {
  const tensorsBefore = tf.memory().numTensors;
  const onEvent = (event: ExperimentEvent) => post({ type: 'event', runId: msg.runId, event });
  if (msg.type === 'run') {
    const report = await runExperiment(msg.config, { seeds: msg.seeds, shouldStop: stop, onEvent });
    const plain = withoutAblations(msg.config);
    // The same world's joint model without the ablation, for the side-by-side view.
    const without = plain && !report.stopped ? await runExperiment(plain, { seeds: msg.seeds, shouldStop: stop, models: ['joint'] }) : null;
    if (lost === null) post({ type: 'done', runId: msg.runId, report, without, tensors: tf.memory().numTensors, tensorsBefore });
    return;
  }
  let pending: Report | null = null;
  const sweep = await runSweep(msg.config, msg.key, msg.values, {
    seeds: msg.seeds,
    experiment: msg.experiment,
    shouldStop: stop,
    runPoint: async (cfg, seeds) => {
      const report = await runExperiment(cfg, { seeds, shouldStop: stop, onEvent });
      if (!report.stopped) pending = report;
      return report;
    },
    onPoint: (s) => post({ type: 'sweepPoint', runId: msg.runId, sweep: s, report: pending! }),
  });
  if (lost === null) post({ type: 'sweepDone', runId: msg.runId, sweep, tensors: tf.memory().numTensors, tensorsBefore });
}

async function run(msg: Job): Promise<void> {
  backendReady ??= start(msg.backends);
  let backend = await backendReady;
  for (;;) {
    try {
      await execute(msg, () => stopRequested === msg.runId || lost !== null);
      if (lost === null) return;
    } catch (e) {
      // A failed GPU call can surface before the device's lost promise settles: give it a moment.
      if (lost === null && backend === 'webgpu') lost = await Promise.race([lostSignal, new Promise<null>((r) => setTimeout(() => r(null), 1000))]);
      if (lost === null) throw e;
    }
    // The GPU device was lost mid-run: fall back to the next backend and run again.
    const why = lost;
    const rest = msg.backends.slice(msg.backends.indexOf(backend) + 1);
    if (!rest.length) throw new Error(`the ${backend} device was lost (${why}) and no other backend is left to try`);
    backendReady = start(rest, `WebGPU device lost (${why}); fell back and restarted the run`);
    backend = await backendReady;
  }
}

// One job at a time: a new one waits until the previous one (stopped or not) has ended.
let queue: Promise<void> = Promise.resolve();

self.onmessage = (e: MessageEvent<ToWorker>) => {
  const msg = e.data;
  if (msg.type === 'stop') stopRequested = msg.runId;
  else if (msg.type === 'loseDevice') destroyDevice();
  else queue = queue.then(() => run(msg).catch((err) => post({ type: 'error', runId: msg.runId, message: err instanceof Error ? err.message : String(err) })));
};
