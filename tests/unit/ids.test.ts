import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { runSeed } from '../../src/engine/run/experiment';
import { constrainedBeamSearch, RecordedScores, type CodeScorer } from '../../src/engine/model/ids/beam';
import { attend, CodeGenerator, codeLogits, codeVocabulary, DecoderLevels } from '../../src/engine/model/ids/code-decoder';
import { buildSemanticIds, rqKMeans, type SemanticIds } from '../../src/engine/model/ids/rq-kmeans';
import { IdTrie } from '../../src/engine/model/ids/trie';
import { symmetricEigen } from '../../src/engine/model/ids/vectors';
import { Retriever } from '../../src/engine/model/retriever';
import { Rng } from '../../src/engine/core/rng';
import { buildDataset } from '../../src/engine/sim/examples';
import { buildWorld, itemWords } from '../../src/engine/sim/world';
import { encodeSearch, tokenLayout } from '../../src/engine/core/encode';
import { tinyConfig, useWasm } from './helpers';

beforeAll(useWasm);

function worldIds(over = {}, source: 'content' | 'cf' | 'joint' = 'content', levels = 2, codebook = 4) {
  const cfg = tinyConfig(over);
  const w = buildWorld(cfg);
  const d = buildDataset(w, cfg);
  return { cfg, w, d, ids: buildSemanticIds({ items: w.items, words: w.words, itemWords: Array.from({ length: w.items }, (_, i) => itemWords(w, i)), recTrain: d.recTrain }, source, levels, codebook, cfg.seed) };
}

const key = (ids: SemanticIds, i: number) => Array.from(ids.codes.subarray(i * ids.length, (i + 1) * ids.length)).join('-');

describe('RQ-KMeans semantic IDs', () => {
  for (const source of ['content', 'cf', 'joint'] as const) {
    it(`are unique and deterministic (${source})`, () => {
      const a = worldIds({}, source).ids;
      const b = worldIds({}, source).ids;
      expect(Array.from(a.codes)).toEqual(Array.from(b.codes));
      const seen = new Set(Array.from({ length: a.items }, (_, i) => key(a, i)));
      expect(seen.size).toBe(a.items);
      for (let i = 0; i < a.items; i++) for (let t = 0; t < a.length; t++) expect(a.codes[i * a.length + t]).toBeLessThan(a.sizes[t]);
      // A different seed cuts other codes.
      const c = worldIds({ seed: 2 }, source).ids;
      expect(Array.from(c.codes)).not.toEqual(Array.from(a.codes));
    });
  }

  it('adds a final code only where items collide, numbering them in item order', () => {
    // Six points, two of them identical pairs: 4 clusters at one level leave collisions.
    const x = Float64Array.from([0, 0, 0, 0, 5, 5, 5, 5, 9, 0, -9, 3]);
    const ids = rqKMeans(x, 6, 2, 1, 4, 7);
    expect(ids.length).toBe(2);
    expect(ids.collisions).toBe(4);
    expect(ids.largestGroup).toBe(2);
    expect([ids.codes[0 * 2 + 1], ids.codes[1 * 2 + 1], ids.codes[2 * 2 + 1], ids.codes[3 * 2 + 1]]).toEqual([0, 1, 0, 1]);
    const apart = rqKMeans(Float64Array.from([0, 0, 5, 5, 9, 0, -9, 3]), 4, 2, 1, 4, 7);
    expect(apart.length).toBe(1);
    expect(apart.collisions).toBe(0);
  });

  it('content codes follow content topics at the first level', () => {
    const { w, ids } = worldIds({ items: 60, topics: 4 }, 'content', 2, 4);
    // Items sharing a first code mostly share a topic (4 codes, 4 topics).
    let same = 0, pairs = 0;
    for (let i = 0; i < w.items; i++) for (let j = i + 1; j < w.items; j++) {
      if (ids.codes[i * ids.length] !== ids.codes[j * ids.length]) continue;
      pairs++;
      if (w.topic[i] === w.topic[j]) same++;
    }
    expect(same / pairs).toBeGreaterThan(0.9);
  });

  it('symmetric eigen-decomposition recovers a known matrix', () => {
    const m = Float64Array.from([4, 1, 0, 1, 3, 0, 0, 0, 1]);
    const { values, vectors } = symmetricEigen(m, 3);
    // Reconstruct V Λ Vᵀ.
    for (let a = 0; a < 3; a++) for (let b = 0; b < 3; b++) {
      let s = 0;
      for (let c = 0; c < 3; c++) s += vectors[a * 3 + c] * values[c] * vectors[b * 3 + c];
      expect(s).toBeCloseTo(m[a * 3 + b], 9);
    }
    expect(values[0]).toBeGreaterThan(values[1]);
  });
});

describe('the trie of valid IDs', () => {
  it('admits only real items', () => {
    const { ids } = worldIds();
    const trie = new IdTrie(ids);
    const real = new Set(Array.from({ length: ids.items }, (_, i) => key(ids, i)));
    for (let i = 0; i < ids.items; i++) expect(trie.itemOf(ids.codes.subarray(i * ids.length, (i + 1) * ids.length))).toBe(i);
    // Every code sequence in range: exactly the real ones spell an item.
    const rng = new Rng(5);
    for (let n = 0; n < 2000; n++) {
      const codes = ids.sizes.map((s) => rng.int(s));
      const item = trie.itemOf(codes);
      expect(item >= 0).toBe(real.has(codes.join('-')));
      if (item >= 0) expect(key(ids, item)).toBe(codes.join('-'));
    }
    expect(trie.itemOf([0])).toBe(-1);
    // Walking the trie's own children reaches every item once.
    const leaves: number[] = [];
    const walk = (node: number) => { if (trie.item(node) >= 0) leaves.push(trie.item(node)); for (const c of trie.codesAfter(node)) walk(trie.child(node, c)); };
    walk(0);
    expect(leaves.sort((a, b) => a - b)).toEqual(Array.from({ length: ids.items }, (_, i) => i));
  });
});

describe('constrained beam search', () => {
  // Six items over two levels of three codes; (2, 2), (1, 0) and (1, 2) are not items.
  const ids: SemanticIds = { items: 6, length: 2, sizes: [3, 3], collisions: 0, largestGroup: 1, codes: Int32Array.from([0, 0, 0, 1, 0, 2, 1, 1, 2, 0, 2, 1]) };
  const trie = new IdTrie(ids);
  // A hand-made model: fixed logits per position, the second depending on the first code.
  const first = [Math.log(0.5), Math.log(0.2), Math.log(0.3)];
  const second: Record<number, number[]> = { 0: [Math.log(0.2), Math.log(0.3), Math.log(0.5)], 1: [Math.log(0.6), Math.log(0.3), Math.log(0.1)], 2: [Math.log(0.25), Math.log(0.65), Math.log(0.1)] };
  const scorer: CodeScorer = async (rows, prefixes, t) => Float32Array.from(Array.from(rows).flatMap((_, j) => (t === 0 ? first : second[prefixes[j * t]])));
  // Exact P(item): level 2 renormalised over valid children. Item 3 = (1,1): valid after 1 is only {1}: P = 0.2.
  const exact = [0.5 * 0.2, 0.5 * 0.3, 0.5 * 0.5, 0.2 * 1, 0.3 * (0.25 / 0.9), 0.3 * (0.65 / 0.9)];
  const order = [2, 5, 3, 1, 0, 4]; // by exact probability

  it('returns the known top-K, and with no pruning every item\'s exact probability', async () => {
    const all = await constrainedBeamSearch(trie, 2, Infinity, ids.sizes, scorer);
    for (const row of [0, 1]) {
      expect(Array.from(all.items[row])).toEqual(order);
      all.items[row].forEach((item, p) => expect(Math.exp(all.logp[row][p])).toBeCloseTo(exact[item], 6));
    }
    const top = await constrainedBeamSearch(trie, 1, 3, ids.sizes, scorer);
    expect(Array.from(top.items[0])).toEqual([2, 5, 3]);
  });

  it('without ranking gives the same items and log-probabilities, in trie order', async () => {
    const ranked = await constrainedBeamSearch(trie, 2, Infinity, ids.sizes, scorer);
    const plain = await constrainedBeamSearch(trie, 2, Infinity, ids.sizes, scorer, { ranked: false });
    for (const row of [0, 1]) {
      expect(Array.from(plain.items[row])).toEqual([0, 1, 2, 3, 4, 5]);
      plain.items[row].forEach((item, p) => expect(plain.logp[row][p]).toBe(ranked.logp[row][Array.from(ranked.items[row]).indexOf(item)]));
    }
  });

  it('replays an exact expansion\'s recorded scores: the beams of scoring again, without scoring', async () => {
    // Inputs that disagree (the second reverses the first's scores), so that a replay mixing them up shows.
    const byInput: CodeScorer = async (rows, prefixes, t, nodes) => {
      const s = await scorer(rows, prefixes, t, nodes), n = ids.sizes[t];
      rows.forEach((r, j) => { if (r === 1) s.subarray(j * n, (j + 1) * n).reverse(); });
      return s;
    };
    let calls = 0;
    const counted: CodeScorer = (...a) => { calls++; return byInput(...a); };
    const recorded = new RecordedScores(trie, 2, ids.sizes);
    await constrainedBeamSearch(trie, 2, Infinity, ids.sizes, recorded.record(counted), { ranked: false });
    expect(calls).toBe(2);
    for (const width of [1, 2, 3, Infinity]) {
      const direct = await constrainedBeamSearch(trie, 2, width, ids.sizes, byInput);
      expect(await constrainedBeamSearch(trie, 2, width, ids.sizes, recorded.replay)).toEqual(direct);
    }
    expect((await constrainedBeamSearch(trie, 2, 2, ids.sizes, byInput)).items.map((r) => Array.from(r))).toEqual([[2, 5], [5, 0]]);
    expect(calls).toBe(2);
    // An input it never expanded is an error, not a row of zeros.
    await expect(constrainedBeamSearch(trie, 3, 2, ids.sizes, recorded.replay)).rejects.toThrow(/no scores recorded for input 2/);
  });

  it('never generates an invalid ID even when the model prefers one', async () => {
    // The model puts almost all mass on code 2 after code 2: (2, 2) is not an item.
    const greedy: CodeScorer = async (rows, prefixes, t) => Float32Array.from(Array.from(rows).flatMap(() => (t === 0 ? [0, 0, 5] : [0, 0, 9])));
    const g = await constrainedBeamSearch(trie, 1, 2, ids.sizes, greedy);
    expect(Array.from(g.items[0])).toEqual([4, 5]);
  });
});

describe('the decoder\'s attention', () => {
  it('has the gradient of tfjs\'s autodiff of the same ops, bit for bit', () => {
    // 3 groups × 4 rows (queries) × 2 heads × 5 keys × dh 3, a causal-style bias.
    const [G, rows, H, keys, dh] = [3, 4, 2, 5, 3];
    const rng = new Rng(11, 'attend');
    const draw = (shape: number[]) => tf.tensor(Float32Array.from({ length: shape.reduce((a, b) => a * b) }, () => rng.normal()), shape);
    const q = draw([G * rows, H * dh]) as tf.Tensor2D, k = draw([G, 1, H, keys, dh]), v = draw([G, 1, H, keys, dh]);
    const bias = tf.tensor4d(Float32Array.from({ length: G * keys }, (_, i) => (i % keys === 4 ? -1e9 : 0)), [G, 1, 1, keys]);
    const dy = draw([G * rows, H * dh]);
    const reference = (qq: tf.Tensor, kk: tf.Tensor, vv: tf.Tensor) => {
      const scores = tf.mul(tf.sum(tf.mul(tf.reshape(qq, [G, rows, H, 1, dh]), kk), -1), 1 / Math.sqrt(dh));
      const att = tf.softmax(tf.add(scores, bias));
      return tf.reshape(tf.sum(tf.mul(tf.reshape(att, [G, rows, H, keys, 1]), vv), 3), [G * rows, H * dh]);
    };
    const written = (qq: tf.Tensor, kk: tf.Tensor, vv: tf.Tensor) => attend(qq as tf.Tensor2D, kk, vv, bias, G, rows, H, keys);
    const before = tf.memory().numTensors;
    const values = [reference, written].map((f) => tf.tidy(() => f(q, k, v).arraySync()));
    const grads = [reference, written].map((f) => tf.tidy(() => tf.grads((a, b, c) => f(a, b, c))([q, k, v], dy).map((g) => g.arraySync())));
    expect(values[1]).toEqual(values[0]);
    expect(grads[1]).toEqual(grads[0]);
    expect(tf.memory().numTensors).toBe(before);
    [q, k, v, bias, dy].forEach((t) => t.dispose());
  });
});

describe('a model with semantic IDs', () => {
  it('scores the next code in generation as in teacher-forced training', async () => {
    const { cfg, w, d, ids } = worldIds({}, 'content', 2, 4);
    const layout = tokenLayout(w.items, w.words, cfg.queryLength, cfg.historyLength, true);
    const before = tf.memory().numTensors;
    const m = new Retriever({ items: w.items, words: w.words, dim: 16, layers: 1, heads: 2, seqLen: layout.seqLen, tieEmbeddings: true, tasks: 2, outputBias: 'perTask', ids: { codes: ids.codes, length: ids.length, sizes: ids.sizes, perTask: true } }, 3);
    const set = encodeSearch(d.searchTest, layout);
    const B = 8, S = set.seqLen;
    const tk = tf.tensor2d(set.tokens.subarray(0, B * S), [B, S], 'int32'), mk = tf.tensor2d(set.mask.subarray(0, B * S), [B, S]);
    const targets = tf.tensor1d(set.target.subarray(0, B), 'int32'), task = tf.zeros([B], 'int32') as tf.Tensor1D;
    const { logits, target } = tf.tidy(() => codeLogits(m, tk, mk, targets, task));
    const full = (await logits.data()) as Float32Array;
    const V = codeVocabulary(m.spec.ids!);
    const trie = new IdTrie(ids);
    const levels = new DecoderLevels(m, trie, 0);
    const gen = new CodeGenerator(levels, tk, mk);
    let compared = 0;
    for (let t = 0; t < ids.length; t++) {
      // Each row's target prefix, where its trie node leaves a choice (only those are decoded).
      const node = (j: number) => { let v = 0; for (let p = 0; p < t; p++) v = trie.child(v, ids.codes[set.target[j] * ids.length + p]); return v; };
      const asked = Array.from({ length: B }, (_, j) => j).filter((j) => trie.codesAfter(node(j)).length > 1);
      const rows = Int32Array.from(asked), nodes = Int32Array.from(asked, node);
      const prefixes = new Int32Array(asked.length * t);
      asked.forEach((j, h) => { for (let p = 0; p < t; p++) prefixes[h * t + p] = ids.codes[set.target[j] * ids.length + p]; });
      const scores = await gen.score(rows, prefixes, t, nodes);
      asked.forEach((j, h) => { for (let c = 0; c < ids.sizes[t]; c++) expect(scores[h * ids.sizes[t] + c]).toBeCloseTo(full[(j * ids.length + t) * V.total + V.offsets[t] + c], 4); });
      compared += asked.length;
    }
    expect(compared).toBeGreaterThan(B);
    gen.dispose();
    levels.dispose();
    [logits, target, tk, mk, targets, task].forEach((x) => x.dispose());
    m.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('trains end to end: every generated ID is real, cold targets are counted, no tensor is left', async () => {
    const before = tf.memory().numTensors;
    const cfg = tinyConfig({ idScheme: 'semantic', idCodebook: 4, recCoverage: 0.5, epochs: 2 });
    const run = await runSeed(cfg);
    expect(tf.memory().numTensors).toBe(before);
    expect(run.ids?.codes.length).toBe(cfg.items);
    const w = buildWorld(cfg), d = buildDataset(w, cfg);
    const trained = new Set(Array.from(d.recTrain.target));
    const cold = Array.from(d.recTest.target).filter((t) => !trained.has(t)).length;
    expect(cold).toBeGreaterThan(0);
    for (const m of ['search', 'rec', 'joint'] as const) {
      for (const [task, ev] of Object.entries(run.models[m]!.eval)) {
        expect(ev!.validRate).toBe(1);
        if (task === 'rec') expect(ev!.byBucket.cold!.count).toBe(cold);
      }
    }
  });
});
