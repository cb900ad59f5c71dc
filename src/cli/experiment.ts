/**
 * The headless runner: trains Gen_S, Gen_R and Gen_R+S for each seed, prints a summary
 * table and writes DIR/report.json per the report contract.
 *
 *   npm run experiment -- [--preset NAME] [--set KEY=VALUE]... [--seed S] [--seeds K]
 *                         [--backend wasm|cpu|webgpu] [--out DIR] [--quiet]
 */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { ConfigError, parseValue, PARAM_BY_KEY, unknownKeyMessage } from '../engine/config';
import { runExperiment, seedList } from '../engine/experiment';
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
  const { values, lists, switches } = parseFlags(argv, { values: ['preset', 'seed', 'seeds', 'backend', 'out'], repeatable: ['set'], switches: ['quiet'] });
  const preset = values.preset ?? 'classroom';
  if (!PRESET_NAMES.includes(preset)) throw new ConfigError(`unknown preset "${preset}"; presets: ${PRESET_NAMES.join(', ')}`);
  const overrides = parseSets(lists.set ?? []);
  if (values.seed !== undefined) overrides.seed = parseValue('seed', values.seed);
  const cfg = presetConfig(preset, overrides);
  const seeds = seedList(cfg.seed, values.seeds === undefined ? 1 : parseIntFlag('seeds', values.seeds, 1, 100));
  const backendName = values.backend ?? 'wasm';
  if (!NODE_BACKENDS.includes(backendName)) throw new ConfigError(`unknown backend "${backendName}"; in Node: ${NODE_BACKENDS.join(', ')}`);
  const outDir = values.out ?? 'out';

  const backend = await useNodeBackend(backendName as BackendName);
  const quiet = switches.has('quiet');
  const log = (s: string) => { if (!quiet) process.stderr.write(s); };
  log(`Bridge Lab · preset ${preset} · seeds ${seeds.join(', ')} · backend ${backend}\n`);
  const t0 = performance.now();
  const tensorsBefore = tf.memory().numTensors;
  const report = await runExperiment(cfg, {
    seeds,
    onEvent: (e) => {
      if (e.type === 'world') log(`seed ${e.seed} (${e.seedIndex + 1}/${e.seeds})\n`);
      if (e.type === 'train' && e.progress.step % 50 === 0) log(`\r  ${e.model.padEnd(6)} step ${e.progress.step}/${e.progress.totalSteps} loss ${e.progress.loss.toFixed(3)}   `);
      if (e.type === 'model') log(`\r  ${e.model.padEnd(6)} trained: ${e.report.steps} steps in ${e.report.trainSeconds.toFixed(1)} s${' '.repeat(20)}\n`);
    },
  });
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
