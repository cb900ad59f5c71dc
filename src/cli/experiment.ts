/**
 * The headless runner: trains Gen_S, Gen_R and Gen_R+S for each seed, prints a summary
 * table and writes DIR/report.json per the report contract; or, with --sweep or
 * --experiment, one knob over a list of values, writing DIR/sweep.json and DIR/sweep.csv.
 *
 *   npm run experiment -- [--preset NAME] [--set KEY=VALUE]... [--seed S] [--seeds K]
 *                         [--backend wasm|cpu|webgpu] [--jobs J] [--out DIR] [--quiet]
 *   npm run experiment -- --sweep KEY=v1,v2,... | --experiment NAME   [same flags] [--shard i/n]
 *   npm run experiment -- --merge DIR... [--out DIR]
 *   npm run experiment -- --data DIR [--seeds K] [--set KEY=VALUE]... [--out DIR]   a catalogue given as files
 *   npm run experiment -- --export-world DIR [--preset NAME] [--set KEY=VALUE]...  a simulated world as files
 *   npm run experiment -- --convert movielens SRC --out DIR [...]  a public dataset's files → a --data folder (cli/convert.ts)
 *
 * --shard i/n trains only the i-th of n disjoint shares of the sweep's (value, seed) jobs
 * and writes DIR/shard.json; --merge joins shard folders into DIR/sweep.json and sweep.csv.
 *
 * With several seeds, J worker threads (default: one per core, at most one per seed)
 * train seeds side by side; every seed's numbers are the same as in a serial run.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { basename, join, resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type { BackendName } from '../engine/core/backends';
import { ConfigError, IMPORT_ONLY_KEYS, isSimulationKey, parseValue, PARAM_BY_KEY, resolveConfig, unknownKeyMessage, withImportedDefaults, type Config } from '../engine/core/config';
import { exportWorld } from '../engine/data/export';
import { importData, type DataFiles, type ImportedData } from '../engine/data/import';
import { recboleFiles } from '../engine/data/convert/recbole';
import { readDataFolder, SHIPPED_DATA_DIR, writeFolderAtomic } from './data-folder';
import type { DataSource } from './seed-worker';
import { convert } from './convert';
import { importedReportConfig, importedSeedData } from '../engine/data/seed-data';
import { assembleReport, runSeeds, runStopped, seedList, type ExperimentEvent } from '../engine/run/experiment';
import { useNodeBackend } from '../engine/run/node-backends';
import { findPreset, PRESET_NAMES } from '../engine/core/presets';
import type { Report, RunReport } from '../engine/core/report';
import { mergeShards, parseShard, shardJobs, sweepJobs, type SweepJob } from '../engine/studies/shards';
import { slopeText, verdictText } from '../engine/studies/findings';
import { quantityLabel } from '../engine/studies/trends';
import { runJob } from '../engine/studies/jobs';
import { checkSweep, experimentConfig, findSweepExperiment, parseSweepSpec, pointConfig, sweepCsv, type Sweep } from '../engine/studies/sweep';
import { flagsOf, helpRequested, parseFlags, parseIntFlag } from './args';
import { CONVERT_ONLY, EXPERIMENT } from './commands';
import { jobKey, runJobs, ShardFile, splitMerge, sweepShardOf, writeAtomic } from './batch';
import { SeedPool } from './pool';
import { formatSummary, formatSweepHeader, formatSweepRow } from './table';

const NODE_BACKENDS = ['wasm', 'cpu', 'webgpu'];

function parseSets(sets: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const s of sets) {
    const eq = s.indexOf('=');
    if (eq <= 0) throw new ConfigError(`--set ${JSON.stringify(s)} is not KEY=VALUE`);
    const key = s.slice(0, eq);
    if (!PARAM_BY_KEY[key]) throw new ConfigError(unknownKeyMessage(key));
    out[key] = parseValue(key, s.slice(eq + 1));
  }
  return out;
}

/** Writes a file whole or not at all: a temporary file renamed into place. */
/** Creates --out and proves it writable before any training, so that no run's results are lost at the end. */
function prepareOut(outDir: string): void {
  try {
    mkdirSync(outDir, { recursive: true });
    const probe = join(outDir, `.write-test-${process.pid}`);
    writeFileSync(probe, '');
    rmSync(probe);
  } catch (e) {
    throw new ConfigError(`--out ${outDir}: cannot write results there (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); give a folder that can be created and written`);
  }
}

/** How this run was started, as the files it writes record it (the page shows it when one is opened). */
function commandLine(): string {
  return `npm run experiment -- ${process.argv.slice(2).join(' ')}`.trim();
}

/** Ctrl-C or SIGTERM calls `stop` once; the handlers are removed when `off` is called. */
function onInterrupt(stop: () => void): () => void {
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return () => { process.off('SIGINT', stop); process.off('SIGTERM', stop); };
}


/** --data DIR: the three models on a catalogue given as files. */
async function runOnFiles(source: DataSource, imported: ImportedData, t0: number, cfg: Config, seeds: number[], outDir: string, backend: string, jobs: number, log: (s: string) => void): Promise<void> {
  const c = imported.counts;
  prepareOut(outDir);
  log(`${imported.name}: ${c.items} items, ${c.queries} queries (${c.search.train}/${c.search.val}/${c.search.test}), ${c.sessions} sessions (${c.rec.train}/${c.rec.val}/${c.rec.test} examples), ${c.words} words; dropped ${imported.dropped.shortSessions} short sessions, ${imported.dropped.emptyQueries} empty queries\n`);
  const tensorsBefore = tf.memory().numTensors;
  const finished: RunReport[] = [];
  let interrupted = false;
  // Several seeds train side by side on threads, each importing the same files with the same options.
  const pool = jobs > 1 && seeds.length > 1 ? new SeedPool(Math.min(jobs, seeds.length), backend as BackendName, source) : null;
  const off = onInterrupt(() => { interrupted = true; log('\nstopping: the finished seeds are kept\n'); void pool?.close(); });
  try {
    if (pool) {
      await runJobs(pool, seeds.map((seed) => ({ cfg, seed })), {
        shouldStop: () => interrupted, onRun: (_, run) => finished.push(run),
        onEvent: (seed, e) => { if (e.type === 'world') log(`seed ${seed}: training…\n`); },
      }).catch((e) => { if (!interrupted) throw e; });
    } else {
      await runJob({ kind: 'data', config: cfg, seeds, data: imported }, {
        shouldStop: () => interrupted, onSeed: (run) => finished.push(run),
        onEvent: (e) => { if (e.type === 'world') log(`seed ${e.seed}: training…\n`); },
      });
    }
  } finally {
    off();
    await pool?.close();
  }
  const runs = finished; // a seed cut short is not a finished seed
  const report = assembleReport(cfg, runs, interrupted || runs.length < seeds.length);
  report.config = importedReportConfig(cfg, imported);
  const file = join(outDir, 'report.json');
  writeAtomic(file, JSON.stringify({ ...report, command: commandLine() }));
  process.stdout.write(formatSummary(report));
  process.stdout.write(`\n${imported.name}: ${runs.length} of ${seeds.length} seed(s) in ${((performance.now() - t0) / 1000).toFixed(1)} s on ${backend}${interrupted ? ' (stopped)' : ''}; tensors left: ${tf.memory().numTensors - tensorsBefore}; wrote ${file}\n`);
  if (interrupted) process.exitCode = 130;
}

/** --export-world DIR: a simulated world in the import format, written whole or not at all. */
function writeWorld(dir: string, cfg: Config): void {
  const files = exportWorld(cfg);
  mkdirSync(dir, { recursive: true });
  for (const [name, text] of [['items.csv', files.items], ['queries.csv', files.queries], ['sessions.csv', files.sessions]]) writeFileSync(join(dir, `${name}.tmp`), text);
  for (const name of ['items.csv', 'queries.csv', 'sessions.csv']) renameSync(join(dir, `${name}.tmp`), join(dir, name));
  process.stdout.write(`wrote ${dir}/items.csv, queries.csv and sessions.csv (${cfg.items} items)\n`);
}

/** --export recbole DIR: RecBole atomic files (engine/data/convert/recbole.ts), written whole or not at all. */
function writeRecBole(dir: string, files: DataFiles, cfg: Config): void {
  const out = resolve(dir);
  const name = basename(out);
  if (existsSync(out) && readdirSync(out).length) throw new ConfigError(`--export recbole ${dir}: the folder exists and is not empty; give a new or empty folder`);
  const atomic = recboleFiles(name, files, { vocabSize: cfg.vocabSize, queryLength: cfg.queryLength, historyLength: cfg.historyLength, seed: cfg.seed });
  writeFolderAtomic(out, atomic, 'exporting');
  process.stdout.write(`wrote ${Object.keys(atomic).join(', ')} to ${dir} (RecBole atomic files; its sequential models read the split with benchmark_filename: [train, valid, test])\n`);
}

function readJson(file: string): unknown {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new ConfigError(`${file}: not valid JSON (${(e as Error).message})`);
  }
}

/** --merge DIR...: joins shard folders into one sweep.json / sweep.csv. */
function merge(dirs: string[], rest: string[]): void {
  const { values } = parseFlags(rest, EXPERIMENT, flagsOf(EXPERIMENT).filter((f) => f.name === 'out' || f.name === 'quiet'));
  if (!dirs.length) throw new ConfigError('--merge needs the shard folders: --merge DIR1 DIR2 ...');
  const shards = dirs.map((dir) => {
    const file = join(dir, 'shard.json');
    if (!existsSync(file)) throw new ConfigError(`${dir}: no shard.json (run the sweep with --shard i/n --out ${dir} first)`);
    return { name: dir, shard: sweepShardOf(file, readJson(file)) };
  });
  const sweep = mergeShards(shards);
  const outDir = values.out ?? 'out';
  mkdirSync(outDir, { recursive: true });
  writeAtomic(join(outDir, 'sweep.json'), JSON.stringify({ ...sweep, command: commandLine() }, null, 1));
  writeAtomic(join(outDir, 'sweep.csv'), sweepCsv(sweep));
  const missing = sweep.missing.map((j) => `${sweep.key}=${j.value} seed ${j.seed}`).join(', ');
  process.stdout.write(`merged ${dirs.length} shard(s): ${sweep.points.length}/${sweep.values.length} points; wrote ${join(outDir, 'sweep.json')} and sweep.csv\n`);
  if (!sweep.complete) process.stdout.write(`incomplete (complete: false): missing ${sweep.missing.length} job(s): ${missing}\n`);
}

/** --shard i/n: trains this shard's (value, seed) jobs and writes DIR/shard.json as they finish (cli/batch.ts ShardFile). */
async function runShard(opts: { base: Config; key: Sweep['key']; values: Sweep['values']; seeds: number[]; experiment: string | null; data?: string; shard: { index: number; count: number }; outDir: string; runPoint: (c: Config, s: number[], onRun?: (run: RunReport) => void) => Promise<Report>; stopped: () => boolean }): Promise<{ runs: number; complete: boolean }> {
  const { base, key, values, seeds, shard } = opts;
  checkSweep(base, key, values, opts.experiment);
  const data = opts.data ? { name: opts.data } : undefined;
  const jobOf = (j: SweepJob) => ({ cfg: pointConfig(base, key, j.value, opts.experiment), seed: j.seed, data });
  const keyOf = (j: SweepJob) => jobKey(pointConfig(base, key, j.value, opts.experiment), j.seed, data);
  // A re-queued shard resumes from its own shard.json: the jobs it finished are not trained again.
  const file = new ShardFile(opts.outDir, 'experiment', sweepJobs(values, seeds).map(jobOf), shard, { experiment: opts.experiment, key, values, config: base, seeds, ...(opts.data ? { data: opts.data } : {}) });
  const jobs = shardJobs(values, seeds, shard.index, shard.count);
  if (file.resumed) process.stdout.write(`shard ${shard.index}/${shard.count}: resuming, ${file.resumed} of ${jobs.length} job(s) already finished\n`);
  for (const value of values) {
    const mine = jobs.filter((j) => j.value === value && !file.store.has(keyOf(j))).map((j) => j.seed);
    if (!mine.length || opts.stopped()) continue;
    // Each seed is saved as it finishes: a shard killed mid-point keeps the point's finished seeds.
    let report: Report;
    try {
      report = await opts.runPoint(pointConfig(base, key, value, opts.experiment), mine, (run) => { if (!runStopped(run)) file.add(keyOf({ value, seed: run.seed }), run); });
    } catch (e) {
      if (!opts.stopped()) throw e;
      break;
    }
    process.stdout.write(`shard ${shard.index}/${shard.count}: ${key}=${value}, seeds ${mine.join(', ')}${report.stopped ? ' (stopped)' : ''}\n`);
  }
  const runs = jobs.filter((j) => file.store.has(keyOf(j))).length;
  return { runs, complete: runs === jobs.length };
}

async function main(argv: string[]): Promise<void> {
  helpRequested(argv, EXPERIMENT);
  if (argv.includes('--convert')) return convert(argv);
  // --export FORMAT DIR: the world (or --data's catalogue) written in another toolkit's format.
  let exportTo: { format: string; dir: string } | null = null;
  const ex = argv.indexOf('--export');
  if (ex >= 0) {
    const [format, dir] = [argv[ex + 1], argv[ex + 2]];
    if (!format || format.startsWith('--') || !dir || dir.startsWith('--')) throw new ConfigError('--export needs a format and a folder: --export recbole DIR');
    if (format !== 'recbole') throw new ConfigError(`unknown export format "${format}"; formats: recbole`);
    exportTo = { format, dir };
    argv = [...argv.slice(0, ex), ...argv.slice(ex + 3)];
  }
  if (argv.includes('--merge')) {
    const { dirs, rest } = splitMerge(argv);
    return merge(dirs!, rest);
  }
  const plan = readPlan(argv);
  if (exportTo) {
    if (plan.sweepSpec || plan.exportWorld !== undefined) throw new ConfigError('--export writes one catalogue: give it with --preset and --set, or with --data DIR');
    const files = plan.dataDir !== undefined ? readDataFolder(plan.dataDir) : exportWorld(plan.cfg);
    return writeRecBole(exportTo.dir, files, plan.cfg);
  }
  if (plan.exportWorld !== undefined) {
    if (plan.sweepSpec || plan.dataDir !== undefined) throw new ConfigError('--export-world writes one simulated world: give it with --preset and --set only');
    return writeWorld(plan.exportWorld, plan.cfg);
  }
  return train(plan);
}

/** What a training command asks for: read from its flags and checked before anything is trained or written. */
interface Plan {
  /** The world's config, and the config a catalogue given as files trains with (the imported-data defaults where not set). */
  cfg: Config;
  dataCfg: Config;
  overrides: Record<string, unknown>;
  preset: string;
  experiment: ReturnType<typeof findSweepExperiment> | null;
  sweepSpec: { key: Sweep['key']; values: Sweep['values'] } | null;
  shard: { index: number; count: number } | null;
  seeds: number[];
  backendName: string;
  outDir: string;
  jobs: number;
  quiet: boolean;
  dataDir?: string;
  exportWorld?: string;
}

function readPlan(argv: string[]): Plan {
  const { values, lists, switches } = parseFlags(argv, EXPERIMENT, flagsOf(EXPERIMENT).filter((f) => !['merge', 'convert', 'export', ...CONVERT_ONLY].includes(f.name)));
  if (values.sweep && values.experiment) throw new ConfigError('give either --sweep KEY=v1,v2,... or --experiment NAME, not both');
  const experiment = values.experiment ? findSweepExperiment(values.experiment) : null;
  // A real-data study trains on the catalogue shipped with the page.
  if (experiment?.data) {
    if (values.data !== undefined || values.preset !== undefined) throw new ConfigError(`--experiment ${experiment.name} trains on the shipped catalogue ${SHIPPED_DATA_DIR}/${experiment.data}: it does not take --data or --preset`);
    values.data = join(SHIPPED_DATA_DIR, experiment.data);
  }
  if (values.data !== undefined) {
    const clash = ['preset', ...(experiment?.data ? [] : ['experiment']), 'export-world'].filter((f) => values[f] !== undefined);
    if (clash.length) throw new ConfigError(`--data trains on the files as they are: it does not take ${clash.map((f) => `--${f}`).join(', ')}`);
    const simKeys = [...(lists.set ?? []), ...(values.sweep ? [values.sweep] : [])].map((x) => x.split('=')[0]).filter(isSimulationKey);
    if (simKeys.length) throw new ConfigError(`--data: ${simKeys.join(', ')} ${simKeys.length > 1 ? 'are simulation keys' : 'is a simulation key'}, which imported data does not have; model, training and run keys apply, and queryLength, historyLength, vocabSize`);
  }
  // An experiment starts from its own preset unless --preset names another.
  const preset = values.preset ?? experiment?.preset ?? 'classroom';
  if (!PRESET_NAMES.includes(preset)) throw new ConfigError(`unknown preset "${preset}"; presets: ${PRESET_NAMES.join(', ')}`);
  const overrides = parseSets(lists.set ?? []);
  if (values.seed !== undefined) overrides.seed = parseValue('seed', values.seed);
  const cfg: Config = experiment ? experimentConfig({ ...experiment, preset }, overrides) : resolveConfig({ ...findPreset(preset).values, ...overrides });
  const sweeping = Boolean(values.sweep || experiment);
  const shard = values.shard === undefined ? null : parseShard(values.shard, process.env);
  if (shard && !sweeping) throw new ConfigError('--shard splits a sweep: give it with --sweep KEY=v1,v2,... or --experiment NAME');
  const sweepSpec = experiment ? { key: experiment.key, values: experiment.values } : values.sweep ? parseSweepSpec(values.sweep, cfg) : null;
  const seeds = seedList(cfg.seed, values.seeds === undefined ? (sweeping ? 3 : 1) : parseIntFlag('seeds', values.seeds, 1, 100));
  const backendName = values.backend ?? 'wasm';
  if (!NODE_BACKENDS.includes(backendName)) throw new ConfigError(`unknown backend "${backendName}"; in Node: ${NODE_BACKENDS.join(', ')}`);
  const dataCfg = withImportedDefaults(cfg, (k) => k in overrides || (experiment !== null && k in experiment.base));
  return {
    cfg, dataCfg, overrides, preset, experiment, sweepSpec, shard, seeds, backendName,
    outDir: values.out ?? 'out',
    jobs: values.jobs === undefined ? Math.min(availableParallelism(), seeds.length) : parseIntFlag('jobs', values.jobs, 1, 64),
    quiet: switches.has('quiet'), dataDir: values.data, exportWorld: values['export-world'],
  };
}

/** A training command underway: its plan, where its seeds train, and whether Ctrl-C has stopped it. */
interface Session {
  plan: Plan;
  backend: string;
  imported: ImportedData | null;
  source: DataSource | null;
  pool: SeedPool | null;
  log: (s: string) => void;
  /** Trains a run's or a point's seeds (here, or side by side on the pool); `onRun` sees each seed that finished whole. */
  runPoint: (c: Config, s: number[], onRun?: (run: RunReport) => void) => Promise<Report>;
  /** Seeds that finished whole, in any order (what a stopped plain run keeps). */
  finished: RunReport[];
  stop: { interrupted: boolean };
  t0: number;
  tensorsBefore: number;
}

/** Trains what the plan asks for: a run, a sweep or a sweep's shard, on a simulated world or a catalogue given as files. */
async function train(plan: Plan): Promise<void> {
  const { cfg, overrides, sweepSpec, seeds, outDir, jobs } = plan;
  const dataKeys = Object.keys(overrides).filter((k) => IMPORT_ONLY_KEYS.includes(k as never)).concat(sweepSpec && IMPORT_ONLY_KEYS.includes(sweepSpec.key as never) ? [sweepSpec.key] : []);
  if (plan.dataDir === undefined && dataKeys.length) throw new ConfigError(`${dataKeys.join(', ')} ${dataKeys.length > 1 ? 'apply' : 'applies'} to imported data only: give the files with --data DIR`);
  if (plan.dataDir === undefined) prepareOut(outDir); // --data checks its files first, then --out
  const backend = await useNodeBackend(plan.backendName as BackendName);
  const log = (s: string) => { if (!plan.quiet) process.stderr.write(s); };
  // A catalogue given as files: read and checked before anything is written. The split is
  // drawn once, from the first seed; the seeds vary the models' initialisation.
  const readStart = performance.now();
  const source: DataSource | null = plan.dataDir === undefined ? null
    : { dir: resolve(plan.dataDir), name: basename(resolve(plan.dataDir)), options: { vocabSize: cfg.vocabSize, queryLength: cfg.queryLength, historyLength: cfg.historyLength, seed: cfg.seed } };
  const imported = source ? importData(source.name, readDataFolder(plan.dataDir!), source.options) : null;
  if (source && imported && !sweepSpec) return runOnFiles(source, imported, readStart, plan.dataCfg, seeds, outDir, backend, jobs, log);
  if (imported) prepareOut(outDir);
  const onEvent = (seed: number, e: Partial<ExperimentEvent>) => {
    if (e.type === 'world') log(`seed ${seed}: ${imported ? '' : 'building the world and '}training…\n`);
    if (e.type === 'model') log(`seed ${seed}: ${e.model} trained, ${e.report!.steps} steps in ${e.report!.trainSeconds.toFixed(1)} s\n`);
  };
  const pool = jobs > 1 ? new SeedPool(jobs, plan.backendName as BackendName, source ?? undefined) : null;
  const stop = { interrupted: false };
  const finished: RunReport[] = [];
  const runPoint = async (c: Config, s: number[], onRun?: (run: RunReport) => void): Promise<Report> => {
    if (!pool) {
      const seedData = imported ? (sc: Config) => importedSeedData(imported, sc.seed, sc) : undefined;
      return runSeeds(c, { seeds: s, onEvent: (e) => { if (e.type !== 'run') onEvent(e.seed, e); }, shouldStop: () => stop.interrupted, onSeed: (run) => { finished.push(run); onRun?.(run); } }, seedData);
    }
    const runs: RunReport[] = [];
    await runJobs(pool, s.map((seed) => ({ cfg: c, seed })), { onEvent, shouldStop: () => stop.interrupted, onRun: (_, run) => { runs.push(run); finished.push(run); onRun?.(run); } });
    runs.sort((a, b) => a.seed - b.seed);
    return assembleReport(c, runs, stop.interrupted || runs.length < s.length || runs.some((r) => runStopped(r)));
  };

  log(`Bridge Lab · ${imported ? `data ${imported.name} (${imported.items} items)` : `preset ${plan.preset}`}${plan.experiment ? ` · experiment ${plan.experiment.name}` : ''} · seeds ${seeds.join(', ')} · backend ${backend} · ${jobs} job(s)\n`);
  const session: Session = { plan, backend, imported, source, pool, log, runPoint, finished, stop, t0: performance.now(), tensorsBefore: tf.memory().numTensors };
  try {
    if (sweepSpec && plan.shard) await shardCommand(session, sweepSpec, plan.shard);
    else if (sweepSpec) await sweepCommand(session, sweepSpec);
    else await runCommand(session);
    if (stop.interrupted) process.exitCode = 130;
  } finally {
    await pool?.close();
  }
}

/** --shard i/n: this shard's jobs, saved to DIR/shard.json as they finish. */
async function shardCommand(x: Session, sweepSpec: NonNullable<Plan['sweepSpec']>, shard: { index: number; count: number }): Promise<void> {
  const { plan } = x;
  onInterrupt(() => { x.stop.interrupted = true; void x.pool?.close(); });
  const out = await runShard({ base: x.imported ? plan.dataCfg : plan.cfg, key: sweepSpec.key, values: sweepSpec.values, seeds: plan.seeds, experiment: plan.experiment?.name ?? null, data: x.source?.name, shard, outDir: plan.outDir, runPoint: x.runPoint, stopped: () => x.stop.interrupted });
  process.stdout.write(`shard ${shard.index}/${shard.count}: ${out.runs} job(s) in ${((performance.now() - x.t0) / 1000).toFixed(1)} s${out.complete ? '' : ' (incomplete)'}; wrote ${join(plan.outDir, 'shard.json')}\n`);
}

/** --sweep or --experiment: every point's seeds, sweep.json and sweep.csv rewritten after each point. */
async function sweepCommand(x: Session, sweepSpec: NonNullable<Plan['sweepSpec']>): Promise<void> {
  const { plan, imported } = x;
  const { cfg, seeds, outDir, experiment } = plan;
  let latest: Sweep | null = null;
  const save = (s: Sweep) => {
    if (imported) s = { ...s, config: importedReportConfig(s.config, imported) };
    writeAtomic(join(outDir, 'sweep.json'), JSON.stringify({ ...s, command: commandLine() }, null, 1));
    writeAtomic(join(outDir, 'sweep.csv'), sweepCsv(s));
  };
  // Ctrl-C (or SIGTERM) stops the sweep; the finished points are kept.
  onInterrupt(() => {
    x.stop.interrupted = true;
    x.log('\nstopping: the finished points are kept\n');
    void x.pool?.close();
  });
  process.stdout.write(formatSweepHeader(sweepSpec.key, cfg.k));
  let sweep: Sweep;
  try {
    const job = { kind: 'sweep', config: imported ? plan.dataCfg : cfg, key: sweepSpec.key, values: sweepSpec.values, seeds, experiment: experiment?.name ?? null } as const;
    ({ sweep } = await runJob(job, {
      trainSeeds: x.runPoint, shouldStop: () => x.stop.interrupted,
      onPoint: (s) => {
        latest = s;
        save(s);
        process.stdout.write(formatSweepRow(s.points[s.points.length - 1]));
      },
    }));
  } catch (e) {
    if (!x.stop.interrupted) throw e;
    sweep = { ...(latest ?? { schema: 'bridge-lab/sweep@1', experiment: experiment?.name ?? null, key: sweepSpec.key, values: sweepSpec.values, config: cfg, seeds, points: [], createdAt: new Date().toISOString() }), complete: false, stopped: true } as Sweep;
  }
  save(sweep);
  if (sweep.trends?.length) {
    process.stdout.write(`\nTrends (slope over all seed × value points, 95 % interval from a bootstrap over whole seeds):\n`);
    for (const t of sweep.trends) process.stdout.write(`  ${quantityLabel(t.y)} against ${t.x}: ${slopeText(t)} — ${verdictText(t)}\n`);
  }
  const seconds = (performance.now() - x.t0) / 1000;
  process.stdout.write(`\n${sweep.points.length}/${sweepSpec.values.length} points × ${seeds.length} seed(s) in ${seconds.toFixed(1)} s on ${x.backend}${sweep.stopped ? ' (stopped)' : ''}; wrote ${join(outDir, 'sweep.json')} and sweep.csv\n`);
}

/** A plain run: every seed, the summary, and DIR/report.json (a stopped run keeps its finished seeds, marked stopped). */
async function runCommand(x: Session): Promise<void> {
  const { cfg, seeds, outDir } = x.plan;
  // Ctrl-C (or SIGTERM) stops the run; the seeds that finished are written, marked stopped.
  const off = onInterrupt(() => { x.stop.interrupted = true; x.log('\nstopping: the finished seeds are kept\n'); void x.pool?.close(); });
  let report: Report | null = null;
  try {
    ({ report } = await runJob({ kind: 'run', config: cfg, seeds }, { trainSeeds: x.runPoint }));
  } catch (e) {
    if (!x.stop.interrupted) throw e;
  } finally {
    off();
  }
  if (x.stop.interrupted || !report) report = assembleReport(cfg, x.finished, true);
  const seconds = (performance.now() - x.t0) / 1000;
  const file = join(outDir, 'report.json');
  writeAtomic(file, JSON.stringify({ ...report, command: commandLine() }));
  process.stdout.write(formatSummary(report));
  process.stdout.write(`\n${report.runs.length} of ${seeds.length} seed(s) in ${seconds.toFixed(1)} s on ${x.backend}${x.stop.interrupted ? ' (stopped)' : ''}; tensors left: ${tf.memory().numTensors - x.tensorsBefore}; wrote ${file}\n`);
}

main(process.argv.slice(2)).catch((e) => {
  process.stderr.write(`error: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(e instanceof ConfigError ? 2 : 1);
});
