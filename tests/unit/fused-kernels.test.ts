/**
 * The fused WebGPU kernels against the plain tfjs ops, on WebGPU in Node (Dawn's `webgpu`
 * package; on a machine without a GPU through Chromium's SwiftShader, which
 * scripts/test.sh points Vulkan at): every forward state, every parameter's gradient,
 * Adam (src/engine/train/check-kernels.ts, which the browser tests also run in Chromium),
 * and a few training steps against the plain step on wasm; semantic IDs (plain ops) on
 * WebGPU against wasm.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../src/engine/run/backend';
import { checkBatch, checkCodes, checkFusedCodeKernels, checkFusedKernels, tolerance } from '../../src/engine/train/check-kernels';
import { Retriever } from '../../src/engine/model/retriever';
import { useNodeBackend } from '../../src/engine/run/node-backends';
import { makeStepper } from '../../src/engine/train/stepper';
import { generateTopK } from '../../src/engine/eval/generate';
import { timeTrainingSteps } from '../../src/engine/run/probe';
import { tinyConfig } from './helpers';

let webgpu: string | null = null;
beforeAll(async () => {
  try {
    await useNodeBackend('webgpu');
  } catch (e) {
    webgpu = e instanceof Error ? e.message : String(e);
  }
});
afterAll(async () => { await selectBackend(['wasm']); });

describe('fused WebGPU kernels', () => {
  it('run here (Dawn with SwiftShader or a GPU)', () => {
    // CI installs Chromium (its SwiftShader) and the webgpu package; a missing piece is a failure, not a skip.
    expect(webgpu).toBeNull();
  });

  it("each kernel equals the plain ops: every forward state, every parameter's gradient, Adam", async () => {
    if (webgpu) return;
    const before = tf.memory().numTensors;
    const checks = await checkFusedKernels();
    expect(tf.memory().numTensors).toBe(before);
    // 2 encoder layers: embed, 2 × (attention, FFN), decoder, loss; 29 variables' gradients and Adam updates
    expect(checks.filter((c) => c.name.startsWith('forward')).length).toBe(7);
    expect(checks.filter((c) => c.name.startsWith('gradient')).length).toBe(29);
    expect(checks.filter((c) => c.name.startsWith('adam')).length).toBe(29);
    for (const c of checks) expect(c.relError, c.name).toBeLessThan(tolerance(c));
  });

  it("semantic IDs: each code-head kernel equals the plain ops: every forward state, every parameter's gradient, Adam", async () => {
    if (webgpu) return;
    const before = tf.memory().numTensors;
    const checks = await checkFusedCodeKernels();
    expect(tf.memory().numTensors).toBe(before);
    // embed, 2 × (attention, FFN), code decoder, loss; 32 variables (a code table and no item
    // table; the decoder's positions and its self-attention's query and key maps)
    expect(checks.filter((c) => c.name.startsWith('forward')).length).toBe(7);
    expect(checks.filter((c) => c.name.startsWith('gradient')).length).toBe(32);
    expect(checks.filter((c) => c.name.startsWith('adam')).length).toBe(32);
    for (const c of checks) expect(c.relError, c.name).toBeLessThan(tolerance(c));
  });

  it('trains to the same loss as the plain step on wasm (1e-3 after 8 steps)', async () => {
    if (webgpu) return;
    const set = checkBatch(4);
    const B = set.count;
    const spec = { items: 30, words: 20, dim: 16, layers: 2, heads: 2, seqLen: set.seqLen, tieEmbeddings: true };
    const losses: Record<string, number> = {};
    for (const backend of ['wasm', 'webgpu'] as const) {
      await selectBackend([backend]);
      const model = new Retriever(spec, 6);
      const stepper = makeStepper(model, [set], { batchSize: B, learningRate: 3e-3 });
      stepper.beginEpoch(Array.from({ length: 8 }, () => Array.from({ length: B }, (_, row) => ({ set: 0, row }))));
      let last: tf.Scalar | null = null;
      for (let i = 0; i < 8; i++) { last?.dispose(); last = stepper.step(i); }
      losses[stepper.kind] = (await last!.data())[0];
      last!.dispose();
      stepper.dispose();
      model.dispose();
    }
    expect(Object.keys(losses)).toEqual(['plain (backend wasm)', 'fused-webgpu']);
    expect(Math.abs(losses['fused-webgpu'] - losses['plain (backend wasm)'])).toBeLessThan(1e-3);
  });

  it('fused inference: the same item logits as the plain ops, in at most 10 dispatches a batch', async () => {
    if (webgpu) return;
    const { predict } = await import('../../src/engine/train/trainer');
    const { useFusedKernels } = await import('../../src/engine/train/stepper');
    const { installGpuCounter, gpuCounts } = await import('../../src/engine/model/kernels/gpu-counter');
    await selectBackend(['webgpu']);
    const set = checkBatch(8); // 8 rows: batches of 3 (the last wraps within itself)
    const model = new Retriever({ items: 30, words: 20, dim: 16, layers: 2, heads: 2, seqLen: set.seqLen, tieEmbeddings: true }, 9);
    const before = tf.memory().numTensors;
    const read = async () => {
      const rows: number[][] = [];
      await predict(model, set, 3, (r, first, count) => { for (let i = 0; i < count; i++) rows[first + i] = Array.from(r.subarray(i * 30, (i + 1) * 30)); });
      return rows;
    };
    expect(installGpuCounter()).toBe(true);
    const c0 = gpuCounts();
    const fused = await read();
    const c1 = gpuCounts();
    useFusedKernels(false);
    const plain = await read();
    const c2 = gpuCounts();
    useFusedKernels(true);
    expect(tf.memory().numTensors).toBe(before);
    expect(fused).toHaveLength(8);
    let worst = 0;
    fused.forEach((row, i) => row.forEach((v, j) => { worst = Math.max(worst, Math.abs(v - plain[i][j]) / (1e-3 + Math.abs(plain[i][j]))); }));
    expect(worst).toBeLessThan(1e-4);
    // Per batch: gather, embed, 2 × (attention, FFN), decoder, logits = 8 (plus the weights' concat once per call).
    const perBatch = (c1.dispatches - c0.dispatches) / 3;
    expect(perBatch).toBeLessThanOrEqual(10);
    expect((c2.dispatches - c1.dispatches) / 3).toBeGreaterThan(5 * perBatch);
    model.dispose();
  });

  it('semantic IDs: beam search scores on the device, 2 dispatches and 1 readback per level, with the plain ops\' results', async () => {
    if (webgpu) return;
    const { useFusedKernels } = await import('../../src/engine/train/stepper');
    const { installGpuCounter, gpuCounts } = await import('../../src/engine/model/kernels/gpu-counter');
    await selectBackend(['webgpu']);
    const set = checkBatch(5);
    const ids = checkCodes();
    const model = new Retriever({ items: 30, words: 20, dim: 16, layers: 2, heads: 2, seqLen: set.seqLen, tieEmbeddings: true, ids }, 11);
    const trie = model.head.generation!.trie;
    const before = tf.memory().numTensors;
    const perLevel: number[] = [];
    let encoder = 0;
    const search = async (width: number) => {
      const out: { items: number[]; logp: number[] }[] = [];
      const { constrainedBeamSearch } = await import('../../src/engine/model/ids/beam');
      const { FusedCodeScorer } = await import('../../src/engine/model/kernels/fused-forward');
      const { CodeGenerator, DecoderLevels } = await import('../../src/engine/model/ids/code-decoder');
      const { fusedUnavailable } = await import('../../src/engine/train/stepper');
      // The scorer generate.ts picks, on one batch of all 8 rows.
      const fused = fusedUnavailable(model, 8) === null ? new FusedCodeScorer(model, 8) : null;
      const c0 = gpuCounts();
      const [tk, mk] = [tf.tensor2d(set.tokens, [8, set.seqLen], 'int32'), tf.tensor2d(set.mask, [8, set.seqLen])];
      const levels = fused ? null : new DecoderLevels(model, trie, 1);
      const gen = fused ? fused.open(set.tokens) : new CodeGenerator(levels!, tk, mk);
      tf.dispose([tk, mk]);
      if (fused) encoder = gpuCounts().dispatches - c0.dispatches;
      const score: typeof gen.score = async (rows, prefixes, t, nodes) => {
        const c = gpuCounts();
        const r = await gen.score(rows, prefixes, t, nodes);
        if (fused) perLevel.push(gpuCounts().dispatches - c.dispatches);
        return r;
      };
      const g = await constrainedBeamSearch(trie, 8, width, ids.sizes, score);
      gen.dispose();
      fused?.dispose();
      levels?.dispose();
      g.items.forEach((it, i) => out.push({ items: Array.from(it), logp: Array.from(g.logp[i]) }));
      return out;
    };
    expect(installGpuCounter()).toBe(true);
    const fusedBeam = await search(5);
    const fusedAll = await search(Infinity);
    useFusedKernels(false);
    const plainBeam = await search(5);
    const plainAll = await search(Infinity);
    useFusedKernels(true);
    // Per batch, the encoder once: embed, 2 × (attention, FFN), cross keys; then per level of
    // the search 2 dispatches (states, scores) and one readback; 3 levels a search.
    expect(encoder).toBe(6);
    expect(perLevel).toEqual([2, 2, 2, 2, 2, 2]);
    expect(fusedBeam.map((r) => r.items)).toEqual(plainBeam.map((r) => r.items));
    let worst = 0;
    fusedAll.forEach((r, i) => {
      expect(r.items).toEqual(plainAll[i].items);
      r.logp.forEach((v, j) => { worst = Math.max(worst, Math.abs(v - plainAll[i].logp[j])); });
    });
    expect(fusedAll[0].items.length).toBe(30);
    expect(worst).toBeLessThan(1e-4);
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });

  it('semantic IDs: the fused step trains to the loss of the plain step on wasm (1e-3 after 8 steps) and generates the same IDs; per-task code tokens take the plain ops', async () => {
    if (webgpu) return;
    const set = checkBatch(4);
    const B = set.count;
    const run = async (backend: 'wasm' | 'webgpu', perTask: boolean) => {
      await selectBackend([backend]);
      const ids = { ...checkCodes(), perTask };
      const before = tf.memory().numTensors;
      const model = new Retriever({ items: 30, words: 20, dim: 16, layers: 1, heads: 2, seqLen: set.seqLen, tieEmbeddings: true, tasks: 2, ids }, 6);
      const stepper = makeStepper(model, [set], { batchSize: B, learningRate: 3e-3 });
      stepper.beginEpoch(Array.from({ length: 8 }, () => Array.from({ length: B }, (_, row) => ({ set: 0, row }))));
      let last: tf.Scalar | null = null;
      for (let i = 0; i < 8; i++) { last?.dispose(); last = stepper.step(i); }
      const loss = (await last!.data())[0];
      last!.dispose();
      stepper.sync();
      stepper.dispose();
      let top: number[] = [];
      await generateTopK(model, model.head.generation!, set, 5, B, (row, items) => { if (row === 0) top = Array.from(items); });
      model.dispose();
      expect(tf.memory().numTensors, backend).toBe(before);
      return { kind: stepper.kind, loss, top };
    };
    for (const perTask of [false, true]) {
      const wasm = await run('wasm', perTask);
      const gpu = await run('webgpu', perTask);
      expect(wasm.kind).toBe('plain (backend wasm)');
      expect(gpu.kind).toBe(perTask ? 'plain (per-task code tokens)' : 'fused-webgpu');
      expect(Math.abs(gpu.loss - wasm.loss), gpu.kind).toBeLessThan(1e-3);
      expect(gpu.top, gpu.kind).toEqual(wasm.top);
      expect(gpu.top.length).toBe(5);
    }
    // The measured backend choice times a world's own step: with semantic IDs, the fused one.
    await selectBackend(['webgpu']);
    const t = await timeTrainingSteps(tinyConfig({ idScheme: 'semantic', idCodebook: 4 }), { budgetMs: 1, minSteps: 1, maxSteps: 1 });
    expect(t.stepper).toBe('fused-webgpu');
  });
});
