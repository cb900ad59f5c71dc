/**
 * The lab worker: trains in a module Web Worker so the page stays responsive. It picks
 * a backend once, runs one experiment at a time, stops on request, and if the WebGPU
 * device is lost it falls back to the next backend, says so, and runs again.
 */
import * as tf from '@tensorflow/tfjs';
import type { BackendName } from '../engine/backend';
import { runExperiment } from '../engine/experiment';
import { chooseBrowserBackend, deviceLost } from './browser-backends';
import type { FromWorker, ToWorker } from './protocol';

const post = (m: FromWorker) => (self as unknown as Worker).postMessage(m);
let backendReady: Promise<BackendName> | null = null;
let stopRequested = -1;
let lost: string | null = null;

function start(order: readonly BackendName[], note?: string): Promise<BackendName> {
  return chooseBrowserBackend(order).then(({ backend, attempts }) => {
    post({ type: 'backend', backend, attempts, note });
    lost = null;
    deviceLost().then((why) => { lost = why; });
    return backend;
  });
}

async function run(msg: Extract<ToWorker, { type: 'run' }>): Promise<void> {
  backendReady ??= start(msg.backends);
  let backend = await backendReady;
  for (;;) {
    const tensorsBefore = tf.memory().numTensors;
    try {
      const report = await runExperiment(msg.config, {
        seeds: msg.seeds,
        shouldStop: () => stopRequested === msg.runId || lost !== null,
        onEvent: (event) => post({ type: 'event', runId: msg.runId, event }),
      });
      if (lost === null) {
        post({ type: 'done', runId: msg.runId, report, tensors: tf.memory().numTensors, tensorsBefore });
        return;
      }
    } catch (e) {
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

// One run at a time: a new run waits until the previous one (stopped or not) has ended.
let queue: Promise<void> = Promise.resolve();

self.onmessage = (e: MessageEvent<ToWorker>) => {
  const msg = e.data;
  if (msg.type === 'stop') stopRequested = msg.runId;
  if (msg.type === 'run') {
    queue = queue.then(() => run(msg).catch((err) => post({ type: 'error', runId: msg.runId, message: err instanceof Error ? err.message : String(err) })));
  }
};
