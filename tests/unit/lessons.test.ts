/** The lesson's worlds as `npm run lessons` trains them: a real catalogue's world trains on its shipped files with the imported-data defaults, as a job of the batch. */
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { jobKey, runBatch, type Job } from '../../src/cli/batch';
import { IMPORTED_DEFAULTS, resolveConfig } from '../../src/engine/core/config';
import type { Report, RunReport } from '../../src/engine/core/report';
import { exportWorld } from '../../src/engine/data/export';
import { importData } from '../../src/engine/data/import';
import { importedSeedData } from '../../src/engine/data/seed-data';
import { runOnData } from '../../src/engine/run/experiment';
import { effectResult, LESSON_WORLDS, lessonConfig, quantityOf } from '../../src/engine/studies/lessons';

describe('the lesson\'s real-data world', () => {
  it('is a catalogue shipped with the page, trained with the imported-data defaults and its own overrides', () => {
    const real = LESSON_WORLDS.filter((w) => w.data);
    expect(real.map((w) => w.id)).toEqual(['movielens']);
    for (const w of real) {
      for (const f of ['items.csv', 'queries.csv', 'sessions.csv', 'README.md']) expect(existsSync(join('public/data', w.data!, f)), `${w.data}/${f}`).toBe(true);
      const cfg = lessonConfig(w);
      expect(cfg.indexing).toBe(IMPORTED_DEFAULTS.indexing);
      for (const [k, v] of Object.entries(w.overrides)) expect(cfg[k as keyof typeof cfg]).toBe(v);
    }
    // A simulated world keeps the simulation's defaults.
    expect(lessonConfig(LESSON_WORLDS.find((w) => w.id === 'classroom')!).indexing).toBe(0);
  });

  it('trains as a job of the batch on the job\'s files, the same run as the runner\'s, keyed apart from a simulated job', async () => {
    const cfg = resolveConfig({ items: 30, topics: 3, cfClusters: 3, searchTrain: 150, recTrain: 120, searchTest: 40, recTest: 40, epochs: 1, dim: 8, batchSize: 32, biencoder: false, indexing: 2 });
    const dir = mkdtempSync(join(tmpdir(), 'bl-lesson-data-'));
    mkdirSync(join(dir, 'tiny'));
    const files = exportWorld(cfg);
    for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, 'tiny', `${name}.csv`), text);
    const options = { vocabSize: cfg.vocabSize, queryLength: cfg.queryLength, historyLength: cfg.historyLength, seed: 1 };
    const data = { dir: join(dir, 'tiny'), name: 'tiny', options };
    const jobs: Job[] = [{ cfg, seed: 1, data }, { cfg, seed: 1 }];
    expect(jobKey(cfg, 1, data)).not.toBe(jobKey(cfg, 1));
    const store = await runBatch('lessons', jobs, { threads: 1, log: () => {} });
    const onFiles = store.get(jobKey(cfg, 1, data))!;
    const direct = await runOnData({ ...cfg, seed: 1 }, importedSeedData(importData('tiny', files, options), 1, cfg));
    expect(onFiles.models.joint!.eval).toEqual(direct.models.joint!.eval);
    expect(onFiles.indexingExamples).toBe(direct.indexingExamples);
    // The simulated job of the same config trained its own world.
    expect(store.get(jobKey(cfg, 1))!.models.rec!.eval).not.toEqual(onFiles.models.rec!.eval);
  });
});

describe('a lesson effect of no size ("none")', () => {
  const report = (values: number[]) => ({ config: { k: 10 }, runs: values.map((v, i) => ({ seed: i + 1, models: { rec: { embedding: { contentAgreement: v, cfAgreement: 0 } } } })) }) as unknown as Report;
  const none = { claim: 'x', quantity: { of: 'agreement', model: 'rec', kind: 'content' }, world: 'w', expected: 'none', margin: 0.05 } as const;
  it('is shown only where the 90 % interval lies inside the margin (two one-sided tests), not merely where 0 is not excluded', () => {
    const tight = effectResult(none, { w: report([0.01, -0.005, 0.012, 0.003, -0.002, 0.008, 0.0, 0.004, -0.006, 0.01]) })!;
    expect(tight.verdict).toBe('shown');
    expect(tight.evidence.ci90![0]).toBeGreaterThan(-0.05);
    expect(tight.evidence.ci90![1]).toBeLessThan(0.05);
    // Includes 0 but reaches past the margin: the data cannot tell.
    const wide = effectResult(none, { w: report([0.2, -0.15, 0.1, -0.12, 0.05, 0.18, -0.2, 0.03, 0.09, -0.1]) })!;
    expect(wide.evidence.ci95![0]).toBeLessThan(0);
    expect(wide.evidence.ci95![1]).toBeGreaterThan(0);
    expect(wide.verdict).toBe('not shown');
    const real = effectResult(none, { w: report([0.3, 0.28, 0.31, 0.29, 0.33, 0.27, 0.3, 0.32, 0.29, 0.31]) })!;
    expect(real.verdict).toBe('opposite');
    // Without a margin nothing can show "none".
    expect(effectResult({ ...none, margin: undefined }, { w: report([0.01, -0.005, 0.012, 0.003, -0.002, 0.008, 0.0, 0.004, -0.006, 0.01]) })!.verdict).toBe('not shown');
  });
});

describe('a lesson quantity', () => {
  it('gives Gen_R+S\'s neighbour agreement minus Gen_R\'s', () => {
    const emb = (content: number, cf: number) => ({ embedding: { contentAgreement: content, cfAgreement: cf } });
    const run = { models: { joint: emb(0.4, 0.1), rec: emb(0.25, 0.12) } } as unknown as RunReport;
    expect(quantityOf({ of: 'agreementDifference', kind: 'content' }, run, 10)).toBeCloseTo(0.15, 12);
    expect(quantityOf({ of: 'agreementDifference', kind: 'cf' }, run, 10)).toBeCloseTo(-0.02, 12);
    expect(quantityOf({ of: 'agreementDifference', kind: 'cf' }, { models: { joint: emb(0.4, 0.1) } } as unknown as RunReport, 10)).toBeNull();
  });
});
