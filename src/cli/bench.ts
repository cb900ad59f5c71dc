/**
 * Times the project's own training step (Retriever + Adam) at a given shape, after
 * warm-up, and — where PyTorch is installed — the same shape in PyTorch
 * (scripts/torch_reference.py, the same model in PyTorch) on the same machine, in the same run.
 *
 *   npm run bench -- --items 2000 --words 1000 --seq 8 --batch 256 --dim 64 --layers 1
 *                    [--heads 1] [--steps 20] [--warmup 5] [--backend wasm|cpu|webgpu] [--json]
 *                    [--id-scheme atomic|semantic] [--id-levels 2] [--id-codebook 16]
 *
 * `--id-scheme semantic` times the code head's step (semantic IDs of the given shape, with
 * no meaning: the cost depends on the codes' shape only); the PyTorch reference is atomic.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { ConfigError, semanticIds } from '../engine/core/config';
import { Retriever } from '../engine/model/retriever';
import { useNodeBackend } from '../engine/run/node-backends';
import type { BackendName } from '../engine/core/backends';
import { installGpuCounter, gpuCounts } from '../engine/model/kernels/gpu-counter';
import { Rng } from '../engine/core/rng';
import type { Encoded } from '../engine/core/encode';
import { makeStepper, useFusedKernels } from '../engine/train/stepper';
import { parseFlags, parseIntFlag } from './args';
import { BENCH, BENCH_LIMITS } from './commands';
import { syntheticIds } from '../engine/run/probe';

const LIMITS = BENCH_LIMITS;
const ID_SCHEMES = ['atomic', 'semantic'];

export interface StepBench {
  msPerStep: number;
  loss: number;
  /** What ran the step (`fused-webgpu`, or `plain (why)`). */
  stepper: string;
  /** WebGPU compute dispatches and queue submits per timed step (null off WebGPU). */
  dispatchesPerStep: number | null;
  submitsPerStep: number | null;
  /** With `profile` (wasm, cpu): tfjs's kernels per step, their summed time, the kernels by name (ms and count per step, largest first), and the share of kernel time in kernels that touch the item dimension. */
  profile?: { kernelsPerStep: number; kernelMsPerStep: number; itemShare: number; byKernel: { name: string; msPerStep: number; perStep: number }[] };
}

/** Times the app's own training step (the trainer's Stepper) on one fixed batch. */
export async function benchStep(shape: Record<string, number>, semantic = false, profile = false): Promise<StepBench> {
  const { items, words, seq, batch: B, dim, layers, heads, steps, warmup } = shape;
  const ids = semantic ? syntheticIds(items, shape['id-levels'], shape['id-codebook']) : undefined;
  const model = new Retriever({ items, words, dim, layers, heads, seqLen: seq, tieEmbeddings: true, ids }, 7);
  const rng = new Rng(7, 'bench');
  const set: Encoded = {
    task: 'rec', count: B, seqLen: seq,
    tokens: Int32Array.from({ length: B * seq }, () => rng.int(items + words)),
    mask: new Float32Array(B * seq).fill(1),
    target: Int32Array.from({ length: B }, () => rng.int(items)),
  };
  const stepper = makeStepper(model, [set], { batchSize: B, learningRate: 3e-3 });
  stepper.beginEpoch(Array.from({ length: warmup + steps }, () => Array.from({ length: B }, (_, row) => ({ set: 0, row }))));
  for (let i = 0; i < warmup; i++) {
    const l = stepper.step(i);
    await l.data();
    l.dispose();
  }
  const counting = tf.getBackend() === 'webgpu' && installGpuCounter();
  const c0 = gpuCounts();
  const t0 = performance.now();
  let last: tf.Scalar | null = null;
  for (let i = 0; i < steps; i++) {
    last?.dispose();
    last = stepper.step(warmup + i);
  }
  const c1 = gpuCounts();
  const loss = (await last!.data())[0]; // waits for the device
  const msPerStep = (performance.now() - t0) / steps;
  last!.dispose();
  let prof: StepBench['profile'];
  if (profile && tf.getBackend() !== 'webgpu') {
    // tfjs's profiler times each kernel (a nested op's own time is inside its kernels'); the
    // custom-gradient and op wrappers ("forward", "…__op") are not kernels and are left out.
    stepper.beginEpoch(Array.from({ length: steps }, () => Array.from({ length: B }, (_, row) => ({ set: 0, row }))));
    const byName = new Map<string, { ms: number; n: number }>();
    let itemMs = 0, total = 0;
    for (let i = 0; i < steps; i++) {
      const info = await tf.profile(() => { stepper.step(i).dispose(); });
      for (const k of info.kernels) {
        if (k.name === 'forward' || k.name.endsWith('__op')) continue;
        const ms = Number(k.kernelTimeMs) || 0;
        const e = byName.get(k.name) ?? { ms: 0, n: 0 };
        byName.set(k.name, { ms: e.ms + ms, n: e.n + 1 });
        total += ms;
        if (k.inputShapes.some((s) => s?.includes(items))) itemMs += ms;
      }
    }
    const all = [...byName.values()];
    prof = {
      kernelsPerStep: all.reduce((a, e) => a + e.n, 0) / steps, kernelMsPerStep: total / steps, itemShare: total ? itemMs / total : 0,
      byKernel: [...byName].map(([name, e]) => ({ name, msPerStep: e.ms / steps, perStep: e.n / steps })).sort((a, b) => b.msPerStep - a.msPerStep),
    };
  }
  const kind = stepper.kind;
  stepper.dispose();
  model.dispose();
  return {
    msPerStep, loss, stepper: kind,
    dispatchesPerStep: counting ? (c1.dispatches - c0.dispatches) / steps : null,
    submitsPerStep: counting ? (c1.submits - c0.submits) / steps : null,
    ...(prof ? { profile: prof } : {}),
  };
}

function torchReference(shape: Record<string, number>): Record<string, unknown> | string {
  const script = resolve(process.cwd(), 'scripts/torch_reference.py');
  if (!existsSync(script)) return `no ${script}`;
  try {
    const args = [script, '--items', shape.items, '--words', shape.words, '--seq', shape.seq, '--batch', shape.batch, '--dim', shape.dim, '--steps', shape.steps, '--warmup', shape.warmup, '--heads', shape.heads, '--layers', shape.layers, '--threads', 2].map(String);
    const out = execFileSync('/usr/bin/python3', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    return JSON.parse(out.trim().split('\n').pop() as string);
  } catch (e) {
    return `PyTorch not available (${(e as Error).message.split('\n')[0]}); apt-get install -y python3-torch`;
  }
}

async function main(argv: string[]) {
  const { values, switches } = parseFlags(argv, BENCH);
  const idScheme = values['id-scheme'] ?? 'atomic';
  if (!ID_SCHEMES.includes(idScheme)) throw new ConfigError(`--id-scheme "${idScheme}" is not allowed: use atomic or semantic`);
  const semantic = semanticIds({ idScheme: idScheme as 'atomic' | 'semantic' });
  const shape: Record<string, number> = {};
  for (const [k, [lo, hi, def]] of Object.entries(LIMITS)) shape[k] = values[k] === undefined ? def : parseIntFlag(k, values[k], lo, hi);
  if (shape.dim % shape.heads) throw new ConfigError(`--heads ${shape.heads} must divide --dim ${shape.dim}`);
  const backendName = values.backend ?? 'wasm';
  if (!['wasm', 'cpu', 'webgpu'].includes(backendName)) throw new ConfigError(`unknown backend "${backendName}"; in Node: wasm, cpu, webgpu`);
  const backend = await useNodeBackend(backendName as BackendName);
  // BRIDGE_FUSED=0 measures the plain tfjs ops on WebGPU (the "before" of the fused kernels).
  if (process.env.BRIDGE_FUSED === '0') useFusedKernels(false);
  const before = tf.memory().numTensors;
  const r = await benchStep(shape, semantic, switches.has('profile'));
  const result = {
    backend: `tfjs-${backend}`, idScheme, ...shape, stepper: r.stepper, msPerStep: Number(r.msPerStep.toFixed(3)),
    examplesPerSecond: Number(((shape.batch / r.msPerStep) * 1000).toFixed(1)), loss: Number(r.loss.toFixed(6)),
    dispatchesPerStep: r.dispatchesPerStep, submitsPerStep: r.submitsPerStep,
    tensorsLeft: tf.memory().numTensors - before,
    ...(r.profile ? { profile: { ...r.profile, byKernel: r.profile.byKernel.slice(0, 12) } } : {}),
  };
  const torch = switches.has('no-torch') ? 'skipped (--no-torch)' : semantic ? 'skipped (the reference is atomic)' : torchReference(shape);
  const ratio = typeof torch === 'object' && typeof torch.msPerStep === 'number' ? result.msPerStep / torch.msPerStep : null;
  if (switches.has('json')) {
    process.stdout.write(JSON.stringify({ ...result, torch, ratioToTorch: ratio === null ? null : Number(ratio.toFixed(3)) }) + '\n');
    return;
  }
  const shapeText = `items ${shape.items}, words ${shape.words}, seq ${shape.seq}, batch ${shape.batch}, dim ${shape.dim}, layers ${shape.layers}, heads ${shape.heads}${semantic ? `, semantic IDs ${shape['id-levels']} levels × ${shape['id-codebook']} codes` : ''}`;
  process.stdout.write(`Training step, ${shapeText}\n`);
  process.stdout.write(`  ${result.backend.padEnd(12)} ${result.msPerStep.toFixed(1).padStart(8)} ms/step  ${result.examplesPerSecond.toFixed(0).padStart(8)} examples/s  loss ${result.loss}  (${result.stepper})\n`);
  if (result.dispatchesPerStep !== null) process.stdout.write(`  per step: ${result.dispatchesPerStep} dispatches, ${result.submitsPerStep} queue submits\n`);
  if (r.profile) {
    const p = r.profile;
    process.stdout.write(`  per step: ${p.kernelsPerStep.toFixed(0)} tfjs kernels, ${p.kernelMsPerStep.toFixed(1)} ms inside them (the rest, ${(result.msPerStep - p.kernelMsPerStep).toFixed(1)} ms, is tfjs's own work around them); ${(p.itemShare * 100).toFixed(0)} % of kernel time in kernels over the item dimension\n`);
    for (const k of p.byKernel.slice(0, 12)) process.stdout.write(`    ${k.name.padEnd(16)} ${k.msPerStep.toFixed(2).padStart(7)} ms  ${k.perStep.toFixed(0).padStart(5)}×\n`);
  }
  if (typeof torch === 'object') {
    process.stdout.write(`  ${String(torch.backend).padEnd(12)} ${Number(torch.msPerStep).toFixed(1).padStart(8)} ms/step  ${Number(torch.examplesPerSecond).toFixed(0).padStart(8)} examples/s  (threads ${torch.threads})\n`);
    process.stdout.write(`  ratio tfjs/torch: ${ratio!.toFixed(2)}×\n`);
  } else process.stdout.write(`  PyTorch reference: ${torch}\n`);
}

main(process.argv.slice(2)).catch((e) => {
  process.stderr.write(`error: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(e instanceof ConfigError ? 2 : 1);
});
