/**
 * Regenerates the lesson's stored results: trains every lesson world (src/engine/studies/lessons.ts)
 * for the lesson's seeds with the three models, and writes public/lessons/<world>.json,
 * which the app's Lesson view (and the Lab's first page) show at once, marked as stored.
 * Each simulated world also trains its first DECOMPOSITION_WORLDS seeds with a second model
 * seed, so that the stored run says where the seed-to-seed variance of the joint gain comes
 * from. A real catalogue's world (public/data/<folder>/) trains its seeds on those files, with
 * one split (drawn from the first seed): its seeds vary only the models' initialisation and
 * batch order, so there is no world variance to decompose and no second model seed.
 *
 *   npm run lessons -- [--only ID[,ID]] [--jobs J] [--reuse FILE[,FILE]] [--shard i/n --out DIR | --merge DIR...] [--docs-only]
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { sign } from '../engine/eval/evidence';
import type { Interval } from '../engine/core/report';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import type { ImportedData } from '../engine/data/import';
import { importedReportConfig } from '../engine/data/seed-data';
import { shippedCatalogue } from './data-folder';
import type { DataSource } from './seed-worker';
import { ConfigError } from '../engine/core/config';
import { decompositionOf, DECOMPOSITION_WORLDS, INIT_OFFSET, LESSON_SEEDS, LESSON_WORLDS, lessonConfig, type StoredLessonRun } from '../engine/studies/lessons';
import { useNodeBackend } from '../engine/run/node-backends';
import { parseShard } from '../engine/studies/shards';
import { flagsOf, helpRequested, parseFlags, parseIntFlag } from './args';
import { LESSONS } from './commands';
import { mergeBatch, reportFrom, reusedRuns, runBatch, splitMerge, writeAtomic, type Job, type RunStore } from './batch';

const DIR = 'public/lessons';

async function main(args: string[]) {
  helpRequested(args, LESSONS);
  const { dirs: mergeDirs, rest } = splitMerge(args);
  const { values, switches } = parseFlags(rest, LESSONS, flagsOf(LESSONS).filter((f) => f.name !== 'merge'));
  if (switches.has('docs-only')) {
    writeDocs();
    process.stdout.write('wrote docs/lessons.md from public/lessons/*.json\n');
    return;
  }
  const ids = LESSON_WORLDS.map((w) => w.id);
  const only = values.only ? values.only.split(',') : ids;
  for (const id of only) if (!ids.includes(id)) throw new ConfigError(`unknown lesson world "${id}"; worlds: ${ids.join(', ')}`);
  const threads = values.jobs === undefined ? availableParallelism() : parseIntFlag('jobs', values.jobs, 1, 64);
  const shard = values.shard === undefined ? undefined : parseShard(values.shard, process.env);
  if (shard && mergeDirs) throw new ConfigError('--shard and --merge are separate steps: run each shard with --shard i/n --out DIR, then --merge DIR...');
  const worlds = LESSON_WORLDS.filter((w) => only.includes(w.id));
  // Real catalogues: read and imported here first (a bad file stops the run before any training).
  const catalogues = new Map<string, { source: DataSource; imported: ImportedData }>();
  for (const w of worlds) if (w.data) catalogues.set(w.id, shippedCatalogue(w.data, lessonConfig(w)));
  const jobs: Job[] = [];
  for (const w of worlds) {
    const cfg = lessonConfig(w);
    const data = catalogues.get(w.id)?.source;
    for (const seed of LESSON_SEEDS) jobs.push({ cfg, seed, data });
    if (!data) for (const seed of LESSON_SEEDS.slice(0, DECOMPOSITION_WORLDS)) jobs.push({ cfg: { ...cfg, initSeed: INIT_OFFSET + seed }, seed });
  }
  await useNodeBackend('wasm');
  const t0 = performance.now();
  const log = (t: string) => process.stderr.write(t);
  const reused = values.reuse ? reusedRuns(values.reuse.split(','), jobs, log) : undefined;
  let store: RunStore;
  if (mergeDirs) store = mergeBatch('lessons', jobs, mergeDirs, reused);
  else {
    log(`npm run lessons: ${jobs.length} jobs${reused ? `, ${reused.size} of them reused` : ''}${shard ? `, shard ${shard.index}/${shard.count}` : ''} on ${threads} thread(s)\n`);
    store = await runBatch('lessons', jobs, { threads, shard, outDir: values.out, log, reused });
    if (shard) {
      process.stdout.write(`shard ${shard.index}/${shard.count} done in ${((performance.now() - t0) / 60000).toFixed(1)} min; wrote ${join(values.out ?? 'out', 'shard.json')}\n`);
      return;
    }
  }
  mkdirSync(DIR, { recursive: true });
  for (const world of worlds) {
    const cfg = lessonConfig(world);
    const catalogue = catalogues.get(world.id);
    const report = reportFrom(store, cfg, LESSON_SEEDS, catalogue?.source);
    if (catalogue) report.config = importedReportConfig(cfg, catalogue.imported);
    const reinit = catalogue ? [] : LESSON_SEEDS.slice(0, DECOMPOSITION_WORLDS).map((seed) => reportFrom(store, { ...cfg, initSeed: INIT_OFFSET + seed }, [seed]).runs[0]);
    const stored: StoredLessonRun = {
      schema: 'bridge-lab/lesson-run@1', world, createdAt: new Date().toISOString(),
      command: `npm run lessons${values.only ? ` -- --only ${world.id}` : ''}`, backend: 'wasm (Node)', report,
      ...(catalogue ? {} : { decomposition: decompositionOf(report, reinit) }),
    };
    const file = join(DIR, `${world.id}.json`);
    writeAtomic(file, JSON.stringify(stored));
  }
  writeDocs();
  process.stdout.write(`wrote ${worlds.length} world(s) to ${DIR}/ and docs/lessons.md in ${((performance.now() - t0) / 60000).toFixed(1)} min\n`);
}

const pct = (x: number) => `${x >= 0 ? '+' : '−'}${Math.abs(x * 100).toFixed(1)} %`;
const gainText = (g: Interval | undefined) => (g ? `${pct(g.mean)}${g.ci95 ? ` [${pct(g.ci95[0])}, ${pct(g.ci95[1])}]` : ''}${sign(g) === 'includes 0' ? ' (includes 0)' : ''}` : '—');
/** A variance as the share of the total and as a standard deviation in points of relative gain. */
const part = (v: number, total: number) => `${total > 0 ? Math.round((100 * v) / total) : 0} % (SD ${(Math.sqrt(v) * 100).toFixed(1)} pp)`;

/** docs/lessons.md: each stored world's joint gains, and where their seed-to-seed variance comes from. */
function writeDocs() {
  const lines = ['# The lesson\'s stored runs', '',
    'Written by `npm run lessons` from `public/lessons/*.json` (what the app\'s Lesson view shows). Joint gain: relative change of Recall@10 of Gen_R+S over the single-task model, paired per seed, mean and 95 % t-interval over the seeds.', '',
    `**Where the variance of the gain comes from.** Each world's first ${DECOMPOSITION_WORLDS} seeds are trained a second time with another model seed (\`initSeed\` = ${INIT_OFFSET} + seed), on the same world. A one-way random-effects decomposition splits one seed's variance into the *world* (catalogue and training data: more seeds help), the *model initialisation* and batch order (more seeds help), and the *test sample* (a bootstrap over each seed's test examples: bigger test sets help). The three are estimates from ${DECOMPOSITION_WORLDS} worlds × 2 inits and can be rough; where the between-world variance is smaller than the measured test-sample variance, the world’s share is shown as 0.`, '',
    '| world | seeds | rec joint gain | search joint gain | rec gain variance: world · init · test sample | search gain variance: world · init · test sample |',
    '| --- | --- | --- | --- | --- | --- |'];
  for (const w of LESSON_WORLDS) {
    const file = join(DIR, `${w.id}.json`);
    if (!existsSync(file)) continue;
    const stored = JSON.parse(readFileSync(file, 'utf8')) as StoredLessonRun;
    const g = stored.report.summary.jointGain;
    const v = (t: 'rec' | 'search') => {
      if (w.data) return 'one catalogue, one split: its seeds vary the initialisation alone';
      const x = stored.decomposition?.sources[t];
      return x ? `${part(x.world, x.total)} · ${part(x.init, x.total)} · ${part(x.testSample, x.total)}` : '—';
    };
    lines.push(`| ${w.id} (${w.label}) | ${stored.report.seeds.length} | ${gainText(g.rec)} | ${gainText(g.search)} | ${v('rec')} | ${v('search')} |`);
  }
  writeAtomic('docs/lessons.md', `${lines.join('\n')}\n`);
}

main(process.argv.slice(2)).catch((e) => {
  process.stderr.write(`error: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(e instanceof ConfigError ? 2 : 1);
});
