/**
 * A batch of (config, seed) jobs for `npm run findings`, `npm run lessons` and the
 * runner's sweeps: every job runs on the thread pool at once (not point by point), and the
 * batch can be split over machines. `--shard i/n --out DIR` runs job j when j mod n = i − 1
 * and writes DIR/shard.json after each job (a re-queued shard keeps what it finished), in
 * one format for every command (a runner sweep's shard also names its sweep, so that its
 * `--merge` needs only the folders); `--merge DIR...` joins the shards and refuses shards of
 * another batch, a shard given twice, or a batch with jobs missing, naming them.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, defaultConfig, type Config } from '../engine/core/config';
import { assembleReport } from '../engine/run/experiment';
import type { Report, RunReport } from '../engine/core/report';
import { SeedPool, type OnEvent } from './pool';
import type { DataSource } from './seed-worker';
import { lessonConfig, type StoredLessonRun } from '../engine/studies/lessons';
import { LEGACY_SWEEP_SHARD_SCHEMA, shareOf, sweepJobs, validShard, type SweepOfShard, type SweepShard } from '../engine/studies/shards';
import { pointConfig } from '../engine/studies/sweep';

export const BATCH_SHARD_SCHEMA = 'bridge-lab/batch-shard@1';

export interface Job {
  cfg: Config;
  seed: number;
  /** A catalogue given as files to train on instead of the simulated world. */
  data?: DataSource;
}

/**
 * A job's identity: the settings where its config differs from the defaults (sorted, the
 * seed aside), the catalogue's name where it trains on files, and the seed. A setting added
 * later, at its default, leaves every earlier job's key as it was.
 */
let defaults: Record<string, unknown> | null = null;
export function jobKey(cfg: Config, seed: number, data?: Pick<DataSource, 'name'>): string {
  const d = (defaults ??= defaultConfig() as unknown as Record<string, unknown>);
  const c = cfg as unknown as Record<string, unknown>;
  const changed = Object.keys(c).filter((k) => k !== 'seed' && JSON.stringify(c[k]) !== JSON.stringify(d[k])).sort();
  return `${JSON.stringify(Object.fromEntries(changed.map((k) => [k, c[k]])))}${data ? `@${data.name}` : ''}#${seed}`;
}

/** A key as jobKey writes it now, from one written by this or an earlier version (which kept the whole config). */
function currentKey(key: string): string {
  const m = /^(\{.*\})(?:@([^#]*))?#(\d+)$/.exec(key);
  if (!m) throw new ConfigError(`a run's key ${JSON.stringify(key.slice(0, 80))} is not a job key`);
  const cfg = { ...defaultConfig(), ...(JSON.parse(m[1]) as Partial<Config>) } as Config;
  return jobKey(cfg, Number(m[3]), m[2] !== undefined ? { name: m[2] } : undefined);
}

/** DIR/shard.json, as every command that shards writes it. */
export interface BatchShard {
  schema: typeof BATCH_SHARD_SCHEMA;
  command: string;
  /** Identifies the batch: the same jobs in the same order. */
  batch: string;
  shard: { index: number; count: number };
  jobs: number;
  runs: { key: string; run: RunReport }[];
  complete: boolean;
  /** A runner sweep's shard: the sweep it is a share of. */
  sweep?: SweepOfShard;
}

/** What identifies a job: its config, seed and catalogue. */
type Keyed = Pick<Job, 'cfg' | 'seed'> & { data?: Pick<DataSource, 'name'> };

function batchId(jobs: Keyed[]): string {
  // FNV-1a over the job keys: shards of one batch agree, shards of another do not.
  let h = 0x811c9dc5;
  for (const j of jobs) for (const ch of jobKey(j.cfg, j.seed, j.data)) h = Math.imul(h ^ ch.charCodeAt(0), 0x01000193) >>> 0;
  return `${jobs.length}-${h.toString(16)}`;
}

/** Writes `file` whole or not at all (a temporary file, then a rename). */
export function writeAtomic(file: string, text: string): void {
  writeFileSync(`${file}.tmp`, text);
  renameSync(`${file}.tmp`, file);
}

/** The finished runs, by job key. */
export type RunStore = Map<string, RunReport>;

/** The report of `cfg` at `seeds`, from the store (every job must be there). */
export function reportFrom(store: RunStore, cfg: Config, seeds: number[], data?: DataSource): Report {
  const runs = seeds.map((s) => store.get(jobKey(cfg, s, data)));
  const missing = seeds.filter((_, i) => !runs[i]);
  if (missing.length) throw new ConfigError(`no run for seeds ${missing.join(', ')} of a job (the batch is incomplete)`);
  return assembleReport(cfg, runs as RunReport[], false);
}

/** Distinct jobs, in the order given. */
export function uniqueJobs<J extends Keyed>(jobs: J[]): J[] {
  const seen = new Set<string>();
  return jobs.filter((j) => {
    const k = jobKey(j.cfg, j.seed, j.data);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/**
 * The CLI's one job loop: one lane per thread of the pool, each taking the next job and handing it to its thread
 * (seed-worker.ts: runSeed, or runOnData on a catalogue given as files). `onRun` sees each job's run as it
 * finishes; `shouldStop` ends every lane before its next job. A plain run's seeds, a sweep point's seeds, and
 * the findings' and lessons' batches all go through it.
 */
export async function runJobs(pool: SeedPool, jobs: Job[], opts: { onRun: (job: Job, run: RunReport) => void; onEvent?: OnEvent; shouldStop?: () => boolean }): Promise<void> {
  const queue = [...jobs];
  const lane = async (i: number) => {
    for (let j = queue.shift(); j && !opts.shouldStop?.(); j = queue.shift()) {
      opts.onEvent?.(j.seed, { type: 'world', seed: j.seed });
      opts.onRun(j, await pool.runOn(i, { ...j.cfg, seed: j.seed }, j.data, opts.onEvent));
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(pool.threads, jobs.length)) }, (_, i) => lane(i)));
}

/**
 * A shard's DIR/shard.json: the runs it has finished, saved whole after each job. Opened on
 * a file that holds the same shard of the same batch, it resumes from the runs there; on
 * another batch's or shard's file it refuses.
 */
export class ShardFile {
  readonly file: string;
  /** The finished runs, by job key (those of the file it resumed from first). */
  readonly store: RunStore = new Map();
  /** How many runs it resumed from. */
  readonly resumed: number;
  private readonly saved: BatchShard;

  constructor(dir: string, command: string, all: Keyed[], shard: { index: number; count: number }, sweep?: SweepOfShard) {
    const jobs = uniqueJobs(all);
    const batch = batchId(jobs);
    mkdirSync(dir, { recursive: true });
    this.file = join(dir, 'shard.json');
    this.saved = { schema: BATCH_SHARD_SCHEMA, command, batch, shard, jobs: shareOf(jobs, shard).length, runs: [], complete: false, ...(sweep ? { sweep } : {}) };
    if (existsSync(this.file)) {
      const old = readShard(this.file);
      if (old.batch !== batch || old.command !== command || old.shard.index !== shard.index || old.shard.count !== shard.count) {
        throw new ConfigError(`${this.file} holds shard ${old.shard.index}/${old.shard.count} of another batch (${old.command}); give an empty --out folder, or the same command, settings and shard`);
      }
      for (const r of old.runs) this.add(r.key, r.run, false);
    }
    this.resumed = this.store.size;
    this.write();
  }

  /** Keeps a finished job's run and saves the file. */
  add(key: string, run: RunReport, save = true): void {
    if (!this.store.has(key)) this.saved.runs.push({ key, run });
    this.store.set(key, run);
    if (save) this.write();
  }

  private write(): void {
    this.saved.complete = this.saved.runs.length >= this.saved.jobs;
    writeAtomic(this.file, JSON.stringify(this.saved));
  }
}

/**
 * Runs the jobs (or shard `shard` of them) on `threads` worker threads. With a shard, each
 * finished job is saved to DIR/shard.json at once, and one already there is kept.
 */
export async function runBatch(command: string, all: Job[], opts: { threads: number; shard?: { index: number; count: number }; outDir?: string; log: (s: string) => void; shouldStop?: () => boolean; reused?: RunStore }): Promise<RunStore> {
  const jobs = uniqueJobs(all);
  const mine = opts.shard ? shareOf(jobs, opts.shard) : jobs;
  const store: RunStore = new Map(opts.reused);
  const shardFile = opts.shard ? new ShardFile(opts.outDir ?? 'out', command, jobs, opts.shard) : null;
  if (shardFile) {
    for (const [key, run] of shardFile.store) store.set(key, run);
    if (shardFile.resumed) opts.log(`${shardFile.file}: resuming, ${shardFile.resumed} job(s) already finished\n`);
    // Runs reused from other files are this shard's too.
    for (const j of mine) { const key = jobKey(j.cfg, j.seed, j.data); const run = opts.reused?.get(key); if (run && !shardFile.store.has(key)) shardFile.add(key, run); }
  }
  const todo = mine.filter((j) => !store.has(jobKey(j.cfg, j.seed, j.data)));
  const pool = new SeedPool(opts.threads, 'wasm');
  let done = mine.length - todo.length;
  const t0 = performance.now();
  try {
    await runJobs(pool, todo, {
      shouldStop: opts.shouldStop,
      onRun: (j, run) => {
        const key = jobKey(j.cfg, j.seed, j.data);
        store.set(key, run);
        shardFile?.add(key, run);
        done++;
        opts.log(`\r${done}/${mine.length} jobs · ${((performance.now() - t0) / 1000).toFixed(0)} s   `);
      },
    });
  } finally {
    await pool.close();
  }
  opts.log('\n');
  return store;
}

function readShard(file: string): BatchShard {
  let s: BatchShard;
  try {
    s = JSON.parse(readFileSync(file, 'utf8')) as BatchShard;
  } catch (e) {
    throw new ConfigError(`${file}: not valid JSON (${(e as Error).message})`);
  }
  if (!s || typeof s !== 'object' || s.schema !== BATCH_SHARD_SCHEMA || !Array.isArray(s.runs) || !s.shard) {
    throw new ConfigError(`${file}: not a shard of npm run findings or lessons (expected schema ${BATCH_SHARD_SCHEMA})`);
  }
  if (!(s.shard.index >= 1 && s.shard.index <= s.shard.count)) throw new ConfigError(`${file}: shard ${s.shard.index}/${s.shard.count} is not a shard index`);
  return s;
}

/**
 * A runner sweep's shard.json read as its sweep's shard (engine/studies/shards.ts mergeShards joins them): the one
 * format, which names its sweep, or a sweep shard as earlier versions of the runner wrote it.
 */
export function sweepShardOf(file: string, x: unknown): SweepShard {
  const bad = (why: string) => new ConfigError(`${file}: not a sweep shard (${why})`);
  if (!x || typeof x !== 'object' || Array.isArray(x)) throw bad('expected a JSON object');
  const schema = (x as { schema?: unknown }).schema;
  if (schema === LEGACY_SWEEP_SHARD_SCHEMA) return validShard(file, x);
  if (schema !== BATCH_SHARD_SCHEMA) throw bad(`schema ${JSON.stringify(schema)}; expected ${BATCH_SHARD_SCHEMA}`);
  const b = x as BatchShard;
  if (!b.sweep || typeof b.sweep !== 'object') throw bad(`a shard of npm run ${b.command}, not of a runner sweep: merge it with the command that made it`);
  if (!Array.isArray(b.runs)) throw bad('runs missing');
  const sweep = validShard(file, { ...b.sweep, shard: b.shard, runs: [] });
  const data = sweep.data ? { name: sweep.data } : undefined;
  const byKey = new Map(sweepJobs(sweep.values, sweep.seeds).map((j) => [jobKey(pointConfig(sweep.config, sweep.key, j.value, sweep.experiment), j.seed, data), j]));
  const runs = b.runs.map((r) => {
    const j = byKey.get(r?.key);
    if (!j || !r.run) throw bad(`it holds a run (${String(r?.key).slice(0, 80)}) that is not a job of its sweep`);
    return { ...j, run: r.run };
  });
  return validShard(file, { ...sweep, runs });
}

/** Joins shard folders of the batch `all` into one store; refuses another batch's shards, repeats and missing jobs. */
export function mergeBatch(command: string, all: Job[], dirs: string[], reused?: RunStore): RunStore {
  if (!dirs.length) throw new ConfigError('--merge needs the shard folders: --merge DIR1 DIR2 ...');
  const jobs = uniqueJobs(all);
  const batch = batchId(jobs);
  const store: RunStore = new Map(reused);
  const seen = new Map<number, string>();
  let count = 0;
  for (const dir of dirs) {
    const file = join(dir, 'shard.json');
    if (!existsSync(file)) throw new ConfigError(`${dir}: no shard.json (run with --shard i/n --out ${dir} first)`);
    const s = readShard(file);
    if (s.command !== command || s.batch !== batch) throw new ConfigError(`${dir}: a shard of another batch (made by ${s.command} with other experiments, seeds or settings than this merge asks for)`);
    if (count && s.shard.count !== count) throw new ConfigError(`${dir}: shard of ${s.shard.count}, the others are of ${count}`);
    count = s.shard.count;
    if (seen.has(s.shard.index)) throw new ConfigError(`${dir} and ${seen.get(s.shard.index)} are both shard ${s.shard.index}/${count}`);
    seen.set(s.shard.index, dir);
    for (const r of s.runs) store.set(r.key, r.run);
  }
  const missing = jobs.filter((j) => !store.has(jobKey(j.cfg, j.seed, j.data)));
  if (missing.length) {
    const absent = Array.from({ length: count }, (_, i) => i + 1).filter((i) => !seen.has(i));
    throw new ConfigError(`${missing.length} of ${jobs.length} jobs have no run${absent.length ? ` (shards not given: ${absent.join(', ')} of ${count})` : ' (a shard is incomplete: rerun it with the same --out to finish it)'}; nothing was written`);
  }
  return store;
}

/** Takes `--merge DIR...` (the folders up to the next flag) out of the arguments. */
export function splitMerge(args: string[]): { dirs: string[] | null; rest: string[] } {
  const at = args.indexOf('--merge');
  if (at < 0) return { dirs: null, rest: args };
  let end = at + 1;
  while (end < args.length && !args[end].startsWith('--')) end++;
  const dirs = args.slice(at + 1, end);
  if (!dirs.length) throw new ConfigError('--merge needs the shard folders: --merge DIR1 DIR2 ...');
  return { dirs, rest: [...args.slice(0, at), ...args.slice(end)] };
}

/**
 * `--reuse FILE[,FILE]`: runs made before, by other commands, that are jobs of this batch —
 * a stored lesson run (public/lessons/<world>.json), a runner sweep's shard
 * (`npm run experiment -- --sweep … --shard i/n`'s shard.json), or a findings or lessons
 * shard, finished or not (its runs are keyed as jobs already). A run is reused only where its
 * config, catalogue and seed give the same job key as a job of the batch; a file with no such
 * run is refused, so a mistyped file or other settings are never silently ignored.
 */
export function reusedRuns(files: string[], all: Job[], log: (s: string) => void): RunStore {
  const wanted = new Set(uniqueJobs(all).map((j) => jobKey(j.cfg, j.seed, j.data)));
  const store: RunStore = new Map();
  for (const file of files) {
    if (!existsSync(file)) throw new ConfigError(`--reuse ${file}: no such file (give a stored lesson run, public/lessons/<world>.json, or a sweep shard's shard.json)`);
    let x: unknown;
    try {
      x = JSON.parse(readFileSync(file, 'utf8'));
    } catch (e) {
      throw new ConfigError(`--reuse ${file}: not valid JSON (${(e as Error).message})`);
    }
    const schema = (x as { schema?: unknown } | null)?.schema;
    const runs: { key: string; run: RunReport }[] = [];
    if (schema === 'bridge-lab/lesson-run@1') {
      const stored = x as StoredLessonRun;
      const cfg = lessonConfig(stored.world);
      const data = stored.world.data ? { name: stored.world.data } : undefined;
      for (const run of stored.report.runs) if (run.initSeed === undefined) runs.push({ key: jobKey(cfg, run.seed, data), run });
    } else if (schema === LEGACY_SWEEP_SHARD_SCHEMA) {
      const shard = validShard(file, x);
      const data = shard.data ? { name: shard.data } : undefined;
      for (const r of shard.runs) runs.push({ key: jobKey(pointConfig(shard.config, shard.key, r.value, shard.experiment), r.seed, data), run: r.run });
    } else if (schema === BATCH_SHARD_SCHEMA) {
      runs.push(...readShard(file).runs.map((r) => ({ key: currentKey(r.key), run: r.run })));
    } else {
      throw new ConfigError(`--reuse ${file}: schema ${JSON.stringify(schema)} is not one it takes (bridge-lab/lesson-run@1, ${BATCH_SHARD_SCHEMA}, ${LEGACY_SWEEP_SHARD_SCHEMA})`);
    }
    const used = runs.filter((r) => wanted.has(r.key));
    if (!used.length) throw new ConfigError(`--reuse ${file}: none of its ${runs.length} runs is a job of this batch (other settings, catalogue or seeds)`);
    for (const r of used) store.set(r.key, r.run);
    log(`--reuse ${file}: ${used.length} of its ${runs.length} runs are jobs here\n`);
  }
  return store;
}
