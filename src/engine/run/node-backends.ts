/**
 * Node hosts (runner, bench, tests): registers the wasm backend, and WebGPU through the
 * optional `webgpu` (Dawn) package when it is installed.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { selectBackend } from './backend';
import type { BackendName } from '../core/backends';

export async function useNodeBackend(name: BackendName): Promise<BackendName> {
  if (name === 'webgpu') await registerNodeWebGpu();
  if (name === 'webgl') throw new Error('backend "webgl" needs a browser; in Node use wasm, cpu or webgpu');
  const { backend } = await selectBackend([name]).catch((e) => {
    throw new Error(`backend "${name}" could not start: ${e instanceof Error ? e.message : e}`);
  });
  return backend;
}

async function registerNodeWebGpu(): Promise<void> {
  if (tf.findBackendFactory('webgpu')) return;
  let dawn: { create: (o: string[]) => unknown; globals: Record<string, unknown> };
  try {
    const mod = 'webgpu';
    dawn = await import(/* @vite-ignore */ mod);
  } catch {
    throw new Error('backend "webgpu" in Node needs the package "webgpu" (Dawn; a dev dependency: npm install); without a GPU also set VK_ICD_FILENAMES=/usr/lib/chromium/vk_swiftshader_icd.json LD_LIBRARY_PATH=/usr/lib/chromium');
  }
  Object.assign(globalThis, dawn.globals);
  Object.defineProperty(globalThis, 'navigator', { value: { gpu: dawn.create([]) }, configurable: true, writable: true });
  await import('@tensorflow/tfjs-backend-webgpu');
}
