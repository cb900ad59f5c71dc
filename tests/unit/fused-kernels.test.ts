/**
 * The fused WebGPU kernels against the plain tfjs ops, on WebGPU in Node (Dawn's `webgpu`
 * package; on a machine without a GPU through Chromium's SwiftShader, which
 * scripts/test.sh points Vulkan at). Each kernel's output is compared with the plain
 * model's intermediate state, every parameter's gradient with tf.variableGrads, the Adam
 * update with tfjs's Adam, and a few training steps with the plain step on wasm.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../src/engine/backend';
import { FusedStep } from '../../src/engine/model/kernels/fused-step';
import { arenaLayout } from '../../src/engine/model/kernels/layout';
import { packing } from '../../src/engine/model/kernels/packing';
import { Retriever } from '../../src/engine/model/retriever';
import { useNodeBackend } from '../../src/engine/node-backends';
import { Rng } from '../../src/engine/rng';
import type { Encoded } from '../../src/engine/train/encode';
import { makeStepper } from '../../src/engine/train/stepper';

const B = 8, S = 6, items = 30, words = 20;
const spec = { items, words, dim: 16, layers: 2, heads: 2, seqLen: S, tieEmbeddings: true };

/** B rows of random tokens, each with some padding at the end. */
function batch(seed: number): Encoded {
  const rng = new Rng(seed, 'fused-test');
  const pad = items + words + 0;
  const tokens = new Int32Array(B * S), mask = new Float32Array(B * S), target = new Int32Array(B);
  for (let b = 0; b < B; b++) {
    const len = 2 + rng.int(S - 1);
    for (let s = 0; s < S; s++) {
      tokens[b * S + s] = s < len ? rng.int(items + words) : pad;
      mask[b * S + s] = s < len ? 1 : 0;
    }
    target[b] = rng.int(items);
  }
  return { task: 'rec', count: B, seqLen: S, tokens, mask, target };
}

const oneBatch = [Array.from({ length: B }, (_, row) => ({ set: 0, row }))];

/** Columns [offset, offset + width) of each row of a packed buffer. */
function columns(data: Float32Array, rows: number, stride: number, offset: number, width: number): Float32Array {
  const out = new Float32Array(rows * width);
  for (let r = 0; r < rows; r++) out.set(data.subarray(r * stride + offset, r * stride + offset + width), r * width);
  return out;
}

function maxRelDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let scale = 1e-6, diff = 0;
  for (let i = 0; i < a.length; i++) { scale = Math.max(scale, Math.abs(b[i])); diff = Math.max(diff, Math.abs(a[i] - b[i])); }
  return diff / scale;
}

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

  it('each forward kernel equals the plain ops: embedding, attention and FFN blocks, decoder, loss', async () => {
    if (webgpu) return;
    const set = batch(1);
    const model = new Retriever(spec, 3);
    const before = tf.memory().numTensors;
    const fused = new FusedStep(model, [set], B, 1e-3);
    fused.setSchedule(oneBatch);
    const l = arenaLayout(model);
    const p = packing(l, B);
    const traced: Record<string, tf.Tensor> = {};
    const plainLoss = tf.tidy(() => {
      const logits = model.logits(tf.tensor2d(set.tokens, [B, S], 'int32'), tf.tensor2d(set.mask, [B, S]), undefined, (name, t) => { traced[name] = tf.keep(t); });
      return tf.losses.softmaxCrossEntropy(tf.oneHot(tf.tensor1d(set.target, 'int32'), items), logits);
    });
    const out = tf.tidy(() => {
      const g = fused.gather(0);
      const f = fused.forward(g);
      return { embed: f.layerInputs[0], attention: f.attention, ffn: f.ffn, dec: f.dec, loss: fused.forwardBackward(0) };
    });
    const R = B * S;
    const pairs: [string, Float32Array, tf.Tensor][] = [
      ['embed', (await out.embed.data()) as Float32Array, traced.embed],
      ['decoder', columns((await out.dec.data()) as Float32Array, B, p.E_STRIDE, p.E_Y, l.dim), traced.decoder],
    ];
    for (let i = 0; i < spec.layers; i++) {
      pairs.push([`attention${i}`, columns((await out.attention[i].data()) as Float32Array, R, p.A_STRIDE, p.A_H, l.dim), traced[`attention${i}`]]);
      pairs.push([`ffn${i}`, columns((await out.ffn[i].data()) as Float32Array, R, p.F_STRIDE, p.F_H, l.dim), traced[`ffn${i}`]]);
    }
    for (const [name, got, want] of pairs) expect(maxRelDiff(got, (await want.data()) as Float32Array), name).toBeLessThan(1e-4);
    expect(Math.abs((await out.loss.data())[0] - (await plainLoss.data())[0])).toBeLessThan(1e-5);
    tf.dispose([out.embed, ...out.attention, ...out.ffn, out.dec, out.loss, plainLoss, ...Object.values(traced)]);
    fused.dispose();
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });

  it('each backward kernel gives every parameter the gradient tf.variableGrads gives', async () => {
    if (webgpu) return;
    const set = batch(2);
    const model = new Retriever(spec, 4);
    const fused = new FusedStep(model, [set], B, 1e-3);
    fused.setSchedule(oneBatch);
    tf.tidy(() => { fused.forwardBackward(0); });
    const g = fused.gradients();
    const got = (await g.data()) as Float32Array;
    g.dispose();
    const { value, grads } = tf.variableGrads(() => model.loss(tf.tensor2d(set.tokens, [B, S], 'int32'), tf.tensor2d(set.mask, [B, S]), tf.tensor1d(set.target, 'int32')), model.variables());
    const vars = model.variables();
    for (const [i, e] of fused.layout.entries.entries()) {
      const want = (await grads[vars[i].name].data()) as Float32Array;
      expect(maxRelDiff(got.subarray(e.offset, e.offset + e.size), want), vars[i].name).toBeLessThan(1e-4);
    }
    tf.dispose([value, ...Object.values(grads)]);
    fused.dispose();
    model.dispose();
  });

  it('Adam over the arena equals tfjs Adam, and the weights return to the model', async () => {
    if (webgpu) return;
    const set = batch(3);
    const [a, b] = [new Retriever(spec, 5), new Retriever(spec, 5)];
    const fused = makeStepper(a, [set], { batchSize: B, learningRate: 0.01 });
    expect(fused.kind).toBe('fused-webgpu');
    fused.beginEpoch([...oneBatch, ...oneBatch, ...oneBatch]);
    for (let i = 0; i < 3; i++) fused.step(i).dispose();
    fused.sync();
    fused.dispose();
    const opt = tf.train.adam(0.01, 0.9, 0.999, 1e-7);
    for (let i = 0; i < 3; i++) {
      tf.tidy(() => { opt.minimize(() => b.loss(tf.tensor2d(set.tokens, [B, S], 'int32'), tf.tensor2d(set.mask, [B, S]), tf.tensor1d(set.target, 'int32'))); });
    }
    opt.dispose();
    const [va, vb] = [a.variables(), b.variables()];
    for (let i = 0; i < va.length; i++) expect(maxRelDiff(await va[i].data(), await vb[i].data()), va[i].name).toBeLessThan(1e-3);
    a.dispose();
    b.dispose();
  });

  it('trains to the same loss as the plain step on wasm (1e-3 after 8 steps)', async () => {
    if (webgpu) return;
    const set = batch(4);
    const losses: Record<string, number> = {};
    for (const backend of ['wasm', 'webgpu'] as const) {
      await selectBackend([backend]);
      const model = new Retriever(spec, 6);
      const stepper = makeStepper(model, [set], { batchSize: B, learningRate: 3e-3 });
      stepper.beginEpoch(Array.from({ length: 8 }, () => oneBatch[0]));
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
});
