/**
 * Sweeps across machines without a scheduler of our own: a sweep is a list of jobs, one
 * per (value, seed), in value-major order. `--shard i/n` trains job j when j mod n = i − 1
 * and keeps each job's whole run (cli/batch.ts writes the shard file, in the one format
 * every command's shards share); `--merge` joins the shards' runs back into points,
 * exactly as the whole sweep assembles them, and says whether any job is missing.
 */
import { ConfigError, type Config, type ConfigKey } from '../core/config';
import { assembleReport } from '../run/experiment';
import type { RunReport } from '../core/report';
import { pointConfig, pointFromReport, SWEEP_SCHEMA, trendsOf, type Sweep, type Value as SweepValue } from './sweep';

/** The runner's own shard files as earlier versions wrote them (read, never written: cli/batch.ts writes one format). */
export const LEGACY_SWEEP_SHARD_SCHEMA = 'bridge-lab/sweep-shard@1';
type Value = SweepValue;

export interface SweepJob { value: Value; seed: number }

/** The sweep a runner shard is a share of. */
export interface SweepOfShard {
  experiment: string | null;
  key: ConfigKey;
  values: Value[];
  config: Config;
  /** The catalogue's name where the sweep trains on files (`--data DIR`: the folder's name). */
  data?: string;
  seeds: number[];
}

/** A shard read as its sweep's: which share of which sweep, and its finished (value, seed) jobs. */
export interface SweepShard extends SweepOfShard {
  shard: { index: number; count: number };
  /** The shard's finished jobs, each with its seed's whole run. */
  runs: (SweepJob & { run: RunReport })[];
}

/** Parses `i/n` (1 ≤ i ≤ n ≤ 1000). */
/**
 * `--shard i/n`, or `--shard auto`: the index and count from the job-array engine the
 * command runs under (shardFromEnvironment).
 */
export function parseShard(text: string, env: Record<string, string | undefined> = {}): { index: number; count: number } {
  if (text === 'auto') return shardFromEnvironment(env);
  const m = /^(\d+)\/(\d+)$/.exec(text);
  const index = m ? Number(m[1]) : NaN, count = m ? Number(m[2]) : NaN;
  if (!m || count < 1 || count > 1000 || index < 1 || index > count) {
    throw new ConfigError(`--shard ${JSON.stringify(text)} is not allowed: give i/n with 1 ≤ i ≤ n ≤ 1000, e.g. --shard 2/3, or auto`);
  }
  return { index, count };
}

/** The job-array variables `--shard auto` reads, engine by engine, in the order it tries them. */
export const SHARD_ENGINES = [
  'Slurm: SLURM_ARRAY_TASK_ID with SLURM_ARRAY_TASK_COUNT, or with SLURM_ARRAY_TASK_MIN and SLURM_ARRAY_TASK_MAX (and SLURM_ARRAY_TASK_STEP)',
  'Kubernetes Indexed Job: JOB_COMPLETION_INDEX (from 0) with BRIDGE_SHARD_COUNT (the Job\'s completions)',
  'GitLab CI parallel: CI_NODE_INDEX with CI_NODE_TOTAL',
  'any other (a CI matrix): BRIDGE_SHARD_INDEX (from 1) with BRIDGE_SHARD_COUNT',
];

/** This task's shard, from the first job-array engine whose variables are set (SHARD_ENGINES). */
export function shardFromEnvironment(env: Record<string, string | undefined>): { index: number; count: number } {
  const int = (name: string): number | null => {
    const v = env[name];
    if (v === undefined || v === '') return null;
    if (!/^\d+$/.test(v)) throw new ConfigError(`--shard auto: ${name}=${JSON.stringify(v)} is not a whole number`);
    return Number(v);
  };
  const checked = (index: number, count: number, from: string) => {
    if (count < 1 || count > 1000 || index < 1 || index > count) throw new ConfigError(`--shard auto: ${from} gives shard ${index} of ${count}, which is not a shard (1 ≤ i ≤ n ≤ 1000)`);
    return { index, count };
  };
  const id = int('SLURM_ARRAY_TASK_ID');
  if (id !== null) {
    const total = int('SLURM_ARRAY_TASK_COUNT'), min = int('SLURM_ARRAY_TASK_MIN'), max = int('SLURM_ARRAY_TASK_MAX'), step = int('SLURM_ARRAY_TASK_STEP') ?? 1;
    if (min !== null && max !== null) {
      if (step < 1 || (id - min) % step) throw new ConfigError(`--shard auto: SLURM_ARRAY_TASK_ID=${id} is not on the array ${min}-${max}:${step}`);
      return checked((id - min) / step + 1, Math.floor((max - min) / step) + 1, 'Slurm');
    }
    if (total !== null) return checked(id + 1 - (min ?? 0), total, 'Slurm (an array from 0; give SLURM_ARRAY_TASK_MIN/MAX for another start)');
    throw new ConfigError('--shard auto: SLURM_ARRAY_TASK_ID is set but neither SLURM_ARRAY_TASK_COUNT nor SLURM_ARRAY_TASK_MIN/MAX is: run it from sbatch --array');
  }
  const k8s = int('JOB_COMPLETION_INDEX');
  if (k8s !== null) {
    const count = int('BRIDGE_SHARD_COUNT');
    if (count === null) throw new ConfigError('--shard auto: JOB_COMPLETION_INDEX is set (a Kubernetes Indexed Job); set BRIDGE_SHARD_COUNT to the Job\'s completions');
    return checked(k8s + 1, count, 'Kubernetes');
  }
  const node = int('CI_NODE_INDEX'), nodes = int('CI_NODE_TOTAL');
  if (node !== null && nodes !== null) return checked(node, nodes, 'GitLab CI');
  const index = int('BRIDGE_SHARD_INDEX'), count = int('BRIDGE_SHARD_COUNT');
  if (index !== null && count !== null) return checked(index, count, 'BRIDGE_SHARD_INDEX/COUNT');
  throw new ConfigError(`--shard auto: no job-array variables are set. It reads, in this order: ${SHARD_ENGINES.join('; ')}. Or give --shard i/n.`);
}

export function sweepJobs(values: Value[], seeds: number[]): SweepJob[] {
  return values.flatMap((value) => seeds.map((seed) => ({ value, seed })));
}

/** Shard `index` of `count`'s share of a job list (1-based; job j when j mod count = index − 1): disjoint, and together all of them. */
export function shareOf<J>(jobs: J[], shard: { index: number; count: number }): J[] {
  return jobs.filter((_, j) => j % shard.count === shard.index - 1);
}

/** The jobs of a sweep's shard `index` of `count`. */
export function shardJobs(values: Value[], seeds: number[], index: number, count: number): SweepJob[] {
  return shareOf(sweepJobs(values, seeds), { index, count });
}

/** A sweep shard checked for its structure (a legacy file, or one read through cli/batch.ts); a refusal names the file and what is wrong. */
export function validShard(file: string, x: unknown): SweepShard {
  const s = x as SweepShard;
  const bad = (why: string) => new ConfigError(`${file}: not a sweep shard (${why})`);
  if (!s || typeof s !== 'object' || Array.isArray(s)) throw bad('expected a JSON object');
  if (!Array.isArray(s.values) || !Array.isArray(s.seeds) || !Array.isArray(s.runs) || !s.config || typeof s.key !== 'string') throw bad('key, values, seeds, config or runs missing');
  const sh = s.shard;
  if (!sh || !Number.isInteger(sh.count) || !Number.isInteger(sh.index) || sh.count < 1 || sh.index < 1 || sh.index > sh.count) throw bad(`shard ${JSON.stringify(sh)} is not i/n with 1 ≤ i ≤ n`);
  const mine = new Set(shardJobs(s.values, s.seeds, sh.index, sh.count).map((j) => `${String(j.value)}|${j.seed}`));
  for (const r of s.runs) {
    if (!r || !r.run || !mine.has(`${String(r.value)}|${r.seed}`)) throw bad(`it holds a run (${s.key}=${String(r?.value)}, seed ${r?.seed}) that is not a job of shard ${sh.index}/${sh.count}`);
  }
  return s;
}

export const sameSweep = (a: SweepShard, b: SweepShard) =>
  a.key === b.key && a.experiment === b.experiment && a.data === b.data && JSON.stringify(a.values) === JSON.stringify(b.values) &&
  JSON.stringify(a.seeds) === JSON.stringify(b.seeds) && JSON.stringify(a.config) === JSON.stringify(b.config) && a.shard.count === b.shard.count;

/**
 * Joins shards into the sweep the whole run gives. Shards of different sweeps, or one
 * shard given twice, are refused. Missing jobs leave their points out, and the sweep
 * says `complete: false` and lists them in `missing`.
 */
export function mergeShards(shards: { name: string; shard: SweepShard }[]): Sweep & { missing: SweepJob[] } {
  if (!shards.length) throw new ConfigError('--merge needs at least one shard folder');
  const first = shards[0].shard;
  const seen = new Map<number, string>();
  for (const { name, shard } of shards) {
    if (!sameSweep(first, shard)) throw new ConfigError(`${name} is a shard of a different sweep than ${shards[0].name} (key, values, seeds, settings and shard count must match)`);
    if (seen.has(shard.shard.index)) throw new ConfigError(`${name} and ${seen.get(shard.shard.index)} are both shard ${shard.shard.index}/${shard.shard.count}`);
    seen.set(shard.shard.index, name);
  }
  const byJob = new Map<string, RunReport>();
  for (const { shard } of shards) for (const r of shard.runs) byJob.set(`${String(r.value)}|${r.seed}`, r.run);
  const sweep: Sweep & { missing: SweepJob[] } = {
    schema: SWEEP_SCHEMA, experiment: first.experiment, key: first.key, values: first.values, config: first.config, seeds: first.seeds,
    points: [], complete: false, stopped: false, createdAt: new Date().toISOString(), missing: [],
  };
  for (const value of first.values) {
    const runs = first.seeds.map((seed) => byJob.get(`${String(value)}|${seed}`));
    first.seeds.forEach((seed, i) => { if (!runs[i]) sweep.missing.push({ value, seed }); });
    if (runs.every(Boolean)) sweep.points.push(pointFromReport(value, assembleReport(pointConfig(first.config, first.key, value, first.experiment), runs as RunReport[], false)));
  }
  sweep.trends = trendsOf(sweep);
  sweep.complete = sweep.missing.length === 0;
  sweep.stopped = !sweep.complete;
  return sweep;
}
