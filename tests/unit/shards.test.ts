/** Sweeps sharded across machines: three shards, merged, equal the whole sweep point for point. */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseShard, shardJobs, sweepJobs } from '../../src/engine/studies/shards';

const tsx = join(process.cwd(), 'node_modules/.bin/tsx');
const run = (args: string[], env: Record<string, string> = {}) => {
  const r = spawnSync(tsx, ['src/cli/experiment.ts', ...args], { encoding: 'utf8', timeout: 180000, env: { ...process.env, ...env } });
  return { code: r.status, out: r.stdout, err: r.stderr };
};
const tiny = ['--set', 'items=30', '--set', 'topics=3', '--set', 'cfClusters=3', '--set', 'searchTrain=200', '--set', 'searchTest=50',
  '--set', 'recTest=50', '--set', 'epochs=1', '--set', 'dim=8', '--set', 'batchSize=32', '--sweep', 'recTrain=150,300', '--seeds', '2', '--jobs', '1', '--quiet'];
const points = (dir: string) => {
  const s = JSON.parse(readFileSync(join(dir, 'sweep.json'), 'utf8'));
  return { complete: s.complete, points: s.points, trends: s.trends, csv: readFileSync(join(dir, 'sweep.csv'), 'utf8') };
};

describe('sharded sweeps', () => {
  it('splits the (value, seed) jobs into disjoint shares that cover them all', () => {
    const all = sweepJobs([1, 2, 3], [7, 8]).map((j) => `${j.value}/${j.seed}`);
    const shards = [1, 2, 3, 4].map((i) => shardJobs([1, 2, 3], [7, 8], i, 4).map((j) => `${j.value}/${j.seed}`));
    expect(shards.flat().sort()).toEqual([...all].sort());
    expect(new Set(shards.flat()).size).toBe(all.length);
    expect(parseShard('2/3')).toEqual({ index: 2, count: 3 });
    for (const bad of ['0/3', '4/3', '3', 'a/b', '1/0']) expect(() => parseShard(bad)).toThrow(/give i\/n with 1 ≤ i ≤ n/);
  });

  it('--shard auto takes i/n from Slurm, a Kubernetes Indexed Job, GitLab CI or BRIDGE_SHARD_*: every task once, the jobs covered exactly once', () => {
    const n = 4;
    const arrays: ((task: number) => Record<string, string>)[] = [
      (t) => ({ SLURM_ARRAY_TASK_ID: String(t - 1), SLURM_ARRAY_TASK_COUNT: String(n) }), // --array=0-3
      (t) => ({ SLURM_ARRAY_TASK_ID: String(10 + 5 * (t - 1)), SLURM_ARRAY_TASK_MIN: '10', SLURM_ARRAY_TASK_MAX: '25', SLURM_ARRAY_TASK_STEP: '5' }), // --array=10-25:5
      (t) => ({ JOB_COMPLETION_INDEX: String(t - 1), BRIDGE_SHARD_COUNT: String(n) }),
      (t) => ({ CI_NODE_INDEX: String(t), CI_NODE_TOTAL: String(n) }),
      (t) => ({ BRIDGE_SHARD_INDEX: String(t), BRIDGE_SHARD_COUNT: String(n) }),
    ];
    const all = sweepJobs([1, 2, 3], [7, 8, 9]).map((j) => `${j.value}/${j.seed}`);
    for (const envOf of arrays) {
      const shards = [1, 2, 3, 4].map((t) => parseShard('auto', envOf(t)));
      expect(shards).toEqual([1, 2, 3, 4].map((index) => ({ index, count: n })));
      const jobs = shards.flatMap((sh) => shardJobs([1, 2, 3], [7, 8, 9], sh.index, sh.count).map((j) => `${j.value}/${j.seed}`));
      expect(jobs.sort()).toEqual([...all].sort());
    }
    expect(() => parseShard('auto', {})).toThrow(/no job-array variables are set.*SLURM_ARRAY_TASK_ID.*JOB_COMPLETION_INDEX.*BRIDGE_SHARD_INDEX/);
    expect(() => parseShard('auto', { JOB_COMPLETION_INDEX: '0' })).toThrow(/set BRIDGE_SHARD_COUNT/);
    expect(() => parseShard('auto', { SLURM_ARRAY_TASK_ID: '12', SLURM_ARRAY_TASK_MIN: '10', SLURM_ARRAY_TASK_MAX: '25', SLURM_ARRAY_TASK_STEP: '5' })).toThrow(/not on the array 10-25:5/);
    expect(() => parseShard('auto', { BRIDGE_SHARD_INDEX: '5', BRIDGE_SHARD_COUNT: '4' })).toThrow(/shard 5 of 4, which is not a shard/);
  });

  it('three shards merged equal the whole sweep; two of three do not claim to be complete', () => {
    const base = mkdtempSync(join(tmpdir(), 'bl-shards-'));
    const whole = run([...tiny, '--out', join(base, 'whole')]);
    expect(whole.code, whole.err).toBe(0);
    // Shard 1 from a Slurm array 1-3, shard 2 from a Kubernetes Indexed Job of 3, shard 3 given by hand.
    const how: [string, Record<string, string>][] = [
      ['auto', { SLURM_ARRAY_TASK_ID: '1', SLURM_ARRAY_TASK_MIN: '1', SLURM_ARRAY_TASK_MAX: '3' }],
      ['auto', { JOB_COMPLETION_INDEX: '1', BRIDGE_SHARD_COUNT: '3' }],
      ['3/3', {}],
    ];
    for (const i of [1, 2, 3]) {
      const r = run([...tiny, '--shard', how[i - 1][0], '--out', join(base, `s${i}`)], how[i - 1][1]);
      expect(r.code, r.err).toBe(0);
      expect(existsSync(join(base, `s${i}`, 'sweep.json'))).toBe(false);
    }
    const merged = run(['--merge', join(base, 's1'), join(base, 's2'), join(base, 's3'), '--out', join(base, 'merged')]);
    expect(merged.code, merged.err).toBe(0);
    expect(merged.out).toMatch(/merged 3 shard\(s\): 2\/2 points/);
    const a = points(join(base, 'whole')), b = points(join(base, 'merged'));
    expect(b.complete).toBe(true);
    expect(b.points).toEqual(a.points);
    expect(b.csv).toBe(a.csv);
    // Every sweep carries the joint gains' trends along its value, from per-seed values.
    expect(a.trends.map((t: { y: string }) => t.y)).toEqual(['jointGain.rec', 'jointGain.search']);
    for (const t of a.trends) {
      expect(t.seeds).toBe(2);
      expect(t.ci95).toHaveLength(2);
      expect(['rises', 'falls', 'not shown']).toContain(t.verdict);
    }
    expect(b.trends).toEqual(a.trends);
    // One shard format for every command: the runner's names its sweep, keyed by job as the findings' and lessons' are.
    const written = JSON.parse(readFileSync(join(base, 's3', 'shard.json'), 'utf8'));
    expect(written.schema).toBe('bridge-lab/batch-shard@1');
    expect(written.command).toBe('experiment');
    expect(written.sweep).toMatchObject({ key: 'recTrain', values: [150, 300], seeds: [1, 2], experiment: null });
    expect(written.runs.map((r: { key: string }) => r.key.replace(/.*#/, '#'))).toEqual(['#1']);
    // A shard as earlier versions of the runner wrote it still merges.
    const legacy = join(base, 's3-legacy');
    mkdirSync(legacy);
    writeFileSync(join(legacy, 'shard.json'), JSON.stringify({
      schema: 'bridge-lab/sweep-shard@1', ...written.sweep, shard: written.shard, complete: true, createdAt: '2026-01-01T00:00:00.000Z',
      runs: written.runs.map((r: { run: { seed: number } }) => ({ value: 300, seed: r.run.seed, run: r.run })),
    }));
    const mixed = run(['--merge', join(base, 's1'), join(base, 's2'), legacy, '--out', join(base, 'mixed')]);
    expect(mixed.code, mixed.err).toBe(0);
    expect(points(join(base, 'mixed')).points).toEqual(a.points);
    const partial = run(['--merge', join(base, 's1'), join(base, 's3'), '--out', join(base, 'partial')]);
    expect(partial.code).toBe(0);
    expect(partial.out).toMatch(/incomplete \(complete: false\): missing 1 job\(s\): recTrain=150 seed 2/);
    const p = points(join(base, 'partial'));
    expect(p.complete).toBe(false);
    expect(p.points.length).toBe(1);
    expect(p.points[0]).toEqual(a.points[1]);
    const twice = run(['--merge', join(base, 's1'), join(base, 's1'), '--out', join(base, 'twice')]);
    expect(twice.code).toBe(2);
    expect(twice.err).toMatch(/are both shard 1\/3/);
    // A re-queued shard resumes from its own shard.json and repeats no job.
    const again = run([...tiny, '--shard', '1/3', '--out', join(base, 's1')]);
    expect(again.code, again.err).toBe(0);
    expect(again.out).toMatch(/resuming, 2 of 2 job\(s\) already finished/);
    expect(again.out).not.toMatch(/recTrain=\d+, seeds/);
    // Shards whose structure or index is wrong are refused, naming the file.
    const bad = join(base, 'bad');
    mkdirSync(bad);
    writeFileSync(join(bad, 'shard.json'), 'null');
    const nul = run(['--merge', bad, '--out', join(base, 'x')]);
    expect(nul.code).toBe(2);
    expect(nul.err).toMatch(/bad\/shard\.json: not a sweep shard \(expected a JSON object\)/);
    writeFileSync(join(bad, 'shard.json'), JSON.stringify({ ...written, sweep: undefined, command: 'findings' }));
    const findings = run(['--merge', bad, '--out', join(base, 'x')]);
    expect(findings.code).toBe(2);
    expect(findings.err).toMatch(/a shard of npm run findings, not of a runner sweep/);
    const edited = JSON.parse(readFileSync(join(base, 's2', 'shard.json'), 'utf8'));
    edited.shard = { index: 7, count: 2 };
    writeFileSync(join(bad, 'shard.json'), JSON.stringify(edited));
    const seven = run(['--merge', bad, '--out', join(base, 'x')]);
    expect(seven.code).toBe(2);
    expect(seven.err).toMatch(/not a sweep shard \(shard \{"index":7,"count":2\} is not i\/n/);
  }, 300000);

  it.each([
    [['--shard', '4/3', '--sweep', 'recTrain=150,300'], /--shard "4\/3" is not allowed/],
    [['--shard', '1/2'], /--shard splits a sweep/],
    [['--merge', '/nonexistent-dir'], /\/nonexistent-dir: no shard\.json/],
    [['--merge'], /--merge needs the shard folders/],
  ])('refuses %j with a clear message and exit 2', (args, message) => {
    const r = run(args);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(message);
  });
});
