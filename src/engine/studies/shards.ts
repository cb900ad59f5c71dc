/**
 * Sweeps across machines without a scheduler of our own: a sweep is a list of jobs, one
 * per (value, seed), in value-major order. `--shard i/n` trains job j when j mod n = i − 1
 * and keeps each job's whole run; `--merge` joins the shards' runs back into points,
 * exactly as the whole sweep assembles them, and says whether any job is missing.
 */
import { ConfigError, type Config, type ConfigKey } from '../core/config';
import { assembleReport } from '../run/experiment';
import type { RunReport } from '../core/report';
import { pointConfig, pointFromReport, SWEEP_SCHEMA, trendsOf, type Sweep, type Value as SweepValue } from './sweep';

export const SHARD_SCHEMA = 'bridge-lab/sweep-shard@1';
type Value = SweepValue;

export interface SweepJob { value: Value; seed: number }

export interface SweepShard {
  schema: typeof SHARD_SCHEMA;
  experiment: string | null;
  key: ConfigKey;
  values: Value[];
  config: Config;
  seeds: number[];
  shard: { index: number; count: number };
  /** The shard's finished jobs, each with its seed's whole run. */
  runs: (SweepJob & { run: RunReport })[];
  /** True once every job of this shard has its run. */
  complete: boolean;
  createdAt: string;
}

/** Parses `i/n` (1 ≤ i ≤ n ≤ 1000). */
export function parseShard(text: string): { index: number; count: number } {
  const m = /^(\d+)\/(\d+)$/.exec(text);
  const index = m ? Number(m[1]) : NaN, count = m ? Number(m[2]) : NaN;
  if (!m || count < 1 || count > 1000 || index < 1 || index > count) {
    throw new ConfigError(`--shard ${JSON.stringify(text)} is not allowed: give i/n with 1 ≤ i ≤ n ≤ 1000, e.g. --shard 2/3`);
  }
  return { index, count };
}

export function sweepJobs(values: Value[], seeds: number[]): SweepJob[] {
  return values.flatMap((value) => seeds.map((seed) => ({ value, seed })));
}

/** The jobs of shard `index` of `count` (1-based): disjoint, and together all of them. */
export function shardJobs(values: Value[], seeds: number[], index: number, count: number): SweepJob[] {
  return sweepJobs(values, seeds).filter((_, j) => j % count === index - 1);
}

/** A parsed shard.json checked for its structure; a refusal names the file and what is wrong. */
export function validShard(file: string, x: unknown): SweepShard {
  const s = x as SweepShard;
  const bad = (why: string) => new ConfigError(`${file}: not a sweep shard (${why})`);
  if (!s || typeof s !== 'object' || Array.isArray(s)) throw bad('expected a JSON object');
  if (s.schema !== SHARD_SCHEMA) throw bad(`schema ${JSON.stringify(s.schema)}; expected ${SHARD_SCHEMA}`);
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
  a.key === b.key && a.experiment === b.experiment && JSON.stringify(a.values) === JSON.stringify(b.values) &&
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
    if (shard.schema !== SHARD_SCHEMA) throw new ConfigError(`${name}: not a sweep shard (schema ${JSON.stringify(shard.schema)}; expected ${SHARD_SCHEMA})`);
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
