/**
 * The page's one training worker: started on first use, messages to it, its messages to
 * the store, and replaced (terminated) when an import must stop at once.
 */
import type { FromWorker, ToWorker } from '../worker/protocol';

let worker: Worker | null = null;
type RunMessage = Exclude<FromWorker, { type: 'kernelChecks' }>;
let handlers: { onMessage: (m: RunMessage) => void; onError: (message: string) => void } | null = null;
let kernelCheckWaiters: ((m: Extract<FromWorker, { type: 'kernelChecks' }>) => void)[] = [];

/** Where the worker's messages go (the store), set once. */
export function connectWorker(h: { onMessage: (m: RunMessage) => void; onError: (message: string) => void }): void {
  handlers = h;
}

function getWorker(): Worker {
  if (!worker) {
    worker = new Worker(new URL('../worker/lab.worker.ts', import.meta.url), { type: 'module' });
    worker.onmessage = (e: MessageEvent<FromWorker>) => {
      if (e.data.type === 'kernelChecks') {
        kernelCheckWaiters.forEach((w) => w(e.data as Extract<FromWorker, { type: 'kernelChecks' }>));
        kernelCheckWaiters = [];
        return;
      }
      handlers?.onMessage(e.data as RunMessage);
    };
    worker.onerror = (e) => handlers?.onError(`the training worker failed: ${e.message || 'unknown error'}`);
  }
  return worker;
}

export function send(m: ToWorker): void {
  getWorker().postMessage(m);
}

/** Ends the worker now, whatever it is doing; the next message starts a fresh one. */
export function replaceWorker(): void {
  worker?.terminate();
  worker = null;
}

/** The fused kernels checked against the plain ops on this browser's WebGPU (a test hook). */
export function checkKernels(): Promise<Extract<FromWorker, { type: 'kernelChecks' }>> {
  return new Promise((resolve) => { kernelCheckWaiters.push(resolve); send({ type: 'checkKernels' }); });
}
