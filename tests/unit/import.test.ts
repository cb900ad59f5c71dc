/** Catalogues given as files: CSV edge cases, splits, refused files, and the round trip of an exported world. */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseCsv } from '../../src/engine/data/csv';
import { exportWorld } from '../../src/engine/data/export';
import { importData, tokenize, type DataFiles } from '../../src/engine/data/import';
import { importedSeedData, kMeans, MAX_CF_GROUPS } from '../../src/engine/data/seed-data';
import { buildDataset } from '../../src/engine/sim/examples';
import { buildWorld } from '../../src/engine/sim/world';
import { Rng } from '../../src/engine/core/rng';
import { tinyConfig } from './helpers';

const opts = { vocabSize: 1000, queryLength: 3, historyLength: 3, seed: 1 };

/** A small hand-made catalogue: 4 items, 20 queries, sessions of several lengths. */
function files(over: Partial<DataFiles> = {}): DataFiles {
  const queries = ['query,item_id', ...Array.from({ length: 20 }, (_, i) => `"jazz, late night ${i % 3}",${['a', 'b', 'c', 'd'][i % 4]}`)].join('\r\n');
  return {
    items: 'item_id,text,category,ignored\na,"Late night jazz, vol. 1",jazz,x\nb,"Morning ""rock""",rock,x\nc,"Jazz\nstandards",jazz,x\nd,Rock anthems,rock,x\n',
    queries,
    sessions: 'session_id,item_id,timestamp\ns1,c,3\ns1,a,1\ns1,b,2\ns1,d,4\ns2,a,5\ns2,b,6\ns2,c,7\ns3,d,1\n',
    ...over,
  };
}

describe('importing a catalogue', () => {
  it('reads RFC 4180 CSV: quoted commas, doubled quotes, line breaks in fields, CRLF, other columns ignored', () => {
    const rows = parseCsv('items.csv', files().items, ['item_id', 'text']);
    expect(rows.map((r) => r.values.text)).toEqual(['Late night jazz, vol. 1', 'Morning "rock"', 'Jazz\nstandards', 'Rock anthems']);
    expect(rows.map((r) => r.line)).toEqual([2, 3, 4, 6]);
    expect(tokenize('Late-night JAZZ, vol. 1 — Café')).toEqual(['late', 'night', 'jazz', 'vol', '1', 'café']);
  });

  it('splits queries 80/10/10 (seeded) and sessions leave-last-out in timestamp order; short sessions are dropped and counted', () => {
    const d = importData('hand', files(), opts);
    expect(d.counts.search).toEqual({ train: 16, val: 2, test: 2 });
    expect(importData('hand', files(), opts).data.searchTest.target).toEqual(d.data.searchTest.target);
    // s1 ordered by time: a b c d → test (a b c → d), val (a b → c), train (a → b); s2: a b c → test (a b → c), val (a → b); s3 dropped.
    expect(d.dropped.shortSessions).toBe(1);
    expect(d.counts.rec).toEqual({ train: 1, val: 2, test: 2 });
    const id = (x: string) => d.itemIds.indexOf(x);
    expect(Array.from(d.data.recTest.target)).toEqual([id('d'), id('c')]);
    expect(Array.from(d.data.recTest.history.subarray(0, 3))).toEqual([id('a'), id('b'), id('c')]);
    expect(Array.from(d.data.recTrain.history)).toEqual([id('a'), -1, -1]);
    expect(Array.from(d.data.recTrain.target)).toEqual([id('b')]);
    expect(d.categories).toEqual(['jazz', 'rock']);
    expect(d.vocab[0]).toBe('<unk>');
    expect(importData('hand', files(), { ...opts, vocabSize: 3 }).vocab.length).toBe(3);
  });

  it.each([
    [{ items: 'item_id,title\na,x\n' }, /^items\.csv:1: the header row lacks the column text/],
    [{ items: 'item_id,text\na,x\na,y\n' }, /^items\.csv:3: item_id "a" appears twice \(first on line 2\)/],
    [{ queries: 'query,item_id\nx,a\nx,b\nx,a\nx,a\nx,a\ny,zzz\n' }, /^queries\.csv:7: unknown item_id "zzz" \(not in items\.csv\)/],
    [{ sessions: 'session_id,item_id\ns,a\ns,q\n' }, /^sessions\.csv:3: unknown item_id "q"/],
    [{ sessions: '' }, /^sessions\.csv: the file is empty/],
    [{ queries: 'query,item_id\n"open quote,a\n' }, /^queries\.csv:2: cannot be parsed: Quoted field unterminated/],
    [{ sessions: 'session_id,item_id,timestamp\ns,a,yesterday-ish\n' }, /^sessions\.csv:2: timestamp "yesterday-ish" is neither a number nor a date/],
    [{ items: 'item_id,text\na,x\nb\n' }, /^items\.csv:3: has 1 field, the header has 2/],
    [{ items: 'item_id,text,text\na,x,y\n' }, /^items\.csv:1: the header row names the column text more than once/],
    [{ sessions: 'session_id,item_id,timestamp\ns1,a,1\ns1,b,2023-01-01\n' }, /^sessions\.csv:3: timestamp "2023-01-01" is a date, but line 2's is a number: use one kind/],
    [{ sessions: 'session_id,item_id,split\ns1,a,train\ns1,b,test\ns2,c,train\ns2,d,train\n' }, /^sessions\.csv:3: split "test" differs from "train" on line 2 of the same session/],
    [{ sessions: 'session_id,item_id\ns1,a\ns1,b\ns1,c\ns2,d\ns2,a\ns2,b\n' }, /^sessions\.csv: yields no training sessions: .*sessions need at least 4 items/],
    [{ queries: ['query,item_id,split', ...Array.from({ length: 10 }, (_, i) => `q ${i},a,${i % 2 ? 'train' : 'test'}`)].join('\n') }, /^queries\.csv: yields no validation queries .*its split column has no "val" rows/],
  ])('refuses a bad file with file:line: problem (%#)', (over, message) => {
    expect(() => importData('bad', files(over), opts)).toThrow(message);
  });

  it('measures the share of word tokens outside the vocabulary, in item texts and in each split of queries', () => {
    // Items: late night jazz vol 1 · morning rock · jazz standards · rock anthems (11 tokens); queries: jazz late night 0|1|2.
    const small = importData('hand', files(), { ...opts, vocabSize: 4 }).counts.outOfVocabulary; // keeps jazz, late, night
    expect(small.itemTexts).toBeCloseTo(7 / 11, 10);
    for (const split of ['train', 'val', 'test'] as const) expect(small.queries[split]).toBeCloseTo(1 / 4, 10);
    const all = importData('hand', files(), opts).counts.outOfVocabulary;
    expect(all).toEqual({ itemTexts: 0, queries: { train: 0, val: 0, test: 0 }, distinctWords: small.distinctWords });
    expect(small.distinctWords).toBe(11); // 9 distinct words of item texts, plus 0 and 2 from queries ("1" is in both)
  });

  it('subsamples the training data per seed for real-data studies: whole users, training queries, items with queries; evaluation sets whole', () => {
    const world = exportWorld(tinyConfig({ items: 60, recTrain: 600, searchTrain: 500 }));
    const d = importData('w', world, { ...opts, vocabSize: 5000 });
    const all = importedSeedData(d, 3);
    expect(all.data).toBe(d.data);
    const half = importedSeedData(d, 3, { dataRecUsers: 0.5, dataSearchQueries: 0.4, dataSearchItems: 1 });
    // Whole users: the kept examples are exactly those of some set of sessions, in order.
    const kept = half.data.recTrain.count;
    const bySession = new Map<number, number[]>();
    d.recTrainSession.forEach((s, r) => bySession.set(s, [...(bySession.get(s) ?? []), r]));
    let at = 0;
    for (const rows of bySession.values()) {
      if (at < kept && half.data.recTrain.target[at] === d.data.recTrain.target[rows[0]] && rows.every((r, j) => half.data.recTrain.target[at + j] === d.data.recTrain.target[r])) at += rows.length;
    }
    expect(at).toBe(kept);
    expect(kept).toBeGreaterThan(0.3 * d.data.recTrain.count);
    expect(kept).toBeLessThan(0.7 * d.data.recTrain.count);
    expect(half.data.searchTrain.count).toBe(Math.round(0.4 * d.data.searchTrain.count));
    expect(half.data.recTest).toBe(d.data.recTest);
    expect(half.data.searchVal).toBe(d.data.searchVal);
    expect(half.dataStats.trainExamples).toEqual({ search: half.data.searchTrain.count, rec: kept });
    // Drawn per seed, the same for the same seed.
    expect(importedSeedData(d, 3, { dataRecUsers: 0.5, dataSearchQueries: 0.4, dataSearchItems: 1 }).data.recTrain.target).toEqual(half.data.recTrain.target);
    expect(importedSeedData(d, 4, { dataRecUsers: 0.5, dataSearchQueries: 0.4, dataSearchItems: 1 }).data.recTrain.target).not.toEqual(half.data.recTrain.target);
    // Items with training queries: the others are cold for search.
    const items = importedSeedData(d, 3, { dataRecUsers: 1, dataSearchQueries: 1, dataSearchItems: 0.25 });
    expect(new Set(items.data.searchTrain.target).size).toBeLessThanOrEqual(Math.round(0.25 * 60));
    expect(items.dataStats.coverage.search).toBeLessThanOrEqual(0.25);
  });

  it('holds imported catalogues to the limits simulated worlds meet', () => {
    const n = 20001;
    const items = ['item_id,text', ...Array.from({ length: n }, (_, i) => `i${i},word${i}`)].join('\n');
    expect(() => importData('big', files({ items }), opts)).toThrow(/^items\.csv: has 20,001 items, more than the 20,000/);
    const wordy = ['item_id,text', ...Array.from({ length: 2000 }, (_, i) => `i${i},${Array.from({ length: 50 }, (_, j) => `w${i}x${j}`).join(' ')}`)].join('\n');
    const q = ['query,item_id', ...Array.from({ length: 40 }, (_, i) => `w${i}x0,i${i}`)].join('\n');
    const sess = ['session_id,item_id', ...Array.from({ length: 40 }, (_, i) => `s${i % 5},i${i}`)].join('\n');
    expect(() => importData('wordy', { items: wordy, queries: q, sessions: sess }, { ...opts, vocabSize: 1_000_000 })).toThrow(/^items\.csv: the vocabulary would hold 102,001 tokens .*lower --set vocabSize to at most 98,000/);
  });

  it('an exported simulated world imports to the same examples', () => {
    const cfg = tinyConfig();
    const w = buildWorld(cfg), sim = buildDataset(w, cfg);
    const d = importData('exported', exportWorld(cfg), { vocabSize: 100000, queryLength: cfg.queryLength, historyLength: cfg.historyLength, seed: 9 });
    expect(d.items).toBe(w.items);
    expect(d.itemIds.slice(0, 3)).toEqual(['i0', 'i1', 'i2']);
    expect(Array.from(d.category, (c) => d.categories[c])).toEqual(Array.from(w.topic, (t) => `topic${t}`));
    const simWord = (imported: number) => (imported < 0 ? -1 : Number(d.vocab[imported].slice(1)));
    for (const s of ['searchTrain', 'searchVal', 'searchTest'] as const) {
      expect(Array.from(d.data[s].target), s).toEqual(Array.from(sim[s].target));
      expect(Array.from(d.data[s].words, simWord), s).toEqual(Array.from(sim[s].words));
    }
    for (const s of ['recTrain', 'recVal', 'recTest'] as const) {
      expect(Array.from(d.data[s].target), s).toEqual(Array.from(sim[s].target));
      expect(Array.from(d.data[s].history), s).toEqual(Array.from(sim[s].history));
    }
  });

  it('a category per item still makes at most MAX_CF_GROUPS co-occurrence groups', () => {
    const n = 400;
    const items = ['item_id,text,category', ...Array.from({ length: n }, (_, i) => `i${i},word${i % 20},cat${i}`)].join('\n');
    const queries = ['query,item_id', ...Array.from({ length: 200 }, (_, q) => `word${q % 20},i${(q * 7) % n}`)].join('\n');
    const sessions = ['session_id,item_id', ...Array.from({ length: 600 }, (_, r) => `s${Math.floor(r / 5)},i${(r * 13) % n}`)].join('\n');
    const d = importData('many-categories', { items, queries, sessions }, opts);
    expect(d.categories.length).toBe(n);
    const sd = importedSeedData(d, 1);
    expect(new Set(Array.from(sd.groups.cluster)).size).toBeLessThanOrEqual(MAX_CF_GROUPS);
    expect(new Set(Array.from(sd.groups.cluster)).size).toBeGreaterThan(1);
    expect(sd.groups.topic).toBe(d.category);
  });

  it('k-means is seeded and separates two clear groups', () => {
    const x = new Float64Array([0, 0, 0.1, 0, 0, 0.1, 5, 5, 5.1, 5, 5, 5.1]);
    const a = kMeans(x, 6, 2, 2, new Rng(3, 'k'));
    expect(Array.from(kMeans(x, 6, 2, 2, new Rng(3, 'k')))).toEqual(Array.from(a));
    expect(new Set(a.slice(0, 3)).size).toBe(1);
    expect(new Set(a.slice(3)).size).toBe(1);
    expect(a[0]).not.toBe(a[3]);
  });
});

describe('the runner on files', () => {
  const tsx = join(process.cwd(), 'node_modules/.bin/tsx');
  const run = (args: string[]) => {
    const r = spawnSync(tsx, ['src/cli/experiment.ts', ...args], { encoding: 'utf8', timeout: 180000 });
    return { code: r.status, out: r.stdout, err: r.stderr };
  };
  const tinySets = ['--set', 'items=40', '--set', 'topics=4', '--set', 'cfClusters=4', '--set', 'wordsPerTopic=6', '--set', 'titleWordsPerItem=1',
    '--set', 'searchTrain=600', '--set', 'recTrain=400', '--set', 'searchTest=200', '--set', 'recTest=200'];

  it('exports a world and trains the three models on it, with config.data and no oracle', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bl-data-'));
    const exp = run(['--export-world', join(dir, 'world'), ...tinySets]);
    expect(exp.code, exp.err).toBe(0);
    const r = run(['--data', join(dir, 'world'), '--set', 'dim=16', '--set', 'heads=2', '--set', 'epochs=3', '--set', 'batchSize=64', '--out', join(dir, 'out'), '--quiet']);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/Data world: 40 items/);
    const report = JSON.parse(readFileSync(join(dir, 'out', 'report.json'), 'utf8'));
    expect(report.config.data.counts.items).toBe(40);
    expect(report.config.data.dropped).toEqual({ shortSessions: 0, emptyQueries: 0 });
    expect(report.config).not.toHaveProperty('recCoverage');
    expect(report.runs[0].baselines.oracle).toBeNull();
    expect(Object.keys(report.runs[0].models).sort()).toEqual(['joint', 'rec', 'search']);
    // Imported data's own default: indexing examples, 8 per item with words, unless --set gives it.
    expect(report.config.indexing).toBe(8);
    expect(report.runs[0].indexingExamples).toBe(8 * 40);
    // Seeds on two threads give the report of one thread, field by field (but for timings).
    const seeds = (jobs: string) => {
      const out = join(dir, `jobs${jobs}`);
      const s = run(['--data', join(dir, 'world'), '--set', 'dim=8', '--set', 'heads=1', '--set', 'epochs=2', '--set', 'indexing=0', '--seeds', '2', '--jobs', jobs, '--out', out, '--quiet']);
      expect(s.code, s.err).toBe(0);
      return JSON.stringify(JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')), (k, v) => (['trainSeconds', 'evalSeconds', 'createdAt', 'command'].includes(k) ? 0 : v));
    };
    const one = seeds('1');
    expect(JSON.parse(one).runs.map((x: { indexingExamples?: number }) => x.indexingExamples)).toEqual([undefined, undefined]);
    expect(seeds('2')).toBe(one);
  });

  it('refuses a queries.csv naming an unknown item on line 7: file and line, exit 2, no report', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bl-bad-'));
    const f = files({ queries: 'query,item_id\nx,a\nx,b\nx,a\nx,a\nx,a\ny,zzz\n' });
    mkdirSync(join(dir, 'in'));
    writeFileSync(join(dir, 'in', 'items.csv'), f.items);
    writeFileSync(join(dir, 'in', 'queries.csv'), f.queries);
    writeFileSync(join(dir, 'in', 'sessions.csv'), f.sessions);
    const r = run(['--data', join(dir, 'in'), '--out', join(dir, 'out')]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/queries\.csv:7: unknown item_id "zzz"/);
    expect(existsSync(join(dir, 'out'))).toBe(false);
  });

  it.each([
    [['--set', 'recCoverage=0.5'], /recCoverage is a simulation key/],
    [['--preset', 'classroom'], /does not take --preset/],
  ])('refuses %j with --data', (args, message) => {
    const r = run(['--data', '/nonexistent', ...args]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(message);
  });

  it('names a missing file', () => {
    const r = run(['--data', mkdtempSync(join(tmpdir(), 'bl-empty-'))]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/items\.csv: missing: .* must hold items\.csv, queries\.csv and sessions\.csv/);
  });
});
