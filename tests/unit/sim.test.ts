import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../../src/engine/core/config';
import { buildDataset, targetCounts } from '../../src/engine/sim/examples';
import { dataStats, klDivergence, spearman, zipfSlope } from '../../src/engine/sim/stats';
import { buildWorld, titleWord, wordItem, wordTopic } from '../../src/engine/sim/world';

const base = { items: 1000, searchTrain: 2000, recTrain: 2000, searchTest: 500, recTest: 500 };

describe('simulated world', () => {
  it('popularity follows the Zipf exponents', () => {
    for (const s of [0.5, 1, 1.5]) {
      const w = buildWorld(resolveConfig({ ...base, searchZipf: s, recZipf: s / 2 }));
      expect(zipfSlope(w.pSearch)).toBeCloseTo(-s, 5);
      expect(zipfSlope(w.pRec)).toBeCloseTo(-s / 2, 5);
      expect(w.pSearch.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 9);
    }
  });

  it('popularityAgreement sets how much the two rankings agree', () => {
    const rho = (a: number) => spearman(...(((w) => [w.pSearch, w.pRec])(buildWorld(resolveConfig({ ...base, popularityAgreement: a }))) as [Float64Array, Float64Array]));
    expect(rho(1)).toBeCloseTo(1, 9);
    expect(Math.abs(rho(0))).toBeLessThan(0.1);
    expect(rho(0.5)).toBeGreaterThan(0.3);
    expect(rho(0.5)).toBeLessThan(0.7);
    const kl = (a: number) => klDivergence(...(((w) => [w.pRec, w.pSearch])(buildWorld(resolveConfig({ ...base, popularityAgreement: a }))) as [Float64Array, Float64Array]));
    expect(kl(1)).toBeCloseTo(0, 9);
    expect(kl(0)).toBeGreaterThan(kl(0.5));
  });

  it('contentCfAlignment sets the share of items whose cluster follows their topic', () => {
    for (const a of [0, 0.5, 1]) {
      const c = resolveConfig({ ...base, contentCfAlignment: a, topics: 10, cfClusters: 10 });
      const s = dataStats(buildWorld(c), buildDataset(buildWorld(c), c));
      // a random cluster matches the topic's cluster with chance 1/K
      expect(s.realizedAlignment).toBeCloseTo(a + (1 - a) / 10, 1);
    }
  });

  it('coverage restricts training targets and histories, not test sets', () => {
    const c = resolveConfig({ ...base, recCoverage: 0.3, searchCoverage: 0.5, sessionNoise: 0.3 });
    const w = buildWorld(c);
    const d = buildDataset(w, c);
    expect(w.recCovered.reduce((a, b) => a + b, 0)).toBe(300);
    expect(w.searchCovered.reduce((a, b) => a + b, 0)).toBe(500);
    for (const t of d.recTrain.target) expect(w.recCovered[t]).toBe(1);
    for (const h of d.recTrain.history) expect(w.recCovered[h]).toBe(1);
    for (const t of d.searchTrain.target) expect(w.searchCovered[t]).toBe(1);
    expect(Array.from(d.recTest.target).some((t) => !w.recCovered[t])).toBe(true);
    expect(Array.from(d.searchTest.target).some((t) => !w.searchCovered[t])).toBe(true);
  });

  it('caps bound the training instances per item', () => {
    const c = resolveConfig({ ...base, searchCapPerItem: 5, recCapPerItem: 10 });
    const w = buildWorld(c);
    const d = buildDataset(w, c);
    expect(Math.max(...targetCounts(d.searchTrain, c.items))).toBe(5);
    expect(Math.max(...targetCounts(d.recTrain, c.items))).toBe(10);
    expect(d.searchTrain.count).toBeLessThan(c.searchTrain);
    expect(d.searchTest.count).toBe(c.searchTest);
  });

  it('the cap\'s control keeps as many search pairs as the cap, drawn at random, with popularity as it was', () => {
    const capped = resolveConfig({ ...base, searchCapPerItem: 5 });
    const control = resolveConfig({ ...capped, searchCapControl: true });
    const full = resolveConfig({ ...base });
    const w = buildWorld(capped);
    const [dc, dk, df] = [capped, control, full].map((c) => buildDataset(w, c));
    expect(dk.searchTrain.count).toBe(dc.searchTrain.count);
    expect(dk.searchTrain.count).toBeLessThan(df.searchTrain.count);
    // A subset of the uncapped pairs, in draw order.
    const rows = (d: typeof df) => Array.from({ length: d.searchTrain.count }, (_, e) => `${d.searchTrain.target[e]}:${Array.from(d.searchTrain.words.subarray(e * d.searchTrain.queryLength, (e + 1) * d.searchTrain.queryLength)).join(',')}`);
    const all = rows(df);
    let at = 0;
    for (const r of rows(dk)) { at = all.indexOf(r, at) + 1; expect(at).toBeGreaterThan(0); }
    // Not flattened: its most frequent item keeps far more than the cap.
    expect(Math.max(...targetCounts(dk.searchTrain, capped.items))).toBeGreaterThan(5);
    expect(Math.max(...targetCounts(dc.searchTrain, capped.items))).toBe(5);
    // The other sets are untouched, and without a cap the control changes nothing.
    expect(dk.recTrain).toEqual(dc.recTrain);
    expect(buildDataset(w, resolveConfig({ ...full, searchCapControl: true })).searchTrain).toEqual(df.searchTrain);
  });

  it('queries use title and topic words in the share querySpecificity sets', () => {
    const c = resolveConfig({ ...base, querySpecificity: 0.7, queryNoise: 0, searchTrain: 4000 });
    const w = buildWorld(c);
    const d = buildDataset(w, c);
    let title = 0;
    d.searchTrain.words.forEach((word, j) => {
      const target = d.searchTrain.target[Math.floor(j / c.queryLength)];
      if (wordItem(w, word) >= 0) {
        expect(wordItem(w, word)).toBe(target);
        title++;
      } else expect(wordTopic(w, word)).toBe(w.topic[target]);
    });
    expect(title / d.searchTrain.words.length).toBeCloseTo(0.7, 1);
    expect(wordItem(w, titleWord(w, 7, 1))).toBe(7);
  });

  it('histories come from the session cluster, noise aside', () => {
    const c = resolveConfig({ ...base, sessionNoise: 0 });
    const w = buildWorld(c);
    const d = buildDataset(w, c);
    const H = c.historyLength;
    for (let e = 0; e < d.recTrain.count; e++) {
      for (let j = 0; j < H; j++) expect(w.cluster[d.recTrain.history[e * H + j]]).toBe(w.cluster[d.recTrain.target[e]]);
    }
  });

  it('one seed gives one world; another seed another', () => {
    const a = buildWorld(resolveConfig({ ...base, seed: 3 }));
    const b = buildWorld(resolveConfig({ ...base, seed: 3 }));
    const c = buildWorld(resolveConfig({ ...base, seed: 4 }));
    expect(Array.from(a.pRec)).toEqual(Array.from(b.pRec));
    expect(Array.from(a.topic)).not.toEqual(Array.from(c.topic));
  });
});

describe('coverage', () => {
  it('is stratified by popularity: the covered items carry about their share of the mass', () => {
    for (const seed of [1, 2, 3, 4]) {
      const c = resolveConfig({ ...base, recCoverage: 0.6, seed });
      const w = buildWorld(c);
      const order = Array.from(w.pRec.keys()).sort((a, b) => w.pRec[b] - w.pRec[a]);
      for (let start = 0; start < 1000; start += 10) {
        const covered = order.slice(start, start + 10).filter((i) => w.recCovered[i]).length;
        expect(covered).toBeGreaterThanOrEqual(5);
        expect(covered).toBeLessThanOrEqual(7);
      }
    }
  });
});

describe('common random numbers', () => {
  it('worlds of one seed differ only where a knob says so', () => {
    const a = buildWorld(resolveConfig({ ...base, contentCfAlignment: 0.3 }));
    const b = buildWorld(resolveConfig({ ...base, contentCfAlignment: 0.7 }));
    expect(Array.from(a.pRec)).toEqual(Array.from(b.pRec));
    expect(Array.from(a.topic)).toEqual(Array.from(b.topic));
    expect(Array.from(a.recCovered)).toEqual(Array.from(b.recCovered));
    // raising the alignment only turns random clusters into aligned ones
    for (let i = 0; i < a.items; i++) if (a.cluster[i] === a.topicCluster[a.topic[i]]) expect(b.cluster[i]).toBe(b.topicCluster[b.topic[i]]);
    const c = buildWorld(resolveConfig({ ...base, popularityAgreement: 0.2 }));
    expect(Array.from(c.pSearch)).toEqual(Array.from(a.pSearch));
    expect(Array.from(c.cluster)).toEqual(Array.from(buildWorld(resolveConfig(base)).cluster));
  });
});
