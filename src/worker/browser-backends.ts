/**
 * Backends in the browser worker, tried in order WebGPU → WebGL → WASM → CPU. WebGPU
 * is loaded lazily (only when the browser offers navigator.gpu); wasm's files come as
 * Vite asset URLs.
 */
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import wasmPlain from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreaded from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import { selectBackend } from '../engine/run/backend';
import { BACKENDS, type BackendAttempt, type BackendName } from '../engine/core/backends';

setWasmPaths({ 'tfjs-backend-wasm.wasm': wasmPlain, 'tfjs-backend-wasm-simd.wasm': wasmSimd, 'tfjs-backend-wasm-threaded-simd.wasm': wasmThreaded });

let webgpuLoaded = false;

/** Loads the WebGPU backend; returns why it cannot be used, or null. */
export async function loadWebGpu(): Promise<string | null> {
  if (webgpuLoaded) return null;
  if (!('gpu' in navigator) || !(navigator as Navigator & { gpu?: unknown }).gpu) return 'this browser has no WebGPU (navigator.gpu is missing)';
  await import('@tensorflow/tfjs-backend-webgpu');
  webgpuLoaded = true;
  return null;
}

/** Picks the best backend from `order`; notes why each one before it was skipped. */
export async function chooseBrowserBackend(order: readonly BackendName[] = BACKENDS): Promise<{ backend: BackendName; attempts: BackendAttempt[] }> {
  const skipped: BackendAttempt[] = [];
  let list = [...order];
  if (list.includes('webgpu')) {
    const why = await loadWebGpu().catch((e) => `the WebGPU backend failed to load: ${e}`);
    if (why) {
      skipped.push({ name: 'webgpu', ok: false, reason: why });
      list = list.filter((b) => b !== 'webgpu');
    }
  }
  const r = await selectBackend(list);
  return { backend: r.backend, attempts: [...skipped, ...r.attempts] };
}

/** Resolves when the WebGPU device in use is lost (never, for other backends). */
export function deviceLost(): Promise<string> {
  if (tf.getBackend() !== 'webgpu') return new Promise(() => {});
  const device = (tf.backend() as unknown as { device?: { lost?: Promise<{ message?: string; reason?: string }> } }).device;
  return device?.lost ? device.lost.then((info) => info?.message || info?.reason || 'device lost') : new Promise(() => {});
}

/** Destroys the WebGPU device in use (a test hook for the device-loss fallback). */
export function destroyDevice(): void {
  if (tf.getBackend() !== 'webgpu') return;
  (tf.backend() as unknown as { device?: { destroy?: () => void } }).device?.destroy?.();
}
