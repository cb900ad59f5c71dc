/** A worker thread of the runner: trains one seed's three models and posts the run back. */
import { parentPort, workerData } from 'node:worker_threads';
import { runSeed } from '../engine/run/experiment';
import { useNodeBackend } from '../engine/run/node-backends';
import type { BackendName } from '../engine/core/backends';
import type { Config } from '../engine/core/config';

const { backend } = workerData as { backend: BackendName };
const ready = useNodeBackend(backend);
parentPort!.on('message', async (msg: { cfg: Config }) => {
  try {
    await ready;
    const run = await runSeed(msg.cfg, {
      onEvent: (e) => {
        if (e.type === 'train' || e.type === 'model') parentPort!.postMessage({ type: 'event', event: e.type === 'model' ? { ...e, report: { steps: e.report.steps, trainSeconds: e.report.trainSeconds } } : e });
      },
    });
    parentPort!.postMessage({ type: 'run', run });
  } catch (e) {
    parentPort!.postMessage({ type: 'error', message: e instanceof Error ? e.message : String(e) });
  }
});
