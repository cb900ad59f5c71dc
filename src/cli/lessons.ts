/**
 * Regenerates the lesson's stored results: trains every lesson world (src/engine/lessons.ts)
 * for the lesson's seeds with the three models, and writes public/lessons/<world>.json,
 * which the app's Lesson view (and the Lab's first page) show at once, marked as stored.
 *
 *   npm run lessons -- [--only ID[,ID]] [--jobs J]
 */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '../engine/config';
import { assembleReport } from '../engine/experiment';
import { LESSON_SEEDS, LESSON_WORLDS, lessonConfig, type StoredLessonRun } from '../engine/lessons';
import { useNodeBackend } from '../engine/node-backends';
import { parseFlags, parseIntFlag } from './args';
import { SeedPool } from './pool';

const DIR = 'public/lessons';

async function main(argv: string[]) {
  const { values } = parseFlags(argv, { values: ['only', 'jobs'] });
  const ids = LESSON_WORLDS.map((w) => w.id);
  const only = values.only ? values.only.split(',') : ids;
  for (const id of only) if (!ids.includes(id)) throw new ConfigError(`unknown lesson world "${id}"; worlds: ${ids.join(', ')}`);
  const jobs = values.jobs === undefined ? availableParallelism() : parseIntFlag('jobs', values.jobs, 1, 64);
  await useNodeBackend('wasm');
  mkdirSync(DIR, { recursive: true });
  const pool = new SeedPool(jobs, 'wasm');
  const t0 = performance.now();
  try {
    for (const world of LESSON_WORLDS.filter((w) => only.includes(w.id))) {
      const t = performance.now();
      const cfg = lessonConfig(world);
      const report = assembleReport(cfg, await pool.run(cfg, LESSON_SEEDS, () => {}), false);
      const stored: StoredLessonRun = {
        schema: 'bridge-lab/lesson-run@1', world, createdAt: new Date().toISOString(),
        command: `npm run lessons${values.only ? ` -- --only ${world.id}` : ''}`, backend: 'wasm (Node)', report,
      };
      const file = join(DIR, `${world.id}.json`);
      writeFileSync(`${file}.tmp`, JSON.stringify(stored));
      renameSync(`${file}.tmp`, file);
      process.stderr.write(`${world.id}: ${LESSON_SEEDS.length} seeds in ${((performance.now() - t) / 1000).toFixed(0)} s\n`);
    }
  } finally {
    await pool.close();
  }
  process.stdout.write(`wrote ${DIR}/*.json in ${((performance.now() - t0) / 60000).toFixed(1)} min\n`);
}

main(process.argv.slice(2)).catch((e) => {
  process.stderr.write(`error: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(e instanceof ConfigError ? 2 : 1);
});
