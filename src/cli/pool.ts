/**
 * The worker threads that train (config, seed) jobs, one job per thread at a time, so that
 * a multi-seed run uses every core (tfjs's wasm backend is single-threaded in Node). The
 * pool is a host, not a loop: which job goes to which thread is batch.ts's `runJobs`, the
 * one job loop of the CLI. The threads live until `close`, so a sweep pays their start-up once.
 */
import { Worker } from 'node:worker_threads';
import type { BackendName } from '../engine/core/backends';
import type { Config } from '../engine/core/config';
import type { ExperimentEvent } from '../engine/run/experiment';
import type { RunReport } from '../engine/core/report';
import type { DataSource } from './seed-worker';

const WORKER = new URL('./seed-worker.ts', import.meta.url).href;
// Workers do not inherit tsx's loader: register it, then load the TypeScript worker.
const BOOT = `import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(WORKER)}); });`;

export type OnEvent = (seed: number, e: Partial<ExperimentEvent>) => void;

export class SeedPool {
  private workers: Worker[] = [];
  private closed = false;

  /** `data`: the threads train on a catalogue given as files (seed-worker.ts), not on simulated worlds. */
  constructor(private readonly size: number, private readonly backend: BackendName, private readonly data?: DataSource) {}

  private worker(i: number): Worker {
    this.workers[i] ??= new Worker(BOOT, { eval: true, workerData: { backend: this.backend, data: this.data } });
    return this.workers[i];
  }

  private runOne(worker: Worker, cfg: Config, onEvent: OnEvent, data?: DataSource): Promise<RunReport> {
    return new Promise<RunReport>((resolve, reject) => {
      const done = () => {
        worker.off('message', onMessage);
        worker.off('error', reject);
        worker.off('exit', onExit);
      };
      const onMessage = (m: { type: string; run?: RunReport; event?: ExperimentEvent; message?: string }) => {
        if (m.type === 'event') return onEvent(cfg.seed, m.event!);
        done();
        if (m.type === 'run') resolve(m.run!);
        else reject(new Error(m.message));
      };
      const onExit = () => { done(); reject(new Error('the worker thread ended (stopped)')); };
      worker.on('message', onMessage);
      worker.once('error', reject);
      worker.once('exit', onExit);
      worker.postMessage({ cfg, data });
    });
  }

  /** How many threads it holds. */
  get threads(): number {
    return this.size;
  }

  /** Runs one seed of `cfg` (its `seed`) on thread `lane` (0 ≤ lane < size), on `data` where given; one job per lane at a time. */
  runOn(lane: number, cfg: Config, data?: DataSource, onEvent: OnEvent = () => {}): Promise<RunReport> {
    if (this.closed) return Promise.reject(new Error('the pool is closed'));
    return this.runOne(this.worker(lane % this.size), cfg, onEvent, data);
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.workers.map((w) => w?.terminate()));
  }
}
