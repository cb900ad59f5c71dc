/** npm run findings / lessons as one batch of jobs: shards merged equal the whole batch; a re-queued shard resumes; bad merges are refused. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BATCH_SHARD_SCHEMA, jobKey, mergeBatch, reportFrom, reusedRuns, runBatch, splitMerge, type Job } from '../../src/cli/batch';
import { resolveConfig } from '../../src/engine/core/config';
import type { RunReport } from '../../src/engine/core/report';
import { LESSON_WORLDS, lessonConfig } from '../../src/engine/studies/lessons';
import { LEGACY_SWEEP_SHARD_SCHEMA } from '../../src/engine/studies/shards';

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

  it('reuses runs made before — a stored lesson run, a runner sweep shard, a batch shard — only where their job key is a job here', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bl-reuse-'));
    const run = (seed: number) => ({ seed, models: {} }) as unknown as RunReport;
    const world = LESSON_WORLDS.find((w) => w.id === 'classroom')!;
    const lessonCfg = lessonConfig(world);
    const write = (name: string, x: unknown) => { writeFileSync(join(dir, name), JSON.stringify(x)); return join(dir, name); };
    const lesson = write('lesson.json', { schema: 'bridge-lab/lesson-run@1', world, report: { runs: [run(1), run(2), run(3)] } });
    const sweep = write('sweep-shard.json', { schema: LEGACY_SWEEP_SHARD_SCHEMA, experiment: null, key: 'recTrain', values: [150, 300], config: tiny, seeds: [1, 2], shard: { index: 1, count: 1 }, runs: [{ value: 300, seed: 2, run: run(2) }], complete: false });
    const batch = write('batch-shard.json', { schema: BATCH_SHARD_SCHEMA, command: 'findings', batch: 'x', shard: { index: 1, count: 1 }, jobs: 1, runs: [{ key: `${JSON.stringify({ ...tiny, seed: 0 })}#1`, run: run(1) }], complete: true }); // keyed as an earlier version did: the whole config
    const mine: Job[] = [{ cfg: lessonCfg, seed: 1 }, { cfg: lessonCfg, seed: 2 }, { cfg: { ...tiny, recTrain: 300 }, seed: 2 }, { cfg: tiny, seed: 1 }];
    const logs: string[] = [];
    const reused = reusedRuns([lesson, sweep, batch], mine, (t) => logs.push(t));
    expect([...reused.keys()].sort()).toEqual(mine.map((j) => jobKey(j.cfg, j.seed)).sort());
    expect(logs.join('')).toMatch(/lesson\.json: 2 of its 3 runs are jobs here/);
    // Every job reused: the batch trains nothing and hands the same runs back.
    const store = await runBatch('findings', mine, { threads: 1, log: quiet, reused });
    expect(store.get(jobKey(tiny, 1))).toBe(reused.get(jobKey(tiny, 1)));
    // Another catalogue, other settings, a wrong file: refused, naming why.
    expect(() => reusedRuns([lesson], [{ cfg: lessonCfg, seed: 1, data: { name: 'movielens-small', dir: '.', options: {} as never } }], quiet)).toThrow(/none of its 3 runs is a job of this batch/);
    expect(() => reusedRuns([batch], [{ cfg: { ...tiny, dim: 16 }, seed: 1 }], quiet)).toThrow(/none of its 1 runs/);
    expect(() => reusedRuns([write('other.json', { schema: 'bridge-lab/report@1' })], mine, quiet)).toThrow(/is not one it takes/);
    expect(() => reusedRuns([join(dir, 'absent.json')], mine, quiet)).toThrow(/no such file/);
  });
});
