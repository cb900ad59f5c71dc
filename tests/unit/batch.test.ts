/** npm run findings / lessons as one batch of jobs: shards merged equal the whole batch; a re-queued shard resumes; bad merges are refused. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { jobKey, mergeBatch, reportFrom, runBatch, splitMerge, type Job } from '../../src/cli/batch';
import { resolveConfig } from '../../src/engine/core/config';

const tiny = resolveConfig({ items: 30, topics: 3, cfClusters: 3, searchTrain: 200, recTrain: 150, searchTest: 50, recTest: 50, epochs: 1, dim: 8, batchSize: 32 });
const jobs: Job[] = [tiny, { ...tiny, recTrain: 300 }].flatMap((cfg) => [1, 2].map((seed) => ({ cfg, seed })));
const quiet = () => {};

describe('a batch of jobs', () => {
  it('two shards merged give the runs the whole batch gives; a re-queued shard resumes; bad merges are refused', async () => {
    const base = mkdtempSync(join(tmpdir(), 'bl-batch-'));
    const whole = await runBatch('findings', jobs, { threads: 1, log: quiet });
    const logs: string[] = [];
    for (const i of [1, 2]) await runBatch('findings', jobs, { threads: 1, shard: { index: i, count: 2 }, outDir: join(base, `s${i}`), log: (t) => logs.push(t) });
    const merged = mergeBatch('findings', jobs, [join(base, 's1'), join(base, 's2')]);
    for (const j of jobs) {
      const a = whole.get(jobKey(j.cfg, j.seed))!, b = merged.get(jobKey(j.cfg, j.seed))!;
      expect(b.models.joint!.eval.rec).toEqual(a.models.joint!.eval.rec);
    }
    expect(reportFrom(merged, tiny, [1, 2]).summary).toEqual(reportFrom(whole, tiny, [1, 2]).summary);
    // Re-queued: the finished jobs are kept, not trained again.
    await runBatch('findings', jobs, { threads: 1, shard: { index: 1, count: 2 }, outDir: join(base, 's1'), log: (t) => logs.push(t) });
    expect(logs.join('')).toMatch(/resuming, 2 job\(s\) already finished/);
    expect(() => mergeBatch('findings', jobs, [join(base, 's1')])).toThrow(/2 of 4 jobs have no run \(shards not given: 2 of 2\)/);
    expect(() => mergeBatch('findings', jobs, [join(base, 's1'), join(base, 's1')])).toThrow(/are both shard 1\/2/);
    expect(() => mergeBatch('lessons', jobs, [join(base, 's1'), join(base, 's2')])).toThrow(/a shard of another batch/);
    expect(() => mergeBatch('findings', jobs.slice(1), [join(base, 's1'), join(base, 's2')])).toThrow(/a shard of another batch/);
    writeFileSync(join(base, 'shard.json'), 'null');
    expect(() => mergeBatch('findings', jobs, [base])).toThrow(/not a shard of npm run findings or lessons/);
  }, 240000);

  it('takes --merge and its folders out of the arguments', () => {
    expect(splitMerge(['--only', 'x', '--merge', 'a', 'b', '--jobs', '2'])).toEqual({ dirs: ['a', 'b'], rest: ['--only', 'x', '--jobs', '2'] });
    expect(splitMerge(['--only', 'x'])).toEqual({ dirs: null, rest: ['--only', 'x'] });
    expect(() => splitMerge(['--merge', '--jobs', '2'])).toThrow(/--merge needs the shard folders/);
  });
});
