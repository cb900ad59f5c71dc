/**
 * Regenerates the findings: runs every built-in experiment (and the ablations) with real
 * training, and writes public/findings/*.json (read by the app's Findings view),
 * docs/findings/*.svg and docs/findings.md.
 *
 *   npm run findings -- [--seeds K] [--only NAME[,NAME]] [--jobs J] [--docs-only]
 *
 * --docs-only rewrites docs/ from the JSON already in public/findings/ without training.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { parseShard } from '../engine/shards';
import { seedList } from '../engine/experiment';
import { mergeBatch, reportFrom, runBatch, splitMerge, uniqueJobs, type Job, type RunStore } from './batch';
import { join } from 'node:path';
import { ConfigError, defaultConfig, resolveConfig, type Config, type ConfigKey } from '../engine/config';
import { assembleReport } from '../engine/experiment';
import { CLAIMS, trend } from '../engine/findings';
import { idsFindings } from '../engine/findings-ids';
import { useNodeBackend } from '../engine/node-backends';
import type { Report } from '../engine/report';
import { checkSweep, pointConfig, runSweep, SWEEP_EXPERIMENTS, type Sweep, type SweepPoint } from '../engine/sweep';
import { ABLATION_BASE, ABLATIONS, runAblations, type AblationStudy } from '../engine/ablations';
import { parseFlags, parseIntFlag } from './args';
import { SeedPool } from './pool';
import { lineChartSvg } from './svg';

const JSON_DIR = 'public/findings';
const DOC_DIR = 'docs';
const pct = (x: number | undefined) => (x === undefined || !Number.isFinite(x) ? '—' : `${x >= 0 ? '+' : ''}${(x * 100).toFixed(1)} %`);
const f = (x: number | undefined, d = 3) => (x === undefined || !Number.isFinite(x) ? '—' : x.toFixed(d));

function write(file: string, text: string) {
  writeFileSync(`${file}.tmp`, text);
  renameSync(`${file}.tmp`, file);
}

function changed(cfg: Config): string {
  const d = defaultConfig();
  return (Object.keys(cfg) as ConfigKey[]).filter((k) => cfg[k] !== d[k] && k !== 'seed').map((k) => `${k}=${cfg[k]}`).join(', ') || 'the defaults';
}

function gainCell(g: SweepPoint['jointGain']['rec']) {
  return g ? `${pct(g.mean)}${g.ci95 ? ` [${pct(g.ci95[0])}, ${pct(g.ci95[1])}]` : ''}` : '—';
}

function sweepSection(s: Sweep): string {
  const e = SWEEP_EXPERIMENTS.find((x) => x.name === s.experiment)!;
  const xOf = (p: SweepPoint) => (e.name === 'h1-divergence' ? p.dataStats.popularityKL.recVsSearch : Number(p.value));
  const xLabel = e.name === 'h1-divergence' ? 'KL(p_R‖p_S) of the world' : e.key;
  const svg = lineChartSvg({
    title: e.title, xLabel, yLabel: 'joint gain in Recall@10', percent: true, zeroLine: true,
    series: [
      { name: 'recommendation', color: '#d62728', points: s.points.map((p) => ({ x: xOf(p), y: p.jointGain.rec?.mean ?? NaN, lo: p.jointGain.rec?.ci95?.[0], hi: p.jointGain.rec?.ci95?.[1] })) },
      { name: 'search', color: '#1f77b4', points: s.points.map((p) => ({ x: xOf(p), y: p.jointGain.search?.mean ?? NaN, lo: p.jointGain.search?.ci95?.[0], hi: p.jointGain.search?.ci95?.[1] })) },
    ],
  });
  write(join(DOC_DIR, 'findings', `${e.name}.svg`), svg);
  const lines = [`## ${e.title}`, '', `*${e.question}*`, '',
    `Settings: ${changed(s.config)}; swept \`${e.key}\` over ${e.values.join(', ')}; seeds ${s.seeds.join(', ')}${s.complete ? '' : ` (**incomplete**: ${s.points.length} of ${e.values.length} points)`}.`, '',
    `![${e.title}](findings/${e.name}.svg)`, '',
    `| ${e.key} | KL(p_R‖p_S) | rec gain [95 % CI] | search gain [95 % CI] | Gen_R R@10 | Gen_R+S rec R@10 | Gen_S R@10 | Gen_R+S search R@10 | pop KL Gen_R → Gen_R+S | content / CF: Gen_S · Gen_R · Gen_R+S |`,
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |'];
  for (const p of s.points) {
    const emb = (m: 'search' | 'rec' | 'joint') => `${f(p.embedding[m]?.contentAgreement, 2)}/${f(p.embedding[m]?.cfAgreement, 2)}`;
    lines.push(`| ${p.value} | ${f(p.dataStats.popularityKL.recVsSearch)} | ${gainCell(p.jointGain.rec)} | ${gainCell(p.jointGain.search)} | ${f(p.models.rec?.rec?.recall)} | ${f(p.models.joint?.rec?.recall)} | ${f(p.models.search?.search?.recall)} | ${f(p.models.joint?.search?.recall)} | ${f(p.models.rec?.rec?.kl)} → ${f(p.models.joint?.rec?.kl)} | ${emb('search')} · ${emb('rec')} · ${emb('joint')} |`);
  }
  lines.push('', '**What it says** (trend = Spearman ρ of the quantity along the x axis over the points; |ρ| ≥ 0.7 counts as a trend):', '');
  for (const c of CLAIMS.filter((x) => x.experiment === e.name)) {
    const t = trend(c, s);
    const verdict = { agrees: '**agrees**', disagrees: '**disagrees**', unclear: '**no clear trend** (neither confirms nor refutes)', 'no claim': 'reported without an expected direction' }[t.verdict];
    lines.push(`- ${c.text} Observed: ${c.y.label} ${t.observed} with ${c.x.label} (ρ = ${f(t.rho, 2)}) — ${verdict}.`);
  }
  return lines.join('\n');
}

function idsSection(s: Sweep): string {
  const e = SWEEP_EXPERIMENTS.find((x) => x.name === s.experiment)!;
  const series = (name: string, color: string, get: (p: SweepPoint) => number | undefined) => ({ name, color, points: s.points.map((p, i) => ({ x: i, y: get(p) ?? NaN })).filter((p) => Number.isFinite(p.y)) });
  write(join(DOC_DIR, 'findings', `${e.name}.svg`), lineChartSvg({
    title: e.title, xLabel: 'item IDs', yLabel: 'Recall@10', xTicks: s.points.map((p, i) => ({ x: i, label: String(p.value) })),
    series: [
      series('Gen_R cold', '#d62728', (p) => p.models.rec?.rec?.coldRecall),
      series('Gen_R+S cold', '#9467bd', (p) => p.models.joint?.rec?.coldRecall),
      series('Gen_R warm', '#ff9896', (p) => p.models.rec?.rec?.warmRecall),
      series('Gen_S', '#1f77b4', (p) => p.models.search?.search?.recall),
    ],
  }));
  const lines = [`## ${e.title}`, '', `*${e.question}*`, '',
    `Settings: ${changed(s.config)}; the points: ${e.values.join(', ')} (idLevels=${s.config.idLevels}, idCodebook=${s.config.idCodebook}, idTokens=${s.config.idTokens}); seeds ${s.seeds.join(', ')}${s.complete ? '' : ` (**incomplete**: ${s.points.length} of ${e.values.length} points)`}.`, '',
    `![${e.title}](findings/${e.name}.svg)`, '',
    '| IDs | codes per item · colliding items | Gen_S R@10 | Gen_R R@10 (warm / cold) | Gen_R+S rec R@10 (warm / cold) | Gen_R+S search R@10 | rec gain [95 % CI] | pop KL Gen_R → Gen_R+S | content agreement Gen_R · Gen_R+S | validRate (lowest) |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |'];
  for (const p of s.points) {
    const r = p.models.rec?.rec, j = p.models.joint?.rec;
    const valid = Math.min(...Object.values(p.models).flatMap((m) => Object.values(m ?? {}).map((t) => t?.validRate ?? Infinity)));
    lines.push(`| ${p.value} | ${p.ids ? `${f(p.ids.length, 0)} · ${f(p.ids.collisions, 0)}` : '1 · 0'} | ${f(p.models.search?.search?.recall)} | ${f(r?.recall)} (${f(r?.warmRecall)} / ${f(r?.coldRecall)}) | ${f(j?.recall)} (${f(j?.warmRecall)} / ${f(j?.coldRecall)}) | ${f(p.models.joint?.search?.recall)} | ${gainCell(p.jointGain.rec)} | ${f(r?.kl)} → ${f(j?.kl)} | ${f(p.embedding.rec?.contentAgreement, 2)} · ${f(p.embedding.joint?.contentAgreement, 2)} | ${Number.isFinite(valid) ? f(valid, 4) : '—'} |`);
  }
  lines.push('', '**What it says** (differences paired by seed, mean [95 % CI]; a difference holds when its interval excludes 0):', '');
  for (const st of idsFindings(s)) {
    const verdict = { agrees: '**agrees**', disagrees: '**disagrees**', unclear: '**unclear** (the interval includes 0)', 'no claim': 'reported without an expected direction' }[st.verdict];
    lines.push(`- ${st.text} Observed: ${st.observed} — ${verdict}.`);
  }
  return lines.join('\n');
}

function ablationSection(a: AblationStudy): string {
  const lines = ['## Ablations: separating the two mechanisms', '',
    `Settings: ${changed(a.config)}; seeds ${a.seeds.join(', ')}. Only Gen_R+S changes between rows; Gen_R and Gen_S are trained alongside each time.`, '',
    '| joint model | rec R@10 Gen_R → Gen_R+S | rec gain [95 % CI] | pop-KL advantage (Gen_R − Gen_R+S) | Gen_R+S content / CF | content advantage over Gen_R | CF advantage over Gen_S |',
    '| --- | --- | --- | --- | --- | --- | --- |'];
  for (const v of a.variants) {
    const m = v.summary;
    lines.push(`| ${v.label} | ${f(m.recRecall)} → ${f(m.jointRecRecall)} | ${gainCell(m.recGain)} | ${f(m.klAdvantage)} | ${f(m.jointContent, 2)} / ${f(m.jointCf, 2)} | ${f(m.contentAdvantage, 2)} | ${f(m.cfAdvantage, 2)} |`);
  }
  const base = a.variants[0].summary;
  const by = (n: string) => a.variants.find((v) => v.name === n)?.summary;
  const bias = by('perTaskBias');
  const emb = by('perTaskEmbeddings');
  lines.push('', '**What it says:**', '');
  // A change counts when it removes at least a fifth of the advantage.
  const change = (from: number, to: number) => (from <= 0 ? 'has no advantage to lose' : to <= from * 0.2 ? '**largely disappears**' : to <= from * 0.8 ? '**shrinks**' : '**barely changes**');
  if (bias) lines.push(`- Per-task output bias: the popularity-KL advantage of the joint model goes from ${f(base.klAdvantage)} to ${f(bias.klAdvantage)} — it ${change(base.klAdvantage, bias.klAdvantage)} (H1 expects it to shrink); the recommendation gain goes from ${pct(base.recGain?.mean)} to ${pct(bias.recGain?.mean)}.`);
  if (emb) lines.push(`- Per-task item embeddings: the joint model's content-agreement advantage over Gen_R goes from ${f(base.contentAdvantage, 2)} to ${f(emb.contentAdvantage, 2)} — it ${change(base.contentAdvantage, emb.contentAdvantage)} (H2 expects it to disappear); its popularity-KL advantage goes from ${f(base.klAdvantage)} to ${f(emb.klAdvantage)}; the recommendation gain from ${pct(base.recGain?.mean)} to ${pct(emb.recGain?.mean)}.`);
  const pop = by('popularityRemoved');
  if (pop) lines.push(`- Search popularity removed from the joint model's search data: recommendation gain ${pct(base.recGain?.mean)} → ${pct(pop.recGain?.mean)}, popularity-KL advantage ${f(base.klAdvantage)} → ${f(pop.klAdvantage)}.`);
  return lines.join('\n');
}

function writeDocs(meta: { seconds: number; date: string }) {
  mkdirSync(join(DOC_DIR, 'findings'), { recursive: true });
  const sections: string[] = [];
  for (const e of SWEEP_EXPERIMENTS) {
    const file = join(JSON_DIR, `${e.name}.json`);
    if (existsSync(file)) sections.push(e.variants ? idsSection(JSON.parse(readFileSync(file, 'utf8'))) : sweepSection(JSON.parse(readFileSync(file, 'utf8'))));
  }
  const abl = join(JSON_DIR, 'ablations.json');
  if (existsSync(abl)) sections.push(ablationSection(JSON.parse(readFileSync(abl, 'utf8'))));
  const head = ['# Findings', '',
    `Generated by \`npm run findings\` (${meta.date}; seeds as listed per experiment; wasm backend in Node; ${meta.seconds ? `${(meta.seconds / 60).toFixed(1)} minutes on this 2-core machine` : 'rewritten from the stored runs'}).`,
    'Every number comes from training the three models; the statements below are computed from the points, not written by hand. The same runs are in `public/findings/*.json` and in the app\'s Findings view.',
    'Joint gain = relative change of Recall@10 of Gen_R+S over the single-task model on the same task, mean over seeds with a 95 % t-interval. Models are evaluated at their best validation epoch (early stopping, README).',
    'With three seeds the intervals are wide: a trend of the means can sit inside overlapping intervals. Read the tables with that in mind.'];
  write(join(DOC_DIR, 'findings.md'), [...head, '', ...sections.map((s) => `${s}\n`)].join('\n'));
}

/** Seeds per experiment: --seeds for all, else the experiment's own (a power calculation; at least 10). */
export const MIN_SEEDS = 10;

async function main(args: string[]) {
  const { dirs: mergeDirs, rest: argv } = splitMerge(args);
  const { values, switches } = parseFlags(argv, { values: ['seeds', 'only', 'jobs', 'shard', 'out'], switches: ['docs-only'] });
  const seedOverride = values.seeds === undefined ? null : parseIntFlag('seeds', values.seeds, 2, 200);
  const names = [...SWEEP_EXPERIMENTS.map((e) => e.name), 'ablations'];
  const only = values.only ? values.only.split(',') : names;
  for (const n of only) if (!names.includes(n)) throw new ConfigError(`unknown experiment "${n}"; experiments: ${names.join(', ')}`);
  const threads = values.jobs === undefined ? availableParallelism() : parseIntFlag('jobs', values.jobs, 1, 64);
  const shard = values.shard === undefined ? undefined : parseShard(values.shard);
  if (shard && mergeDirs) throw new ConfigError('--shard and --merge are separate steps: run each shard with --shard i/n --out DIR, then --merge DIR...');
  const t0 = performance.now();
  if (switches.has('docs-only')) {
    writeDocs({ seconds: 0, date: new Date().toISOString().slice(0, 10) });
    process.stdout.write(`wrote ${DOC_DIR}/findings.md and ${DOC_DIR}/findings/*.svg from ${JSON_DIR}/*.json\n`);
    return;
  }
  const experiments = SWEEP_EXPERIMENTS.filter((x) => only.includes(x.name)).map((e) => {
    const base = resolveConfig(e.base);
    return { e, base, seeds: seedList(1, seedOverride ?? Math.max(MIN_SEEDS, e.seeds ?? MIN_SEEDS)) };
  });
  const ablationSeeds = seedList(1, seedOverride ?? MIN_SEEDS);
  const jobs: Job[] = [];
  for (const { e, base, seeds } of experiments) {
    checkSweep(base, e.key, e.values, e.name);
    for (const v of e.values) for (const seed of seeds) jobs.push({ cfg: pointConfig(base, e.key, v, e.name), seed });
  }
  if (only.includes('ablations')) for (const v of ABLATIONS) for (const seed of ablationSeeds) jobs.push({ cfg: resolveConfig({ ...ABLATION_BASE, ...v.values }), seed });
  const log = (t: string) => process.stderr.write(t);
  await useNodeBackend('wasm');
  let store: RunStore;
  if (mergeDirs) store = mergeBatch('findings', jobs, mergeDirs);
  else {
    log(`npm run findings: ${uniqueJobs(jobs).length} jobs (one seed of one world each)${shard ? `, shard ${shard.index}/${shard.count}` : ''} on ${threads} thread(s)\n`);
    store = await runBatch('findings', jobs, { threads, shard, outDir: values.out, log });
    if (shard) {
      process.stdout.write(`shard ${shard.index}/${shard.count} done in ${((performance.now() - t0) / 60000).toFixed(1)} min; wrote ${join(values.out ?? 'out', 'shard.json')}\n`);
      return;
    }
  }
  mkdirSync(JSON_DIR, { recursive: true });
  for (const { e, base, seeds } of experiments) {
    const sweep = await runSweep(base, e.key, e.values, { seeds, experiment: e.name, runPoint: async (cfg, s) => reportFrom(store, cfg, s) });
    write(join(JSON_DIR, `${e.name}.json`), JSON.stringify(sweep));
  }
  if (only.includes('ablations')) {
    const study = await runAblations(ABLATIONS, ablationSeeds, async (cfg, s) => reportFrom(store, cfg, s));
    write(join(JSON_DIR, 'ablations.json'), JSON.stringify(study));
  }
  writeDocs({ seconds: mergeDirs ? 0 : (performance.now() - t0) / 1000, date: new Date().toISOString().slice(0, 10) });
  process.stdout.write(`wrote ${DOC_DIR}/findings.md, ${DOC_DIR}/findings/*.svg and ${JSON_DIR}/*.json in ${((performance.now() - t0) / 60000).toFixed(1)} min\n`);
}

main(process.argv.slice(2)).catch((e) => {
  process.stderr.write(`error: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(e instanceof ConfigError ? 2 : 1);
});
