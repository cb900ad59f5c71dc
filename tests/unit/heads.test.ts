/**
 * A new ID head is one module that implements IdHead: this file defines one (the mean of
 * the encoder's states, projected and scored against an item table, with no decoder) and
 * trains, validates and evaluates it with the engine's own trainer and evaluation, which
 * never ask which head they hold.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { encodeSearch, tokenLayout } from '../../src/engine/core/encode';
import { dense, embed } from '../../src/engine/model/ops';
import { Retriever, type HeadContext, type IdHead } from '../../src/engine/model/retriever';
import type { HeadedModel } from '../../src/engine/model/parts';
import { buildDataset } from '../../src/engine/sim/examples';
import { buildWorld } from '../../src/engine/sim/world';
import { analyseEmbeddings, evaluateModel, validationRecall } from '../../src/engine/eval/score-model';
import { train } from '../../src/engine/train/trainer';
import { tinyConfig, useWasm } from './helpers';

beforeAll(useWasm);

/** Items scored by the mean of the encoder's states through one linear map: a head with no decoder and no generation. */
class PooledHead implements IdHead {
  readonly kind = 'pooled';
  readonly usesDecoder = false;
  readonly fusedItemScores = false;
  readonly items: tf.Variable;
  readonly map: tf.Variable;
  readonly bias: tf.Variable;

  constructor({ spec, normal, zeros }: HeadContext) {
    this.items = normal([spec.items, spec.dim], 0.05, 'pooled-items');
    this.map = normal([spec.dim, spec.dim], spec.dim ** -0.5, 'pooled-map');
    this.bias = zeros([spec.items], 'pooled-bias');
  }

  inputRows(): tf.Tensor2D { return this.items as tf.Tensor2D; }
  itemVectors(): tf.Tensor2D { return tf.clone(this.items as tf.Tensor2D); }
  fusedUnsupported(): string | null { return 'a head without fused kernels'; }

  logits(m: HeadedModel, tokens: tf.Tensor2D, mask: tf.Tensor2D): tf.Tensor2D {
    const { x } = m.encode(tokens, mask);
    const w = tf.expandDims(mask, 2);
    const pooled = tf.div(tf.sum(tf.mul(x, w), 1), tf.maximum(tf.sum(w, 1), 1)) as tf.Tensor2D;
    return tf.add(dense(dense(pooled, this.map as tf.Tensor2D), tf.transpose(this.items as tf.Tensor2D)), this.bias) as tf.Tensor2D;
  }

  loss(m: HeadedModel, tokens: tf.Tensor2D, mask: tf.Tensor2D, targets: tf.Tensor1D): tf.Scalar {
    const logp = tf.logSoftmax(this.logits(m, tokens, mask));
    return tf.neg(tf.mean(tf.sum(tf.mul(tf.oneHot(targets, m.spec.items), logp), 1))) as tf.Scalar;
  }

  inputVariables(): tf.Variable[] { return [this.items]; }
  outputVariables(): tf.Variable[] { return [this.map, this.bias]; }
  dispose(): void { /* its variables are the model's */ }
}

describe('a head defined outside src/', () => {
  it('trains, validates and evaluates with the engine as it is, and leaves no tensor behind', async () => {
    const cfg = tinyConfig({ epochs: 6 });
    const w = buildWorld(cfg);
    const d = buildDataset(w, cfg);
    const layout = tokenLayout(w.items, w.words, cfg.queryLength, cfg.historyLength, cfg.taskToken);
    const [search, val, test] = [d.searchTrain, d.searchVal, d.searchTest].map((s) => encodeSearch(s, layout));
    const before = tf.memory().numTensors;
    const model = new Retriever({ items: w.items, words: w.words, dim: cfg.dim, layers: cfg.layers, heads: cfg.heads, seqLen: layout.seqLen, tieEmbeddings: true, head: (ctx) => new PooledHead(ctx) }, cfg.seed);
    expect(model.head.kind).toBe('pooled');
    // Its weights and the body's, and not the decoder's: it has none.
    expect(model.variables()).toContain((model.head as PooledHead).map);
    expect(model.variables()).not.toContain(model.decoder.wq);

    const r = await train(model, [search], cfg, { readEvery: 5 });
    expect(r.stepper).toMatch(/a head without fused kernels|wasm/);
    expect(r.losses.at(-1)!.loss).toBeLessThan(r.losses[0].loss * 0.9);

    const v = await validationRecall(model, [val], cfg.k, w.items);
    expect(v.mean).toBeGreaterThanOrEqual(0);
    const ev = await evaluateModel(model, test, cfg.k, new Uint8Array(w.items), w.items);
    expect(ev.eval[`recall@${cfg.k}`]).toBeGreaterThan(0);
    expect(ev.eval.validRate).toBe(1);
    expect(ev.marginal.length).toBe(w.items);
    const emb = await analyseEmbeddings(model, w.items, { topic: w.topic, cluster: w.cluster }, cfg);
    expect(emb.pca.length).toBe(2 * w.items);

    model.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('draws its weights after the shared body, so a seed gives the same body whatever the head', () => {
    const spec = { items: 12, words: 9, dim: 8, layers: 1, heads: 2, seqLen: 4, tieEmbeddings: true };
    const pooled = new Retriever({ ...spec, head: (ctx) => new PooledHead(ctx) }, 3);
    const codes = new Retriever({ ...spec, ids: { codes: Int32Array.from({ length: 24 }, (_, i) => (i % 2 ? i >> 1 : (i >> 1) % 3)), length: 2, sizes: [3, 12], perTask: false } }, 3);
    expect(Array.from(pooled.tokenEmbedding.dataSync())).toEqual(Array.from(codes.tokenEmbedding.dataSync()));
    pooled.dispose();
    codes.dispose();
  });
});
