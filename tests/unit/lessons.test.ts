/** The lesson's worlds as `npm run lessons` trains them: a real catalogue's world trains on its shipped files with the imported-data defaults, as a job of the batch. */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { jobKey, runBatch, type Job } from '../../src/cli/batch';
import { resolveConfig } from '../../src/engine/core/config';
import type { RunReport } from '../../src/engine/core/report';
import { exportWorld } from '../../src/engine/data/export';
import { importData } from '../../src/engine/data/import';
import { importedSeedData } from '../../src/engine/data/seed-data';
import { runOnData } from '../../src/engine/run/experiment';
import { quantityOf } from '../../src/engine/studies/lessons';

describe('the lesson\'s real-data world', () => {
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

describe('a lesson quantity', () => {
  it('gives Gen_R+S\'s neighbour agreement minus Gen_R\'s', () => {
    const emb = (content: number, cf: number) => ({ embedding: { contentAgreement: content, cfAgreement: cf } });
    const run = { models: { joint: emb(0.4, 0.1), rec: emb(0.25, 0.12) } } as unknown as RunReport;
    expect(quantityOf({ of: 'agreementDifference', kind: 'content' }, run, 10)).toBeCloseTo(0.15, 12);
    expect(quantityOf({ of: 'agreementDifference', kind: 'cf' }, run, 10)).toBeCloseTo(-0.02, 12);
    expect(quantityOf({ of: 'agreementDifference', kind: 'cf' }, { models: { joint: emb(0.4, 0.1) } } as unknown as RunReport, 10)).toBeNull();
  });
});
