import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { runSeed } from '../../src/engine/run/experiment';
import { indexingExamples, withIndexing } from '../../src/engine/run/indexing';
import { Retriever } from '../../src/engine/model/retriever';
import { buildDataset } from '../../src/engine/sim/examples';
import { buildWorld, itemWords } from '../../src/engine/sim/world';
import { encodeRec, encodeSearch, tokenLayout } from '../../src/engine/core/encode';
import { train } from '../../src/engine/train/trainer';
import { evalUnder } from '../../src/engine/core/report';
import { jointGainOf } from '../../src/engine/run/summary';
import { tinyConfig, useWasm } from './helpers';

beforeAll(useWasm);

describe('indexing examples (item text → ID, as DSI)', () => {
  const texts = [[5, 6, 7, 8, 9], [3], [], [1, 2]];

  it('draws 1 to queryLength distinct words of each item\'s text, in text order, perItem per item with text, seeded', () => {
    const ex = indexingExamples(texts, 4, 3, 7);
    expect(ex.count).toBe(4 * 3); // the item without words gets none
    const lengths = new Set<number>();
    for (let e = 0; e < ex.count; e++) {
      const item = ex.target[e];
      const row = Array.from(ex.words.subarray(e * 3, e * 3 + 3)).filter((w) => w >= 0);
      expect(row.length).toBeGreaterThanOrEqual(1);
      expect(row.length).toBeLessThanOrEqual(Math.min(3, texts[item].length));
      const at = row.map((w) => texts[item].indexOf(w));
      expect(at.every((p) => p >= 0)).toBe(true);
      expect([...at].sort((a, b) => a - b)).toEqual(at);
      expect(new Set(row).size).toBe(row.length);
      if (item === 0) lengths.add(row.length);
    }
    expect(lengths.size).toBeGreaterThan(1); // lengths vary
    expect(indexingExamples(texts, 4, 3, 7)).toEqual(ex);
    expect(indexingExamples(texts, 4, 3, 8).words).not.toEqual(ex.words);
    expect(indexingExamples(texts, 0, 3, 7).count).toBe(0);
  });

  it('joins the training queries after them, and refuses another query length', () => {
    const q = { count: 1, queryLength: 3, words: Int32Array.from([4, -1, -1]), target: Int32Array.from([2]) };
    const ix = indexingExamples(texts, 1, 3, 1);
    const all = withIndexing(q, ix);
    expect(all.count).toBe(1 + ix.count);
    expect(Array.from(all.target)).toEqual([2, ...ix.target]);
    expect(Array.from(all.words.subarray(0, 3))).toEqual([4, -1, -1]);
    expect(withIndexing(q, indexingExamples(texts, 0, 3, 1))).toBe(q);
    expect(() => withIndexing(q, indexingExamples(texts, 1, 2, 1))).toThrow(/2 words, queries 3/);
  });

  it('reaches items no training query names: Gen_S\'s cold search Recall rises from chance', async () => {
    // A world the other tests do not use: queries name a quarter of the items.
    const cfg = tinyConfig({ items: 60, searchCoverage: 0.25, epochs: 12, patience: 0, searchTrain: 400, titleWordsPerItem: 2, querySpecificity: 0.8, biencoder: false });
    const cold = async (indexing: number) => {
      const run = await runSeed({ ...cfg, indexing }, { models: ['search'] });
      const e = run.models.search!.eval.search!;
      return { cold: e.byBucket.cold!['recall@10'], count: e.byBucket.cold!.count, steps: run.models.search!.steps, examples: run.indexingExamples };
    };
    const off = await cold(0), on = await cold(4);
    expect(off.count).toBeGreaterThan(20);
    console.log(`cold search Recall@10 without indexing ${off.cold.toFixed(3)}, with ${on.cold.toFixed(3)}`);
    expect(off.cold).toBeLessThan(10 / 60);
    expect(off.examples).toBeUndefined();
    expect(on.examples).toBe(4 * 60);
    expect(on.steps).toBeGreaterThan(off.steps);
    expect(on.cold).toBeGreaterThan(off.cold + 0.2);
  });
});

describe('checkpoint selection of a two-task model (jointSelection)', () => {
  function setup() {
    const cfg = tinyConfig({ epochs: 8, patience: 2 });
    const w = buildWorld(cfg);
    const d = buildDataset(w, cfg);
    const layout = tokenLayout(w.items, w.words, cfg.queryLength, cfg.historyLength, cfg.taskToken);
    const model = new Retriever({ items: w.items, words: w.words, dim: cfg.dim, layers: cfg.layers, heads: cfg.heads, seqLen: layout.seqLen, tieEmbeddings: true, tasks: 2 }, 1);
    return { cfg, model, sets: [encodeSearch(d.searchTrain, layout), encodeRec(d.recTrain, layout)] };
  }
  // Search peaks at epoch 5, rec at epoch 1; their mean peaks at epoch 3.
  const scripted = [[0.1, 0.9], [0.2, 0.5], [0.8, 0.4], [0.5, 0.1], [0.9, 0.1], [0.6, 0.1], [0.5, 0.1], [0.4, 0.1]];

  for (const [selection, epochsRun] of [['perTask', 7], ['shared', 5]] as const) {
    it(`${selection}: stops ${epochsRun === 7 ? 'when neither task has improved' : 'when the mean has not improved'} for patience epochs; keeps each task's best epoch's weights; owns its tensors`, async () => {
      const { cfg, model, sets } = setup();
      const before = tf.memory().numTensors;
      const weightsAt: number[][] = [];
      let epoch = 0;
      const r = await train(model, sets, { ...cfg, jointSelection: selection }, {
        validate: async () => {
          weightsAt.push(Array.from(await model.variables()[0].data()).slice(0, 5));
          const [s, q] = scripted[epoch++];
          return { score: (s + q) / 2, tasks: [s, q] };
        },
      });
      expect(r.epochsRun).toBe(epochsRun);
      expect(r.bestEpoch).toBe(3);
      const head = async () => Array.from(await model.variables()[0].data()).slice(0, 5);
      expect(await head()).toEqual(weightsAt[2]);
      if (selection === 'perTask') {
        expect(r.perTask!.bestEpochs).toEqual([5, 1]);
        r.perTask!.checkpoints.load(5);
        expect(await head()).toEqual(weightsAt[4]);
        r.perTask!.checkpoints.load(1);
        expect(await head()).toEqual(weightsAt[0]);
        expect(() => r.perTask!.checkpoints.load(2)).toThrow(/no checkpoint of epoch 2/);
      } else {
        // Within the shared run (epochs 1-5): each task's best of those.
        expect(r.perTask!.bestEpochs).toEqual([5, 1]);
      }
      r.perTask!.checkpoints.dispose();
      expect(tf.memory().numTensors).toBe(before);
      model.dispose();
    });
  }

  it('a run reports Gen_R+S and the bi-encoder under both selections; the gains follow the configured one; no tensors left', async () => {
    const cfg = tinyConfig({ epochs: 6, patience: 2, seed: 5 });
    const before = tf.memory().numTensors;
    const per = await runSeed({ ...cfg, jointSelection: 'perTask' });
    const shared = await runSeed({ ...cfg, jointSelection: 'shared' });
    expect(tf.memory().numTensors).toBe(before);
    for (const [run, sel, other] of [[per, 'perTask', 'shared'], [shared, 'shared', 'perTask']] as const) {
      for (const r of [run.models.joint!, run.baselines.biencoder!]) {
        expect(r.selection).toBe(sel);
        expect(r.alternative!.selection).toBe(other);
        expect(Object.keys(r.bestEpochByTask!).sort()).toEqual(['rec', 'search']);
        expect(Object.keys(r.alternative!.eval).sort()).toEqual(['rec', 'search']);
      }
      expect(run.models.search!.selection).toBeUndefined();
      for (const task of ['search', 'rec'] as const) {
        expect(jointGainOf(run, task, 10)).toBe(jointGainOf(run, task, 10, sel));
        // Where a task's best epoch is the shared one, both selections evaluate the same weights.
        const j = run.models.joint!;
        if (j.bestEpochByTask![task] === j.bestEpoch) expect(evalUnder(j, task, 'perTask')).toEqual(evalUnder(j, task, 'shared'));
      }
    }
    // The single-task models do not depend on the selection.
    expect(per.models.rec!.eval).toEqual(shared.models.rec!.eval);
  });
});
