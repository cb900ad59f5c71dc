/**
 * The headless runner: trains Gen_S, Gen_R and Gen_R+S for each seed, prints a summary
 * table and writes DIR/report.json per the report contract.
 *
 *   npm run experiment -- [--preset NAME] [--set KEY=VALUE]... [--seed S] [--seeds K]
 *                         [--backend wasm|cpu|webgpu] [--jobs J] [--out DIR] [--quiet]
 *
 * With several seeds, J worker threads (default: one per core, at most one per seed)
 * train seeds side by side; every seed's numbers are the same as in a serial run.
 */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { ConfigError, parseValue, PARAM_BY_KEY, unknownKeyMessage } from '../engine/config';
import { assembleReport, runSeed, runStopped, seedList, type ExperimentEvent } from '../engine/experiment';
import { availableParallelism } from 'node:os';
import { runSeedsInWorkers } from './pool';
import type { RunReport } from '../engine/report';
import { presetConfig, PRESET_NAMES } from '../engine/presets';
import type { BackendName } from '../engine/backend';
import { useNodeBackend } from '../engine/node-backends';
import { formatSummary } from './table';
import { parseFlags, parseIntFlag } from './args';

const NODE_BACKENDS = ['wasm', 'cpu', 'webgpu'];

export function parseSets(sets: string[]): Record<string, unknown> {
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

async function main(argv: string[]): Promise<void> {
  const { values, lists, switches } = parseFlags(argv, { values: ['preset', 'seed', 'seeds', 'backend', 'out', 'jobs'], repeatable: ['set'], switches: ['quiet'] });
  const preset = values.preset ?? 'classroom';
  if (!PRESET_NAMES.includes(preset)) throw new ConfigError(`unknown preset "${preset}"; presets: ${PRESET_NAMES.join(', ')}`);
  const overrides = parseSets(lists.set ?? []);
  if (values.seed !== undefined) overrides.seed = parseValue('seed', values.seed);
  const cfg = presetConfig(preset, overrides);
  const seeds = seedList(cfg.seed, values.seeds === undefined ? 1 : parseIntFlag('seeds', values.seeds, 1, 100));
  const backendName = values.backend ?? 'wasm';
  if (!NODE_BACKENDS.includes(backendName)) throw new ConfigError(`unknown backend "${backendName}"; in Node: ${NODE_BACKENDS.join(', ')}`);
  const outDir = values.out ?? 'out';
  const jobs = values.jobs === undefined ? Math.min(availableParallelism(), seeds.length) : parseIntFlag('jobs', values.jobs, 1, 64);

  const backend = await useNodeBackend(backendName as BackendName);
  const quiet = switches.has('quiet');
  const log = (s: string) => { if (!quiet) process.stderr.write(s); };
  log(`Bridge Lab · preset ${preset} · seeds ${seeds.join(', ')} · backend ${backend} · ${jobs} job(s)\n`);
  const t0 = performance.now();
  const tensorsBefore = tf.memory().numTensors;
  const onEvent = (seed: number, e: Partial<ExperimentEvent>) => {
    if (e.type === 'world') log(`seed ${seed}: building the world and training…\n`);
    if (e.type === 'model') log(`seed ${seed}: ${e.model} trained, ${e.report!.steps} steps in ${e.report!.trainSeconds.toFixed(1)} s\n`);
  };
  let runs: RunReport[];
  if (jobs > 1) runs = await runSeedsInWorkers(cfg, seeds, jobs, backendName as BackendName, onEvent);
  else {
    runs = [];
    for (const seed of seeds) {
      onEvent(seed, { type: 'world' });
      runs.push(await runSeed({ ...cfg, seed }, { onEvent: (e) => onEvent(seed, e) }));
    }
  }
  const report = assembleReport(cfg, runs, runs.some((r) => runStopped(r)));
  const seconds = (performance.now() - t0) / 1000;
  mkdirSync(outDir, { recursive: true });
  const file = join(outDir, 'report.json');
  // Written whole or not at all: a temporary file renamed into place.
  writeFileSync(`${file}.tmp`, JSON.stringify(report));
  renameSync(`${file}.tmp`, file);
  process.stdout.write(formatSummary(report));
  process.stdout.write(`\n${seeds.length} seed(s) in ${seconds.toFixed(1)} s on ${backend}; tensors left: ${tf.memory().numTensors - tensorsBefore}; wrote ${file}\n`);
}

main(process.argv.slice(2)).catch((e) => {
  process.stderr.write(`error: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(e instanceof ConfigError ? 2 : 1);
});
