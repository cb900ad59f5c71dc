/**
 * Runs seeds on worker threads, one seed per thread at a time, so that a multi-seed run
 * uses every core (tfjs's wasm backend is single-threaded in Node).
 */
import { Worker } from 'node:worker_threads';
import type { BackendName } from '../engine/backend';
import type { Config } from '../engine/config';
import type { ExperimentEvent } from '../engine/experiment';
import type { RunReport } from '../engine/report';

const WORKER = new URL('./seed-worker.ts', import.meta.url).href;
// Workers do not inherit tsx's loader: register it, then load the TypeScript worker.
const BOOT = `import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(WORKER)}); });`;

export async function runSeedsInWorkers(
  cfg: Config,
  seeds: number[],
  jobs: number,
  backend: BackendName,
  onEvent: (seed: number, e: Partial<ExperimentEvent>) => void,
): Promise<RunReport[]> {
  const queue = [...seeds];
  const runs: RunReport[] = [];
  const lane = async () => {
    const worker = new Worker(BOOT, { eval: true, workerData: { backend } });
    try {
      for (let seed = queue.shift(); seed !== undefined; seed = queue.shift()) {
        const s = seed;
        onEvent(s, { type: 'world', seed: s });
        runs.push(
          await new Promise<RunReport>((resolve, reject) => {
            const onMessage = (m: { type: string; run?: RunReport; event?: ExperimentEvent; message?: string }) => {
              if (m.type === 'event') return onEvent(s, m.event!);
              worker.off('message', onMessage);
              worker.off('error', reject);
              if (m.type === 'run') resolve(m.run!);
              else reject(new Error(m.message));
            };
            worker.on('message', onMessage);
            worker.once('error', reject);
            worker.postMessage({ cfg: { ...cfg, seed: s } });
          }),
        );
      }
    } finally {
      await worker.terminate();
    }
  };
  await Promise.all(Array.from({ length: Math.min(jobs, seeds.length) }, lane));
  return runs.sort((a, b) => a.seed - b.seed);
}
