/**
 * The measured backend choice: time a few warm training steps of the job's world on each
 * backend this browser offers (WebGPU and WASM; WebGL only where there is no WebGPU) and
 * train on the fastest. A software adapter (SwiftShader) is measured like any other. The
 * page caches the choice per device and step shape, so the probe runs once.
 */
import * as tf from '@tensorflow/tfjs';
import { getThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import { configureForBackend } from '../engine/run/backend';
import { type BackendName } from '../engine/core/backends';
import type { Config } from '../engine/core/config';
import { stepShapeKey, timeTrainingSteps } from '../engine/run/probe';
import { loadWebGpu } from './browser-backends';
import type { BackendChoice, BackendSpeed, WasmThreads } from './protocol';

const LABEL: Record<BackendName, string> = { webgpu: 'WebGPU', webgl: 'WebGL', wasm: 'WASM', cpu: 'CPU' };

/** The GPU adapter as the browser describes it, or null without WebGPU. */
async function adapterInfo(): Promise<string | null> {
  const gpu = (navigator as unknown as { gpu?: { requestAdapter(): Promise<{ info?: Record<string, string> } | null> } }).gpu;
  if (!gpu) return null;
  const adapter = await gpu.requestAdapter().catch(() => null);
  if (!adapter) return null;
  const i = adapter.info ?? {};
  return [i.vendor, i.architecture, i.device, i.description].filter(Boolean).join(' ') || 'unknown adapter';
}

export async function cacheKey(cfg: Config): Promise<string> {
  const adapter = await adapterInfo();
  // The browser's version is part of the key: a browser update can change which backend is fastest.
  const browser = /(Chrome|Chromium|Firefox|Version)\/(\d+)/.exec(navigator.userAgent)?.slice(1).join(' ') ?? navigator.userAgent.slice(0, 60);
  return `${browser}|${adapter ?? 'no-webgpu'}|cores${navigator.hardwareConcurrency}|${crossOriginIsolated ? 'isolated' : 'not-isolated'}|${stepShapeKey(cfg)}`;
}

export function wasmThreads(): WasmThreads {
  let threads: number | null = null;
  try { threads = getThreadsCount(); } catch { /* wasm not started yet */ }
  return { crossOriginIsolated: typeof crossOriginIsolated !== 'undefined' && crossOriginIsolated, threads };
}

/** Switches tfjs to `name`; false if it cannot start here. */
export async function switchTo(name: BackendName): Promise<boolean> {
  if (name === 'webgpu' && (await loadWebGpu().catch((e) => String(e)))) return false;
  if (!tf.findBackendFactory(name)) return false;
  const ok = await tf.setBackend(name).catch(() => false);
  if (!ok) return false;
  await tf.ready();
  configureForBackend(name);
  return true;
}

export async function measureBackends(cfg: Config): Promise<BackendChoice> {
  const t0 = performance.now();
  const adapter = await adapterInfo();
  // WASM first: it is quick to time and sets the bar a GPU must beat.
  const candidates: BackendName[] = adapter ? ['wasm', 'webgpu'] : ['wasm', 'webgl'];
  const speeds: BackendSpeed[] = [];
  let best: BackendSpeed | null = null;
  for (const name of candidates) {
    if (!(await switchTo(name))) {
      speeds.push({ name, msPerStep: null, steps: 0, note: name === 'webgpu' ? 'no WebGPU adapter' : 'could not start' });
      continue;
    }
    try {
      // A backend more than 4× slower than the best so far after one timed step is not timed further.
      const t = await timeTrainingSteps(cfg, { budgetMs: 1500, minSteps: 2, maxSteps: 128, giveUpMs: best?.msPerStep ? 4 * best.msPerStep : undefined });
      const where = name === 'webgpu' ? `, adapter ${adapter}` : name === 'wasm' ? `, ${wasmThreads().threads ?? 1} thread(s)` : '';
      const s: BackendSpeed = { name, msPerStep: t.msPerStep, steps: t.steps, note: `${t.stepper}${where}; first step with compilation ${t.warmupMs.toFixed(0)} ms` };
      speeds.push(s);
      if (!best || t.msPerStep < best.msPerStep!) best = s;
    } catch (e) {
      speeds.push({ name, msPerStep: null, steps: 0, note: `failed while training: ${e instanceof Error ? e.message : e}` });
    }
  }
  if (!best) throw new Error(`no backend could train: ${speeds.map((s) => `${s.name} (${s.note})`).join(', ')}`);
  await switchTo(best.name);
  const others = speeds.filter((s) => s !== best).map((s) => (s.msPerStep === null ? `${LABEL[s.name]} (${s.note})` : `${LABEL[s.name]} ${s.msPerStep.toFixed(1)} ms`));
  const reason = `${LABEL[best.name]} trained this world fastest: ${best.msPerStep!.toFixed(1)} ms per step${others.length ? ` against ${others.join(', ')}` : ''} (measured in ${((performance.now() - t0) / 1000).toFixed(1)} s).`;
  return { backend: best.name, speeds, reason, measuredAt: new Date().toISOString() };
}
