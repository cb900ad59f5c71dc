/**
 * Choosing and preparing a tfjs backend, in Node or a browser. The caller imports the
 * backend packages it can offer (the browser worker lazily, Node statically), and this
 * module tries the wanted ones in order, keeping the first that initialises.
 */
import * as tf from '@tensorflow/tfjs';
import { useExplicitTranspose } from '../model/ops';
import { BACKENDS, type BackendAttempt, type BackendName } from '../core/backends';

/** Tries each backend in order; returns the one in use and why the others were skipped. */
export async function selectBackend(order: readonly BackendName[]): Promise<{ backend: BackendName; attempts: BackendAttempt[] }> {
  tf.env().set('PROD', true);
  const attempts: BackendAttempt[] = [];
  for (const name of order) {
    if (!tf.findBackendFactory(name)) {
      attempts.push({ name, ok: false, reason: 'not available in this build' });
      continue;
    }
    try {
      const ok = await tf.setBackend(name);
      if (ok) {
        await tf.ready();
        attempts.push({ name, ok: true });
        configureForBackend(name);
        return { backend: name, attempts };
      }
      attempts.push({ name, ok: false, reason: 'failed to initialise (no adapter or context)' });
    } catch (e) {
      attempts.push({ name, ok: false, reason: e instanceof Error ? e.message : String(e) });
    }
  }
  throw new Error(`no tfjs backend could be started; tried ${attempts.map((a) => `${a.name} (${a.reason})`).join(', ')}`);
}

/** Per-backend choices of the model's kernels. */
export function configureForBackend(name: string): void {
  // wasm's fast matMul takes only plain 2-D products; on GPUs transposes cost a dispatch.
  useExplicitTranspose(name === 'wasm' || name === 'cpu');
}
