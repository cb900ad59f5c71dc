import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { oracleSearchRow, scoreBm25 } from '../../src/engine/run/baselines';
import { runExperiment, runSeed } from '../../src/engine/run/experiment';
import { Retriever } from '../../src/engine/model/retriever';
import { buildDataset } from '../../src/engine/sim/examples';
import { buildWorld } from '../../src/engine/sim/world';
import { encodeRec, encodeSearch, tokenLayout } from '../../src/engine/core/encode';
import { epochSchedule, train } from '../../src/engine/train/trainer';
import { Rng } from '../../src/engine/core/rng';
import { tinyConfig, useWasm } from './helpers';
import type { AtomicHead } from '../../src/engine/model/heads/atomic';

beforeAll(useWasm);

function setup(over = {}) {
  const cfg = tinyConfig(over);
  const w = buildWorld(cfg);
  const d = buildDataset(w, cfg);
  const layout = tokenLayout(w.items, w.words, cfg.queryLength, cfg.historyLength, cfg.taskToken);
  const model = () => new Retriever({ items: w.items, words: w.words, dim: cfg.dim, layers: cfg.layers, heads: cfg.heads, seqLen: layout.seqLen, tieEmbeddings: cfg.tieEmbeddings }, cfg.seed);
  return { cfg, w, d, layout, model, search: encodeSearch(d.searchTrain, layout), rec: encodeRec(d.recTrain, layout) };
}

describe('training', () => {
  it('lowers the loss', async () => {
    const { cfg, model, search } = setup({ epochs: 6 });
    const m = model();
    const r = await train(m, [search], cfg, { readEvery: 5 });
    m.dispose();
    expect(r.losses.length).toBeGreaterThan(2);
    expect(r.losses.at(-1)!.loss).toBeLessThan(r.losses[0].loss * 0.8);
  });

  it('a joint model sees both tasks: proportional and balanced batches', () => {
    const { cfg, search, rec } = setup();
    const prop = epochSchedule([search, rec], cfg, new Rng(1));
    const seen = [new Set<number>(), new Set<number>()];
    prop.flat().forEach((r) => seen[r.set].add(r.row));
    expect(seen[0].size).toBe(search.count);
    expect(seen[1].size).toBe(rec.count);
    const bal = epochSchedule([search, rec], { ...cfg, jointMixing: 'balanced' }, new Rng(1));
    for (const batch of bal) expect(batch.filter((r) => r.set === 1).length).toBe(cfg.batchSize / 2);
    for (const batch of prop) expect(batch.length).toBe(cfg.batchSize);
  });

  it('the oracle posterior is exact for a query of one title word without noise', () => {
    const { cfg, w } = setup({ queryNoise: 0, querySpecificity: 1 });
    const row = new Float64Array(w.items);
    oracleSearchRow(w, cfg, [w.topics * w.wordsPerTopic + 5], row); // title word of item 5
    expect(row[5]).toBeGreaterThan(-Infinity);
    expect(row.filter((v) => v > -Infinity).length).toBe(1);
  });
});

describe('an experiment', () => {
  it('reports the contract keys, the oracle beats every model, popularity is beaten', async () => {
    const cfg = tinyConfig({ epochs: 8 });
    const report = await runExperiment(cfg);
    expect(report.schema).toBe('bridge-lab/report@1');
    expect(report.dataStats.popularityKL).toHaveProperty('recVsSearch');
    const run = report.runs[0];
    expect(Object.keys(run.models).sort()).toEqual(['joint', 'rec', 'search']);
    expect(Object.keys(run.models.search!.eval)).toEqual(['search']);
    expect(Object.keys(run.models.joint!.eval).sort()).toEqual(['rec', 'search']);
    for (const [name, m] of Object.entries(run.models)) {
      expect(m!.backend).toBe('wasm');
      expect(m!.steps).toBeGreaterThan(0);
      for (const [task, e] of Object.entries(m!.eval)) {
        const oracle = run.baselines.oracle!.eval[task as 'search'];
        expect(e!['recall@10'], `${name} on ${task}`).toBeLessThanOrEqual(oracle['recall@10'] as number);
        expect(e!.byBucket).toHaveProperty('tail');
        expect(m!.popularity[task as 'search']!.kl).toBeGreaterThan(0);
      }
      expect(m!.embedding.contentAgreement).toBeGreaterThanOrEqual(0);
    }
    expect(run.models.search!.eval.search!['recall@10']).toBeGreaterThan(run.baselines.popularity.eval.search['recall@10'] as number);
    expect(report.summary.jointGain.rec).toBeDefined();
  });

  it('same seed gives the same report; no tensors are left behind', async () => {
    const cfg = tinyConfig({ epochs: 2 });
    const before = tf.memory().numTensors;
    const strip = (r: Awaited<ReturnType<typeof runSeed>>) =>
      JSON.stringify(r, (k, v) => (k === 'trainSeconds' || k === 'evalSeconds' ? 0 : v));
    const a = await runSeed(cfg);
    const b = await runSeed(cfg);
    expect(tf.memory().numTensors).toBe(before);
    expect(strip(a)).toBe(strip(b));
    const c = await runSeed({ ...cfg, seed: 2 });
    expect(strip(c)).not.toBe(strip(a));
  });

  it('stops promptly and keeps what finished', async () => {
    const cfg = tinyConfig({ epochs: 50 });
    const before = tf.memory().numTensors;
    let steps = 0;
    const report = await runExperiment(cfg, {
      seeds: [1, 2],
      onEvent: (e) => { if (e.type === 'train') steps = e.progress.step; },
      shouldStop: () => steps >= 20,
    });
    expect(report.stopped).toBe(true);
    expect(report.runs.length).toBe(1);
    expect(report.runs[0].models.search!.stopped).toBe(true);
    expect(report.runs[0].models.search!.steps).toBeLessThan(40);
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('ablations', () => {
  it('per-task bias and item embeddings change only the joint model, and train', async () => {
    const before = tf.memory().numTensors;
    const base = await runSeed(tinyConfig({ epochs: 2 }));
    const cut = await runSeed(tinyConfig({ epochs: 2, outputBias: 'perTask', itemEmbeddings: 'perTask' }));
    expect(tf.memory().numTensors).toBe(before);
    expect(cut.models.rec!.eval).toEqual(base.models.rec!.eval);
    expect(cut.models.search!.eval).toEqual(base.models.search!.eval);
    expect(cut.models.joint!.eval).not.toEqual(base.models.joint!.eval);
    expect(cut.models.joint!.losses.at(-1)!.loss).toBeLessThan(cut.models.joint!.losses[0].loss);
  });

  it('a per-task model has its own search table and a [2, items] bias', () => {
    const { model } = setup();
    const m = model();
    expect((m.head as AtomicHead).searchOutputEmbedding).toBeNull();
    m.dispose();
    const cfg = tinyConfig();
    const w = buildWorld(cfg);
    const j = new Retriever({ items: w.items, words: w.words, dim: 8, layers: 1, heads: 1, seqLen: 5, tieEmbeddings: true, tasks: 2, outputBias: 'perTask', itemEmbeddings: 'perTask' }, 1);
    expect((j.head as AtomicHead).outputBias.shape).toEqual([2, w.items]);
    expect((j.head as AtomicHead).searchOutputEmbedding!.shape).toEqual([w.items, 8]);
    j.dispose();
  });

  it('popularity removed: the joint model trains on uniform targets of that task', async () => {
    const { uniformTrainSet } = await import('../../src/engine/sim/examples');
    const cfg = tinyConfig({ searchTrain: 4000, popularityRemoved: 'search' });
    const w = buildWorld(cfg);
    const flat = uniformTrainSet(w, cfg, 'search');
    const counts = new Float64Array(w.items);
    for (const t of flat.target) counts[t]++;
    const top = Array.from(w.pSearch.keys()).sort((a, b) => w.pSearch[b] - w.pSearch[a])[0];
    expect(counts[top] / flat.count).toBeLessThan(3 / w.items); // about 1/items, not p_S of the head
    const r = await runSeed({ ...cfg, epochs: 1 });
    expect(r.models.joint!.steps).toBeGreaterThan(0);
  });
});

describe('BM25, the lexical reference for search', () => {
  it('scores as computed by hand (k1 1.2, b 0.75, Lucene idf), each query word counted, padding skipped', () => {
    // Items' texts: 0 = [1, 2], 1 = [2, 2, 3], 2 = [4]; avgdl = 2. Query [2, −1]: df(2) = 2, idf = ln 1.6.
    const rows: number[][] = [];
    scoreBm25([[1, 2], [2, 2, 3], [4]], { count: 2, queryLength: 2, words: Int32Array.from([2, -1, 4, 2]), target: Int32Array.from([0, 2]) },
      (r, first, count) => { for (let i = 0; i < count; i++) rows[first + i] = Array.from(r.slice(i * 3, i * 3 + 3)); });
    const idf2 = Math.log(1.6), idf4 = Math.log(1 + 2.5 / 1.5);
    expect(rows[0][0]).toBeCloseTo(idf2 * (1 * 2.2) / (1 + 1.2 * (0.25 + 0.75 * 1)), 10);
    expect(rows[0][1]).toBeCloseTo(idf2 * (2 * 2.2) / (2 + 1.2 * (0.25 + 0.75 * 1.5)), 10);
    expect(rows[0][2]).toBe(0);
    expect(rows[1][2]).toBeCloseTo(idf4 * 2.2 / (1 + 1.2 * (0.25 + 0.75 * 0.5)), 10);
    expect(rows[1][0]).toBeCloseTo(rows[0][0], 10);
  });

  it('is reported under baselines.bm25 for search only, above Popularity on a world the other tests do not use', async () => {
    const before = tf.memory().numTensors;
    const report = await runExperiment(tinyConfig({ seed: 23, items: 50, topics: 5, titleWordsPerItem: 2, querySpecificity: 0.6, epochs: 1 }));
    const run = report.runs[0];
    expect(Object.keys(run.baselines.bm25!.eval)).toEqual(['search']);
    const recall = (ev: { [m: string]: unknown }) => ev[`recall@${report.config.k}`] as number;
    expect(recall(run.baselines.bm25!.eval.search)).toBeGreaterThan(recall(run.baselines.popularity.eval.search));
    expect(report.summary.means.bm25.search).toBeDefined();
    expect(report.summary.means.bm25.rec).toBeUndefined();
    expect(tf.memory().numTensors).toBe(before);
  });
});
