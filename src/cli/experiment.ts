/**
 * The headless runner: trains Gen_S, Gen_R and Gen_R+S for each seed, prints a summary
 * table and writes DIR/report.json per the report contract; or, with --sweep or
 * --experiment, one knob over a list of values, writing DIR/sweep.json and DIR/sweep.csv.
 *
 *   npm run experiment -- [--preset NAME] [--set KEY=VALUE]... [--seed S] [--seeds K]
 *                         [--backend wasm|cpu|webgpu] [--jobs J] [--out DIR] [--quiet]
 *   npm run experiment -- --sweep KEY=v1,v2,... | --experiment NAME   [same flags]
 *
 * With several seeds, J worker threads (default: one per core, at most one per seed)
 * train seeds side by side; every seed's numbers are the same as in a serial run.
 */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type { BackendName } from '../engine/backend';
import { ConfigError, parseValue, PARAM_BY_KEY, resolveConfig, unknownKeyMessage, type Config } from '../engine/config';
import { assembleReport, runSeed, runStopped, seedList, type ExperimentEvent } from '../engine/experiment';
import { useNodeBackend } from '../engine/node-backends';
import { findPreset, PRESET_NAMES } from '../engine/presets';
import type { Report, RunReport } from '../engine/report';
import { findSweepExperiment, parseSweepSpec, runSweep, sweepCsv, type Sweep } from '../engine/sweep';
import { parseFlags, parseIntFlag } from './args';
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
function writeAtomic(file: string, text: string): void {
  writeFileSync(`${file}.tmp`, text);
  renameSync(`${file}.tmp`, file);
}

async function main(argv: string[]): Promise<void> {
  const { values, lists, switches } = parseFlags(argv, {
    values: ['preset', 'seed', 'seeds', 'backend', 'out', 'jobs', 'sweep', 'experiment'], repeatable: ['set'], switches: ['quiet'],
  });
  if (values.sweep && values.experiment) throw new ConfigError('give either --sweep KEY=v1,v2,... or --experiment NAME, not both');
  const experiment = values.experiment ? findSweepExperiment(values.experiment) : null;
  const preset = values.preset ?? 'classroom';
  if (!PRESET_NAMES.includes(preset)) throw new ConfigError(`unknown preset "${preset}"; presets: ${PRESET_NAMES.join(', ')}`);
  const overrides = parseSets(lists.set ?? []);
  if (values.seed !== undefined) overrides.seed = parseValue('seed', values.seed);
  const cfg: Config = resolveConfig({ ...findPreset(preset).values, ...(experiment?.base ?? {}), ...overrides });
  const sweeping = Boolean(values.sweep || experiment);
  const sweepSpec = experiment ? { key: experiment.key, values: experiment.values } : values.sweep ? parseSweepSpec(values.sweep, cfg) : null;
  const seeds = seedList(cfg.seed, values.seeds === undefined ? (sweeping ? 3 : 1) : parseIntFlag('seeds', values.seeds, 1, 100));
  const backendName = values.backend ?? 'wasm';
  if (!NODE_BACKENDS.includes(backendName)) throw new ConfigError(`unknown backend "${backendName}"; in Node: ${NODE_BACKENDS.join(', ')}`);
  const outDir = values.out ?? 'out';
  const jobs = values.jobs === undefined ? Math.min(availableParallelism(), seeds.length) : parseIntFlag('jobs', values.jobs, 1, 64);

  const backend = await useNodeBackend(backendName as BackendName);
  const quiet = switches.has('quiet');
  const log = (s: string) => { if (!quiet) process.stderr.write(s); };
  const onEvent = (seed: number, e: Partial<ExperimentEvent>) => {
    if (e.type === 'world') log(`seed ${seed}: building the world and training…\n`);
    if (e.type === 'model') log(`seed ${seed}: ${e.model} trained, ${e.report!.steps} steps in ${e.report!.trainSeconds.toFixed(1)} s\n`);
  };
  const pool = jobs > 1 ? new SeedPool(jobs, backendName as BackendName) : null;
  let interrupted = false;
  const runSeeds = async (c: Config, s: number[]): Promise<Report> => {
    let runs: RunReport[];
    if (pool) runs = await pool.run(c, s, onEvent);
    else {
      runs = [];
      for (const seed of s) {
        if (interrupted) break;
        onEvent(seed, { type: 'world' });
        runs.push(await runSeed({ ...c, seed }, { onEvent: (e) => onEvent(seed, e), shouldStop: () => interrupted }));
      }
    }
    return assembleReport(c, runs, interrupted || runs.length < s.length || runs.some((r) => runStopped(r)));
  };

  log(`Bridge Lab · preset ${preset}${experiment ? ` · experiment ${experiment.name}` : ''} · seeds ${seeds.join(', ')} · backend ${backend} · ${jobs} job(s)\n`);
  const t0 = performance.now();
  const tensorsBefore = tf.memory().numTensors;
  mkdirSync(outDir, { recursive: true });
  try {
    if (sweepSpec) {
      let latest: Sweep | null = null;
      const save = (s: Sweep) => {
        writeAtomic(join(outDir, 'sweep.json'), JSON.stringify(s, null, 1));
        writeAtomic(join(outDir, 'sweep.csv'), sweepCsv(s));
      };
      // Ctrl-C (or SIGTERM) stops the sweep; the finished points are kept.
      const stop = () => {
        interrupted = true;
        log('\nstopping: the finished points are kept\n');
        void pool?.close();
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      process.stdout.write(formatSweepHeader(sweepSpec.key, cfg.k));
      let sweep: Sweep;
      try {
        sweep = await runSweep(cfg, sweepSpec.key, sweepSpec.values, {
          seeds, experiment: experiment?.name ?? null, runPoint: runSeeds, shouldStop: () => interrupted,
          onPoint: (s) => {
            latest = s;
            save(s);
            process.stdout.write(formatSweepRow(s.points[s.points.length - 1]));
          },
        });
      } catch (e) {
        if (!interrupted) throw e;
        sweep = { ...(latest ?? { schema: 'bridge-lab/sweep@1', experiment: experiment?.name ?? null, key: sweepSpec.key, values: sweepSpec.values, config: cfg, seeds, points: [], createdAt: new Date().toISOString() }), complete: false, stopped: true } as Sweep;
      }
      save(sweep);
      const seconds = (performance.now() - t0) / 1000;
      process.stdout.write(`\n${sweep.points.length}/${sweepSpec.values.length} points × ${seeds.length} seed(s) in ${seconds.toFixed(1)} s on ${backend}${sweep.stopped ? ' (stopped)' : ''}; wrote ${join(outDir, 'sweep.json')} and sweep.csv\n`);
      if (interrupted) process.exitCode = 130;
      return;
    }
    const report = await runSeeds(cfg, seeds);
    const seconds = (performance.now() - t0) / 1000;
    const file = join(outDir, 'report.json');
    writeAtomic(file, JSON.stringify(report));
    process.stdout.write(formatSummary(report));
    process.stdout.write(`\n${seeds.length} seed(s) in ${seconds.toFixed(1)} s on ${backend}; tensors left: ${tf.memory().numTensors - tensorsBefore}; wrote ${file}\n`);
  } finally {
    await pool?.close();
  }
}

main(process.argv.slice(2)).catch((e) => {
  process.stderr.write(`error: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(e instanceof ConfigError ? 2 : 1);
});
