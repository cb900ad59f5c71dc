/**
 * Counts WebGPU compute dispatches and queue submits by wrapping the WebGPU classes'
 * prototypes (browser globals, or Dawn's in Node), so a benchmark can report what one
 * training step costs the GPU's command stream, the measure that matters when each
 * dispatch, not the arithmetic, is the cost.
 */
interface Counts { dispatches: number; submits: number }

const counts: Counts = { dispatches: 0, submits: 0 };
let installed = false;

export function installGpuCounter(): boolean {
  if (installed) return true;
  const g = globalThis as unknown as Record<string, { prototype: Record<string, (...a: unknown[]) => unknown> } | undefined>;
  const pass = g.GPUComputePassEncoder?.prototype;
  const queue = g.GPUQueue?.prototype;
  if (!pass || !queue) return false;
  const dispatch = pass.dispatchWorkgroups;
  const submit = queue.submit;
  pass.dispatchWorkgroups = function (this: unknown, ...a: unknown[]) { counts.dispatches++; return dispatch.apply(this, a); };
  queue.submit = function (this: unknown, ...a: unknown[]) { counts.submits++; return submit.apply(this, a); };
  installed = true;
  return true;
}

/** Counts since the process started (after `installGpuCounter`). */
export function gpuCounts(): Counts {
  return { ...counts };
}
