import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { runSeed } from '../../src/engine/run/experiment';
import { BiEncoder, TOWER_SCALE, towerSpec } from '../../src/engine/model/bi-encoder';
import { Retriever } from '../../src/engine/model/retriever';
import { idDiagnostics } from '../../src/engine/model/ids/diagnostics';
import { rqKMeans, type SemanticIds } from '../../src/engine/model/ids/rq-kmeans';
import { plannedSteps } from '../../src/engine/run/probe';
import { tinyConfig, useWasm } from './helpers';

beforeAll(useWasm);

const recallOf = (ev: { [m: string]: unknown }, k = 10) => ev[`recall@${k}`] as number;

/** A bi-encoder over 4 items of 2 words each (6 words), no task token, seqLen 3. */
function tinyBiEncoder(counts = [4, 3, 2, 1]) {
  const itemWords = [[0, 1], [1, 2], [3, 4], [4, 5]];
  const spec = towerSpec(itemWords, [{ counts, share: 1 }]);
  return { spec, model: new BiEncoder({ items: 4, words: 6, dim: 8, layers: 1, heads: 2, seqLen: 3 }, spec, 5) };
}

describe('the bi-encoder (two towers)', () => {
  it('builds its item tower from each item\'s words and its logQ from the batch targets\' shares', () => {
    const spec = towerSpec([[0, 1, 1], [2], []], [{ counts: [2, 2, 0], share: 0.5 }, { counts: [0, 1, 3], share: 0.5 }]);
    expect(spec.wordsPerItem).toBe(3);
    expect(Array.from(spec.itemWords)).toEqual([0, 1, 1, 2, 0, 0, 0, 0, 0]);
    expect(Array.from(spec.wordWeights).map((w) => Number(w.toFixed(4)))).toEqual([0.3333, 0.3333, 0.3333, 1, 0, 0, 0, 0, 0]);
    // Q = ½·(2/4, 2/4, 0) + ½·(0, 1/4, 3/4)
    expect(Array.from(spec.logQ).map((v) => Number(v.toFixed(5)))).toEqual([0.25, 0.375, 0.375].map((q) => Number(Math.log(q).toFixed(5))));
  });

  it('scores every item by the scaled cosine, and a repeated target is not its own negative', () => {
    const before = tf.memory().numTensors;
    const { model } = tinyBiEncoder();
    const { shape, values, same, apart } = tf.tidy(() => {
      const tokens = tf.tensor2d([[4, 5, 0], [6, 7, 8]], [2, 3], 'int32'); // words 0, 1 (item tokens are 0..3, words 4..9)
      const mask = tf.tensor2d([[1, 1, 0], [1, 1, 1]], [2, 3]);
      const logits = model.logits(tokens, mask);
      return {
        shape: logits.shape, values: Array.from(logits.dataSync()),
        // Two rows with one target: each row's only candidate is its own target, so the loss is 0.
        same: model.loss(tokens, mask, tf.tensor1d([2, 2], 'int32')).dataSync()[0],
        apart: model.loss(tokens, mask, tf.tensor1d([0, 2], 'int32')).dataSync()[0],
      };
    });
    expect(shape).toEqual([2, 4]);
    for (const v of values) expect(Math.abs(v)).toBeLessThanOrEqual(TOWER_SCALE + 1e-3);
    expect(same).toBeCloseTo(0, 5);
    expect(apart).toBeGreaterThan(0);
    model.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it("reads a large catalogue's item tower for the batch's tokens only, with the same rows as the whole table", () => {
    const before = tf.memory().numTensors;
    // 40 items, 8 tokens: fewer tokens than items, so embedTokens takes the per-token path.
    const itemWords = Array.from({ length: 40 }, (_, i) => [i % 7, 7 + (i % 5), 12 + (i % 3)]);
    const spec = towerSpec(itemWords, [{ counts: Array.from({ length: 40 }, (_, i) => 1 + (i % 4)), share: 1 }]);
    const model = new BiEncoder({ items: 40, words: 15, dim: 8, layers: 1, heads: 2, seqLen: 4 }, spec, 3);
    const { fast, full } = tf.tidy(() => {
      // Make the ID embeddings non-zero, as after training.
      model.idEmbedding.assign(tf.randomNormal([40, 8], 0, 0.1, 'float32', 5));
      const tokens = tf.tensor1d([0, 39, 17, 40, 41, 54, 3, 56], 'int32'); // items 0, 39, 17, 3; words; specials
      const table = tf.concat([model.inputRows(), model.tokenEmbedding], 0);
      return { fast: Array.from(model.embedTokens(tokens).dataSync()), full: Array.from(tf.gather(table, tokens).dataSync()) };
    });
    fast.forEach((v, i) => expect(v).toBeCloseTo(full[i], 5));
    model.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('is a scorer on the generative models\' body: the same draws, no decoder kept, nothing to generate, and the fused kernels say why they do not serve it', () => {
    const before = tf.memory().numTensors;
    const { model } = tinyBiEncoder();
    const names = model.variables().map((v) => v.name);
    expect(names.some((n) => n.startsWith('dec'))).toBe(false);
    expect(names.some((n) => n.startsWith('towerid'))).toBe(true);
    expect(model.generative).toBeNull();
    expect(model.fusedUnsupported()).toBe('a bi-encoder');
    // From one seed, its encoder is a generative model's encoder: the body's draws come first in both.
    const gen = new Retriever({ items: 4, words: 6, dim: 8, layers: 1, heads: 2, seqLen: 3, tieEmbeddings: true, ids: { codes: Int32Array.from([0, 0, 0, 1, 1, 0, 1, 1]), length: 2, sizes: [2, 2], perTask: false } }, 5);
    expect(Array.from(model.tokenEmbedding.dataSync())).toEqual(Array.from(gen.tokenEmbedding.dataSync()));
    gen.dispose();
    model.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('is reported under baselines.biencoder on both tasks, above Popularity, reaches cold items, and changes no model\'s result', async () => {
    const before = tf.memory().numTensors;
    // A world the other tests do not use: half the items unseen by recommendation.
    const cfg = tinyConfig({ seed: 31, items: 60, topics: 5, cfClusters: 5, titleWordsPerItem: 2, recCoverage: 0.5, epochs: 3 });
    const run = await runSeed(cfg);
    expect(tf.memory().numTensors).toBe(before);
    const bi = run.baselines.biencoder!;
    expect(Object.keys(bi.eval).sort()).toEqual(['rec', 'search']);
    expect(bi.steps).toBe(plannedSteps(cfg).joint);
    for (const task of ['search', 'rec'] as const) {
      expect(recallOf(bi.eval[task])).toBeGreaterThan(recallOf(run.baselines.popularity.eval[task]));
      expect(bi.popularity[task].kl).toBeGreaterThan(0);
    }
    expect(bi.eval.rec.byBucket.cold!.count).toBeGreaterThan(0);
    expect(bi.eval.rec.byBucket.cold![`recall@${cfg.k}`]).toBeGreaterThan(0);
    // The generative models are the same with the reference switched off.
    const without = await runSeed({ ...cfg, biencoder: false });
    expect(without.baselines.biencoder).toBeUndefined();
    for (const m of ['search', 'rec', 'joint'] as const) expect(without.models[m]!.eval).toEqual(run.models[m]!.eval);
    expect(plannedSteps({ ...cfg, biencoder: false }).total).toBe(plannedSteps(cfg).total - plannedSteps(cfg).joint);
  });

  it('idSource=biencoder: codes from its item tower, validRate 1, diagnostics in the report, no tensor left', async () => {
    const before = tf.memory().numTensors;
    const cfg = tinyConfig({ seed: 32, idScheme: 'semantic', idSource: 'biencoder-rec', idCodebook: 4, recCoverage: 0.5, epochs: 2, biencoder: false });
    const run = await runSeed(cfg);
    expect(tf.memory().numTensors).toBe(before);
    expect(run.ids!.source).toBe('biencoder-rec');
    expect(new Set(run.ids!.codes).size).toBe(cfg.items);
    for (const m of ['search', 'rec', 'joint'] as const) for (const ev of Object.values(run.models[m]!.eval)) expect(ev!.validRate).toBe(1);
    const d = run.ids!.diagnostics!;
    expect(d.levels).toHaveLength(cfg.idLevels);
    expect(d.prefixes).toHaveLength(cfg.idLevels);
    expect(plannedSteps(cfg).references).toBe(plannedSteps(cfg).rec);
  });
});

describe('semantic-ID diagnostics', () => {
  it('are computed as by hand', () => {
    // Four items, codes (a, b): 0 = (0,0), 1 = (0,1), 2 = (1,0), 3 = (0,0) → a final code; codebook 2 at both levels.
    const ids: SemanticIds = { items: 4, length: 3, codes: Int32Array.from([0, 0, 0, 0, 1, 0, 1, 0, 0, 0, 0, 1]), sizes: [2, 2, 2], collisions: 2, largestGroup: 2 };
    // One session: history [1, 3] → target 0, so the pairs (1, 0) and (3, 0).
    const rec = { count: 1, historyLength: 2, history: Int32Array.from([1, 3]), target: Int32Array.from([0]) };
    const d = idDiagnostics(ids, 2, { topic: [0, 0, 1, 1] }, rec as never);
    expect(d.collisionRate).toBe(0.5);
    expect(d.levels[0]).toMatchObject({ used: 2, size: 2, maxEntropy: 1 });
    expect(d.levels[0].entropy).toBeCloseTo(-(0.75 * Math.log2(0.75) + 0.25 * Math.log2(0.25)), 3);
    // Prefix 1: both linked pairs share code 0; every endpoint is in group 0 → chance 1.
    expect(d.prefixes[0]).toMatchObject({ length: 1, cooccurrence: 1, cooccurrenceChance: 1 });
    // Prefix 1 groups {0, 1, 3} and {2}: 3 pairs, one in a topic (0, 1); chance: 2 of 6 pairs.
    expect(d.prefixes[0].topic).toBeCloseTo(1 / 3, 4);
    expect(d.prefixes[0].topicChance).toBeCloseTo(1 / 3, 4);
    // Prefix 2: (3, 0) shares (0, 0), (1, 0) does not.
    expect(d.prefixes[1].cooccurrence).toBe(0.5);
  });

  it('a final code in frequency order numbers the most frequent item of each group 0', () => {
    const x = Float64Array.from([0, 0, 0, 0, 5, 5, 5, 5, 9, 0, -9, 3]);
    const byIndex = rqKMeans(x, 6, 2, 1, 4, 7);
    const byFrequency = rqKMeans(x, 6, 2, 1, 4, 7, [1, 9, 8, 2, 0, 0]);
    expect([1, 3].map((i) => byIndex.codes[i * 2 + 1])).toEqual([1, 1]);
    expect([0, 1, 2, 3].map((i) => byFrequency.codes[i * 2 + 1])).toEqual([1, 0, 0, 1]);
    expect(Array.from(byFrequency.codes).filter((_, j) => j % 2 === 0)).toEqual(Array.from(byIndex.codes).filter((_, j) => j % 2 === 0));
  });
});
