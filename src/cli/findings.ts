/**
 * Regenerates the findings: runs every built-in experiment (and the ablations) with real
 * training, and writes public/findings/*.json (read by the app's Findings view),
 * docs/findings/*.svg and docs/findings.md.
 *
 *   npm run findings -- [--seeds K] [--only NAME[,NAME]] [--jobs J] [--reuse FILE[,FILE]] [--shard i/n --out DIR | --merge DIR...] [--docs-only]
 *
 * --docs-only rewrites docs/ from the JSON already in public/findings/ without training.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { parseShard } from '../engine/studies/shards';
import { seedList } from '../engine/run/experiment';
import { mergeBatch, reportFrom, reusedRuns, runBatch, splitMerge, uniqueJobs, writeAtomic, type Job, type RunStore } from './batch';
import { shippedCatalogue } from './data-folder';
import { importedReportConfig } from '../engine/data/seed-data';
import { join } from 'node:path';
import { ConfigError, defaultConfig, resolveConfig, type Config, type ConfigKey } from '../engine/core/config';
import { pText, sign, TREND_METHOD, type Trend } from '../engine/eval/evidence';
import { claimOf, findingsClaims, powerText, qText, shortOfPower, slopeText, trendsFor, verdictText, type FindingsClaim } from '../engine/studies/findings';
import { quantityLabel } from '../engine/studies/trends';
import { useNodeBackend } from '../engine/run/node-backends';
import { checkSweep, experimentConfig, pointConfig, runSweep, SWEEP_EXPERIMENTS, type Sweep, type SweepPoint } from '../engine/studies/sweep';
import { ABLATION_BASE, ABLATIONS, ablationChange, runAblations, type AblationStudy, type AblationSummary } from '../engine/studies/ablations';
import { flagsOf, helpRequested, parseFlags, parseIntFlag } from './args';
import { FINDINGS } from './commands';
import { lineChartSvg } from './svg';

const JSON_DIR = 'public/findings';
const DOC_DIR = 'docs';
const pct = (x: number | undefined) => (x === undefined || !Number.isFinite(x) ? '—' : `${x >= 0 ? '+' : ''}${(x * 100).toFixed(1)} %`);
const f = (x: number | undefined, d = 3) => (x === undefined || !Number.isFinite(x) ? '—' : x.toFixed(d));


function changed(cfg: Config): string {
  const d = defaultConfig();
  const data = (cfg as { data?: { name: string } }).data;
  // On a real catalogue: which one, and the settings that apply there (the simulation's keys do not).
  const keys = (Object.keys(cfg) as ConfigKey[]).filter((k) => k in d && typeof cfg[k] !== 'object' && cfg[k] !== d[k] && k !== 'seed' && !(data && k === 'items'));
  const text = keys.map((k) => `${k}=${cfg[k]}`).join(', ') || 'the defaults';
  return data ? `the real catalogue \`public/data/${data.name}\` (${cfg.items.toLocaleString('en-US')} items), ${text}` : text;
}

function gainCell(g: SweepPoint['jointGain']['rec']) {
  return g ? `${pct(g.mean)}${g.ci95 ? ` [${pct(g.ci95[0])}, ${pct(g.ci95[1])}]` : ''}` : '—';
}

/** A study's paired comparisons (findings-ids.ts, findings-h1.ts), as lines. */
function verdictLines(s: Sweep, others: Record<string, Sweep>): string[] {
  return (SWEEP_EXPERIMENTS.find((x) => x.name === s.experiment)?.verdicts?.(s, others) ?? []).map((st) => {
    const verdict = { agrees: '**agrees**', disagrees: '**disagrees**', unclear: '**unclear** (the interval includes 0)', 'no claim': 'reported without an expected direction' }[st.verdict];
    return `- ${st.text} Observed: ${st.observed} — ${verdict}.`;
  });
}

function sweepSection(s: Sweep, claims: FindingsClaim[], others: Record<string, Sweep>): string {
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
  writeAtomic(join(DOC_DIR, 'findings', `${e.name}.svg`), svg);
  writeAtomic(join(DOC_DIR, 'findings', `${e.name}.json`), JSON.stringify({ ...s, trends: trendsFor(s) }, null, 1));
  const lines = [`## ${e.title}`, '', `*${e.question}*`, '',
    `Settings: ${changed(s.config)}; swept \`${e.key}\` over ${s.values.join(', ')}${s.values.length < e.values.length ? ` (the study now has ${e.values.join(', ')}: these runs were made before the others were added)` : ''}; seeds ${s.seeds.join(', ')}${s.complete ? '' : ` (**incomplete**: ${s.points.length} of ${s.values.length} points)`}. ${madeWith(s)}`, '',
    `![${e.title}](findings/${e.name}.svg)`, '',
    `| ${e.key} | KL(p_R‖p_S): world · realised in training | rec gain [95 % CI] | search gain [95 % CI] | Gen_R R@10 | Gen_R+S rec R@10 | Gen_S R@10 | Gen_R+S search R@10 | pop KL Gen_R → Gen_R+S | content / CF: Gen_S · Gen_R · Gen_R+S | references: BM25 · bi-encoder search / rec R@10 |`,
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |'];
  for (const p of s.points) {
    const emb = (m: 'search' | 'rec' | 'joint') => `${f(p.embedding[m]?.contentAgreement, 2)}/${f(p.embedding[m]?.cfAgreement, 2)}`;
    lines.push(`| ${p.value} | ${f(p.dataStats.popularityKL.recVsSearch)} · ${f(realisedKL(p))} | ${gainCell(p.jointGain.rec)} | ${gainCell(p.jointGain.search)} | ${f(p.models.rec?.rec?.recall)} | ${f(p.models.joint?.rec?.recall)} | ${f(p.models.search?.search?.recall)} | ${f(p.models.joint?.search?.recall)} | ${f(p.models.rec?.rec?.kl)} → ${f(p.models.joint?.rec?.kl)} | ${emb('search')} · ${emb('rec')} · ${emb('joint')} | ${referenceCell(p)} |`);
  }
  if (s.points.some((p) => !p.models.bm25 || !p.models.biencoder)) lines.push('', '(References marked — were not in the stored runs: they predate BM25 or the bi-encoder; `npm run findings` trains them.)');
  lines.push('', '**What it says** (each slope from all seed × value points, its 95 % interval from a bootstrap over whole seeds; [method](#how-the-verdicts-are-made)):', '');
  lines.push(...trendLines(trendsFor(s), claims, e.name));
  const paired = verdictLines(s, others);
  if (paired.length) lines.push('', '**Paired by seed** (95 % t-intervals):', '', ...paired);
  return lines.join('\n');
}

/** The point's mean realised KL(p̂_R‖p̂_S): stored with the point, or (points stored before it was) from its per-seed values. */
function realisedKL(p: SweepPoint): number | undefined {
  const xs = p.seedValues?.popularityKL.realised;
  return p.dataStats.trainPopularityKL?.recVsSearch ?? (xs?.length ? xs.reduce((a, b) => a + b, 0) / xs.length : undefined);
}

/** BM25's search Recall@10, and the bi-encoder's on search / rec. */
function referenceCell(p: SweepPoint): string {
  return `${f(p.models.bm25?.search?.recall)} · ${f(p.models.biencoder?.search?.recall)} / ${f(p.models.biencoder?.rec?.recall)}`;
}

function trendLines(ts: Trend[], claims: FindingsClaim[], study: string): string[] {
  return ts.map((t) => {
    const c = claimOf(claims, study, t);
    const verdict = c?.verdict ?? t.verdict;
    const test = c ? `; ${qText(c, claims.length)}` : '';
    const power = powerText(t, verdict);
    return `- ${t.expected === undefined || t.expected === null ? `${t.claim} (no direction expected)` : t.claim} Observed: ${quantityLabel(t.y)} against ${t.x}: ${slopeText(t)} — **${verdict}** (${verdictText(t).replace(/^[a-z ]+: /, '')}${test}).${power ? ` ${power}` : ''}`;
  });
}

function idsSection(s: Sweep, others: Record<string, Sweep>): string {
  const e = SWEEP_EXPERIMENTS.find((x) => x.name === s.experiment)!;
  const series = (name: string, color: string, get: (p: SweepPoint) => number | undefined) => ({ name, color, points: s.points.map((p, i) => ({ x: i, y: get(p) ?? NaN })).filter((p) => Number.isFinite(p.y)) });
  writeAtomic(join(DOC_DIR, 'findings', `${e.name}.svg`), lineChartSvg({
    title: e.title, xLabel: 'item IDs', yLabel: 'Recall@10', xTicks: s.points.map((p, i) => ({ x: i, label: String(p.value) })),
    series: [
      series('Gen_R cold', '#d62728', (p) => p.models.rec?.rec?.coldRecall),
      series('Gen_R+S cold', '#9467bd', (p) => p.models.joint?.rec?.coldRecall),
      series('Gen_R warm', '#ff9896', (p) => p.models.rec?.rec?.warmRecall),
      series('Gen_S', '#1f77b4', (p) => p.models.search?.search?.recall),
      series('Gen_R+S search', '#6a3d9a', (p) => p.models.joint?.search?.recall),
    ],
  }));
  writeAtomic(join(DOC_DIR, 'findings', `${e.name}.json`), JSON.stringify({ ...s, trends: trendsFor(s) }, null, 1));
  const lines = [`## ${e.title}`, '', `*${e.question}*`, '',
    `Settings: ${changed(s.config)}; the points: ${e.values.join(', ')} (idLevels=${s.config.idLevels}, idCodebook=${s.config.idCodebook}, idTokens=${s.config.idTokens}); seeds ${s.seeds.join(', ')}${s.complete ? '' : ` (**incomplete**: ${s.points.length} of ${e.values.length} points)`}. ${madeWith(s)}`, '',
    `![${e.title}](findings/${e.name}.svg)`, '',
    '| IDs | codes per item · colliding items | Gen_S R@10 | Gen_R R@10 (warm / cold) | Gen_R+S rec R@10 (warm / cold) | Gen_R+S search R@10 | rec gain [95 % CI] | pop KL Gen_R → Gen_R+S | content agreement Gen_R · Gen_R+S | validRate (lowest) |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |'];
  for (const p of s.points) {
    const r = p.models.rec?.rec, j = p.models.joint?.rec;
    const valid = Math.min(...Object.values(p.models).flatMap((m) => Object.values(m ?? {}).map((t) => t?.validRate ?? Infinity)));
    lines.push(`| ${p.value} | ${p.ids ? `${f(p.ids.length, 0)} · ${f(p.ids.collisions, 0)}` : '1 · 0'} | ${f(p.models.search?.search?.recall)} | ${f(r?.recall)} (${f(r?.warmRecall)} / ${f(r?.coldRecall)}) | ${f(j?.recall)} (${f(j?.warmRecall)} / ${f(j?.coldRecall)}) | ${f(p.models.joint?.search?.recall)} | ${gainCell(p.jointGain.rec)} | ${f(r?.kl)} → ${f(j?.kl)} | ${f(p.embedding.rec?.contentAgreement, 2)} · ${f(p.embedding.joint?.contentAgreement, 2)} | ${Number.isFinite(valid) ? f(valid, 4) : '—'} |`);
  }
  // The references do not depend on the IDs: every point trains them on the same worlds.
  const ref = s.points.find((p) => p.models.biencoder) ?? s.points[0];
  if (ref) {
    const m = ref.models;
    lines.push('', `**References** on the same worlds (mean over seeds; they do not depend on the IDs): search R@10 — Popularity ${f(m.popularity?.search?.recall)}, BM25 ${f(m.bm25?.search?.recall)}, bi-encoder ${f(m.biencoder?.search?.recall)}, Oracle ${f(m.oracle?.search?.recall)}; rec R@10 — Popularity ${f(m.popularity?.rec?.recall)}, bi-encoder ${f(m.biencoder?.rec?.recall)} (cold ${f(m.biencoder?.rec?.coldRecall)}), Oracle ${f(m.oracle?.rec?.recall)}; rec popularity KL — bi-encoder ${f(m.biencoder?.rec?.kl)}, Popularity ${f(m.popularity?.rec?.kl)}.`);
  }
  const withIds = s.points.filter((p) => p.seedValues?.ids);
  if (withIds.length) {
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    lines.push('', '**ID diagnostics**, measured on the codes before any model trains (mean over seeds; lift = share over chance, 1 = chance):', '',
      '| IDs | collision rate | first code entropy / most | first code: co-occurrence lift | first code: topic lift |', '| --- | --- | --- | --- | --- |');
    for (const p of withIds) {
      const d = p.seedValues!.ids!;
      lines.push(`| ${p.value} | ${f(mean(d.collisionRate))} | ${f(mean(d.entropy))} | ${f(mean(d.cooccurrenceLift), 2)} | ${f(mean(d.topicLift), 2)} |`);
    }
  }
  lines.push('', '**What it says** (differences paired by seed, mean [95 % CI]; a difference holds when its interval excludes 0):', '');
  lines.push(...verdictLines(s, others));
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
  lines.push('', '**What it says** (each change from the shared model to the ablated one, paired by seed, mean [95 % CI]; a change holds when its interval excludes 0):', '');
  const change = (v: AblationSummary, q: 'recGain' | 'klAdvantage' | 'contentAdvantage', percent = false) => {
    const d = ablationChange(base, v, q);
    if (!d) return 'not measured';
    const n = (x: number) => (percent ? `${x >= 0 ? '+' : '−'}${Math.abs(x * 100).toFixed(1)} pp` : `${x >= 0 ? '+' : '−'}${Math.abs(x).toFixed(3)}`);
    const s = sign(d);
    return `${n(d.mean)}${d.ci95 ? ` [${n(d.ci95[0])}, ${n(d.ci95[1])}]` : ''} (${s === 'includes 0' ? 'the interval includes 0: **not shown**' : `**${s === 'above' ? 'rises' : 'falls'}**`})`;
  };
  const bias = by('perTaskBias'), emb = by('perTaskEmbeddings'), pop = by('popularityRemoved');
  if (bias) lines.push(`- Per-task output bias (H1 expects the popularity-KL advantage to shrink): the advantage changes by ${change(bias, 'klAdvantage')} (${f(base.klAdvantage)} → ${f(bias.klAdvantage)}); the recommendation gain by ${change(bias, 'recGain', true)}.`);
  if (emb) lines.push(`- Per-task item embeddings (H2 expects the content-agreement advantage to disappear): the advantage changes by ${change(emb, 'contentAdvantage')} (${f(base.contentAdvantage, 2)} → ${f(emb.contentAdvantage, 2)}); the popularity-KL advantage by ${change(emb, 'klAdvantage')}; the recommendation gain by ${change(emb, 'recGain', true)}.`);
  if (pop) lines.push(`- Search popularity removed from the joint model's search data: the recommendation gain changes by ${change(pop, 'recGain', true)}; the popularity-KL advantage by ${change(pop, 'klAdvantage')}.`);
  return lines.join('\n');
}

/** When a study's runs were made, and which checkpoint of Gen_R+S its joint gains use. */
function madeWith(s: Sweep): string {
  const sel = (s.config as Partial<Config>).jointSelection;
  if (s.command) return `Runs: ${s.command}; joint gains with ${sel === 'perTask' ? 'per-task checkpoints' : 'one shared checkpoint'}.`;
  return `Runs made ${s.createdAt.slice(0, 10)}; joint gains with ${sel === 'perTask' ? 'per-task checkpoints' : sel === 'shared' ? 'one shared checkpoint' : 'one shared checkpoint (made before per-task checkpoints were a choice)'}.`;
}

/** How the stored runs behind this page were made: trained now (how many, how long), reused, or merged from shards. */
function provenance(meta: { seconds: number; trained?: number; reused?: number; merged?: number }): string {
  if (meta.merged) return `merged from ${meta.merged} shard folder(s) made with --shard`;
  if (meta.trained === undefined) return 'rewritten from the stored runs';
  const reused = meta.reused ? `${meta.reused} run(s) reused from stored runs (--reuse)` : '';
  if (!meta.trained) return `every run reused: ${reused}`;
  return `${meta.trained} run(s) trained then, in ${(meta.seconds / 60).toFixed(1)} minutes on this 2-core machine${reused ? `; ${reused}` : ''}`;
}

function writeDocs(meta: { seconds: number; date: string; trained?: number; reused?: number; merged?: number }) {
  mkdirSync(join(DOC_DIR, 'findings'), { recursive: true });
  const sections: string[] = [];
  const summary: string[] = ['| experiment | claim (x → y) | slope [95 % CI] | seeds | p | q | verdict at q < 0.05 |', '| --- | --- | --- | --- | --- | --- | --- |'];
  const stored = SWEEP_EXPERIMENTS.map((e) => ({ e, file: join(JSON_DIR, `${e.name}.json`) })).filter(({ file }) => existsSync(file))
    .map(({ e, file }) => ({ e, sweep: JSON.parse(readFileSync(file, 'utf8')) as Sweep }));
  const claims = findingsClaims(stored.map((x) => x.sweep));
  for (const { e, sweep } of stored) {
    const others = Object.fromEntries(stored.map((x) => [x.e.name, x.sweep]));
    sections.push(e.variants ? idsSection(sweep, others) : sweepSection(sweep, claims, others));
    for (const t of trendsFor(sweep)) {
      const c = claimOf(claims, e.name, t)!;
      summary.push(`| [${e.name}](#${anchor(e.title)}) | ${t.expected ? `${t.x} → ${quantityLabel(t.y)}, expected to ${t.expected === 'rises' ? 'rise' : 'fall'}` : `${t.x} → ${quantityLabel(t.y)}`} | ${slopeText(t).replace(/, \d+ seeds?$/, '').replace(/^slope /, '')} | ${t.seeds} | ${pText(c.p).replace(/^p (= )?/, '')} | ${pText(c.q, 'q').replace(/^q (= )?/, '')} | **${c.verdict}**${c.verdict !== t.verdict ? ` (${t.verdict} before correction)` : ''} |`);
    }
  }
  const held = claims.filter((c) => c.verdict !== 'not shown').length, raw = claims.filter((c) => c.trend.verdict !== 'not shown').length;
  const abl = join(JSON_DIR, 'ablations.json');
  if (existsSync(abl)) sections.push(ablationSection(JSON.parse(readFileSync(abl, 'utf8'))));
  const head = ['# Findings', '',
    `Generated by \`npm run findings\` (${meta.date}; wasm backend in Node; ${provenance(meta)}). Each study says when its runs were made and which checkpoint its joint gains use.`,
    'Every number comes from training the three models; every statement below is computed from the per-seed values, not written by hand. The same runs are in `public/findings/*.json` (the app\'s Findings view) and, with their trends, in `docs/findings/*.json`.',
    '',
    `The studies titled *Real data* train on a real catalogue shipped with the page (${[...new Set(SWEEP_EXPERIMENTS.filter((e) => e.data).map((e) => `\`public/data/${e.data}\``))].join(', ')}) instead of the simulator: each point keeps a share of the real logs, drawn per seed (\`dataRecUsers\`, \`dataSearchQueries\`, \`dataSearchItems\`), with one split of the catalogue for every seed, so their seeds vary the subsample and the models' initialisation. Their 100 % point is the same job as the lesson world \`movielens\`; \`--reuse public/lessons/movielens.json\` takes those runs instead of training them again.`,
    '',
    '## How the verdicts are made', '',
    `- **Joint gain**: per seed, Recall@${10} of Gen_R+S against the single-task model on the same world and the same test set, relative ((J − S) / S); across seeds, the mean with a 95 % t-interval.`,
    `- **Trends**: ${TREND_METHOD}. With the same x at every seed this is the t-interval of the per-seed slopes, so it keeps its error rate at 10 seeds (tests/unit/evidence.test.ts: on synthetic sweeps of 10 seeds × 5 values it reports a trend in 4.5 % of 200 draws without one, and finds a known trend in 58 % of draws where the power calculation predicts 59 %).`,
    '- **Verdicts**: *agrees* — the interval excludes 0 in the direction the claim expects; *disagrees* — it excludes 0 the other way; *rises* / *falls* — without an expected direction; *not shown* — the interval includes 0, with the smallest slope these seeds would have detected (80 % power, two-sided 5 %) and the seeds a slope of the observed size would need.',
    `- **Seeds**: at least ${MIN_SEEDS} per point (\`--seeds K\` overrides it). Each trend says how many seeds would detect a slope of its observed size with 80 % power (\`seedsFor80\`, from its own per-seed spread). ${underpowered(claims)}`,
    `- **Many claims**: every trend below is one test of one family of ${claims.length}. Each has its two-sided p-value (the t-test its 95 % interval inverts) and a Benjamini–Hochberg q-value over the whole family; a verdict other than *not shown* is called only at q < 0.05, so that among the claims called, the expected share of false ones is at most 5 %.`,
    '- **Named settings** (semantic IDs): differences paired by seed with a 95 % t-interval; a difference holds when its interval excludes 0. They are reported as comparisons beside the family, without a q-value.',
    '', '## Every claim at a glance', '',
    `${claims.length} claims tested; ${held} hold at q < 0.05 (${raw} would on their own 95 % intervals, uncorrected).`, '', ...summary];
  writeAtomic(join(DOC_DIR, 'findings.md'), [...head, '', ...sections.map((x) => `${x}\n`)].join('\n'));
}

/** The claims that hold with fewer seeds than 80 % power for their observed slope needs, named. */
function underpowered(claims: FindingsClaim[]): string {
  const short = claims.filter((c) => shortOfPower(c.trend, c.verdict));
  if (!short.length) return 'Every claim that holds has at least the seeds 80 % power needs for its observed slope.';
  return `${short.length} claim${short.length === 1 ? '' : 's'} that hold${short.length === 1 ? 's' : ''} had less than 80 % power for the slope observed (a rerun with more seeds would confirm ${short.length === 1 ? 'it' : 'them'}): ${short.map((c) => `${c.study} (${quantityLabel(c.trend.y)} against ${c.trend.x}: ${c.trend.seedsFor80} seeds for 80 %, run with ${c.trend.seeds})`).join('; ')}.`;
}

const anchor = (title: string) => title.toLowerCase().replace(/[^a-z0-9 -]/g, '').trim().replace(/ /g, '-');

/** Seeds per experiment: --seeds for all, else the experiment's own (a power calculation; at least 10). */
export const MIN_SEEDS = 10;

async function main(args: string[]) {
  helpRequested(args, FINDINGS);
  const { dirs: mergeDirs, rest: argv } = splitMerge(args);
  const { values, switches } = parseFlags(argv, FINDINGS, flagsOf(FINDINGS).filter((f) => f.name !== 'merge'));
  const seedOverride = values.seeds === undefined ? null : parseIntFlag('seeds', values.seeds, 2, 200);
  const names = [...SWEEP_EXPERIMENTS.map((e) => e.name), 'ablations'];
  const only = values.only ? values.only.split(',') : names;
  for (const n of only) if (!names.includes(n)) throw new ConfigError(`unknown experiment "${n}"; experiments: ${names.join(', ')}`);
  const threads = values.jobs === undefined ? availableParallelism() : parseIntFlag('jobs', values.jobs, 1, 64);
  const shard = values.shard === undefined ? undefined : parseShard(values.shard, process.env);
  if (shard && mergeDirs) throw new ConfigError('--shard and --merge are separate steps: run each shard with --shard i/n --out DIR, then --merge DIR...');
  const t0 = performance.now();
  if (switches.has('docs-only')) {
    writeDocs({ seconds: 0, date: new Date().toISOString().slice(0, 10) });
    process.stdout.write(`wrote ${DOC_DIR}/findings.md and ${DOC_DIR}/findings/*.svg from ${JSON_DIR}/*.json\n`);
    return;
  }
  const experiments = SWEEP_EXPERIMENTS.filter((x) => only.includes(x.name)).map((e) => {
    const base = experimentConfig(e);
    // A real catalogue's study: its files read and imported here first (a bad file stops the run before any training).
    const catalogue = e.data ? shippedCatalogue(e.data, base) : undefined;
    return { e, base, catalogue, seeds: seedList(1, seedOverride ?? Math.max(MIN_SEEDS, e.seeds ?? MIN_SEEDS)) };
  });
  const ablationSeeds = seedList(1, seedOverride ?? MIN_SEEDS);
  const jobs: Job[] = [];
  for (const { e, base, seeds, catalogue } of experiments) {
    checkSweep(base, e.key, e.values, e.name);
    for (const v of e.values) for (const seed of seeds) jobs.push({ cfg: pointConfig(base, e.key, v, e.name), seed, data: catalogue?.source });
  }
  if (only.includes('ablations')) for (const v of ABLATIONS) for (const seed of ablationSeeds) jobs.push({ cfg: resolveConfig({ ...ABLATION_BASE, ...v.values }), seed });
  const log = (t: string) => process.stderr.write(t);
  await useNodeBackend('wasm');
  const reused = values.reuse ? reusedRuns(values.reuse.split(','), jobs, log) : undefined;
  let store: RunStore;
  if (mergeDirs) store = mergeBatch('findings', jobs, mergeDirs, reused);
  else {
    log(`npm run findings: ${uniqueJobs(jobs).length} jobs (one seed of one world each)${reused ? `, ${reused.size} of them reused` : ''}${shard ? `, shard ${shard.index}/${shard.count}` : ''} on ${threads} thread(s)\n`);
    store = await runBatch('findings', jobs, { threads, shard, outDir: values.out, log, reused });
    if (shard) {
      process.stdout.write(`shard ${shard.index}/${shard.count} done in ${((performance.now() - t0) / 60000).toFixed(1)} min; wrote ${join(values.out ?? 'out', 'shard.json')}\n`);
      return;
    }
  }
  mkdirSync(JSON_DIR, { recursive: true });
  for (const { e, base, seeds, catalogue } of experiments) {
    const sweep = await runSweep(base, e.key, e.values, { seeds, experiment: e.name, runPoint: async (cfg, s) => reportFrom(store, cfg, s, catalogue?.source) });
    writeAtomic(join(JSON_DIR, `${e.name}.json`), JSON.stringify(catalogue ? { ...sweep, config: importedReportConfig(sweep.config, catalogue.imported) } : sweep));
  }
  if (only.includes('ablations')) {
    const study = await runAblations(ABLATIONS, ablationSeeds, async (cfg, s) => reportFrom(store, cfg, s));
    writeAtomic(join(JSON_DIR, 'ablations.json'), JSON.stringify(study));
  }
  const reusedCount = reused?.size ?? 0;
  writeDocs({ seconds: (performance.now() - t0) / 1000, date: new Date().toISOString().slice(0, 10), merged: mergeDirs?.length, trained: uniqueJobs(jobs).length - reusedCount, reused: reusedCount });
  process.stdout.write(`wrote ${DOC_DIR}/findings.md, ${DOC_DIR}/findings/*.svg and ${JSON_DIR}/*.json in ${((performance.now() - t0) / 60000).toFixed(1)} min\n`);
}

main(process.argv.slice(2)).catch((e) => {
  process.stderr.write(`error: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(e instanceof ConfigError ? 2 : 1);
});
