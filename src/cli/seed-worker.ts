/** A worker thread of the runner: trains one seed's three models and posts the run back: on
 *  the seed's simulated world, or, with `data` (the thread's, or the job's), on a catalogue
 *  given as files (imported once per thread with the run's options, so every thread trains
 *  on the same split). */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';
import { runOnData, runSeed } from '../engine/run/experiment';
import { useNodeBackend } from '../engine/run/node-backends';
import { importData, type ImportedData, type ImportOptions } from '../engine/data/import';
import { importedSeedData } from '../engine/data/seed-data';
import type { BackendName } from '../engine/core/backends';
import type { Config } from '../engine/core/config';

export interface DataSource { dir: string; name: string; options: ImportOptions }

const { backend, data } = workerData as { backend: BackendName; data?: DataSource };
const ready = useNodeBackend(backend);
const imported = new Map<string, ImportedData>();
const catalogue = (src: DataSource): ImportedData => {
  const key = JSON.stringify(src);
  const read = (f: string) => readFileSync(join(src.dir, f), 'utf8');
  if (!imported.has(key)) imported.set(key, importData(src.name, { items: read('items.csv'), queries: read('queries.csv'), sessions: read('sessions.csv') }, src.options));
  return imported.get(key)!;
};
parentPort!.on('message', async (msg: { cfg: Config; data?: DataSource }) => {
  try {
    await ready;
    const onEvent: Parameters<typeof runSeed>[1] = {
      onEvent: (e) => {
        if (e.type === 'train' || e.type === 'model') parentPort!.postMessage({ type: 'event', event: e.type === 'model' ? { ...e, report: { steps: e.report.steps, trainSeconds: e.report.trainSeconds } } : e });
      },
    };
    const source = msg.data ?? data;
    const run = source ? await runOnData(msg.cfg, importedSeedData(catalogue(source), msg.cfg.seed, msg.cfg), onEvent) : await runSeed(msg.cfg, onEvent);
    parentPort!.postMessage({ type: 'run', run });
  } catch (e) {
    parentPort!.postMessage({ type: 'error', message: e instanceof Error ? e.message : String(e) });
  }
});
