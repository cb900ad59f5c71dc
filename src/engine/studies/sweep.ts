/**
 * Sweeps: one knob over a list of values, K seeds per value, the three models per seed.
 * Each point keeps the world's statistics, each scorer's mean metrics, the embedding
 * agreement and the joint gain per task with its 95 % interval over seeds.
 */
import { findPreset } from '../core/presets';
import { ConfigError, parseValue, PARAM_BY_KEY, resolveConfig, unknownKeyMessage, worldProblems, type Config, type ConfigKey } from '../core/config';
import type { Trend } from '../eval/evidence';
import { coldWarm, jointGainOf, recallKey } from '../run/summary';
import { sweepTrends, type ClaimSpec, type SeedValues } from './trends';
import { MODELS, type Interval, type ModelName, type Report } from '../core/report';
import type { Task } from '../core/encode';

export const SWEEP_SCHEMA = 'bridge-lab/sweep@1';
/** A point of a sweep: a value of its key, or the name of a variant (several knobs at once). */
export type Value = Config[ConfigKey] | string;

export interface SweepPoint {
  value: Value;
  seeds: number[];
  dataStats: {
    popularityKL: { recVsSearch: number; searchVsRec: number };
    popularitySpearman: number;
    realizedAlignment: number;
    coverage: { search: number; rec: number };
    trainExamples: { search: number; rec: number };
  };
  jointGain: Partial<Record<Task, Interval>>;
  /** Mean over seeds, per scorer (models and baselines) and task. */
  models: Report['summary']['means'];
  embedding: Partial<Record<ModelName, { contentAgreement: number; cfAgreement: number }>>;
  /** Per seed (in `seeds` order), per model and task: Recall@K overall and on cold targets (null: none), for paired comparisons. */
  perSeed?: Partial<Record<ModelName, Partial<Record<Task, { recall: number[]; cold: (number | null)[]; warm: (number | null)[] }>>>>;
  /** Per seed (in `seeds` order): every quantity a trend or a claim uses. */
  seedValues?: SeedValues;
  /** Semantic IDs at this point: codes per item and colliding items, mean over seeds. */
  ids?: { length: number; collisions: number };
  stopped: boolean;
}

export interface Sweep {
  schema: typeof SWEEP_SCHEMA;
  experiment: string | null;
  key: ConfigKey;
  values: Value[];
  /** The base config; each point sets `key` to its value. */
  config: Config;
  seeds: number[];
  points: SweepPoint[];
  /** Slopes along the sweep from per-seed values, with seed-bootstrap intervals and verdicts (eval/evidence.ts). */
  trends?: Trend[];
  /** True once every value has its point. */
  complete: boolean;
  stopped: boolean;
  createdAt: string;
}

/** What a sweep chart plots on y (app/charts/SweepChart.tsx draws each). */
export type SweepMetric = 'gain' | 'recall' | 'cold' | 'kl' | 'agreement';

/** One study, declared once: the runner, the Sweeps and Findings views, `npm run findings` and the docs read it. */
export interface SweepExperiment {
  name: string;
  title: string;
  question: string;
  /** The world it starts from, by preset name (core/presets.ts)… */
  preset: string;
  /** …with these settings changed (the swept key is set per point). */
  base: Partial<Config>;
  /** The chart's y quantity, and its x: the swept value, or the world's measured KL(p_R‖p_S). */
  chart: { metric: SweepMetric; x: 'value' | 'popularityKL.recVsSearch'; xLabel?: string };
  key: ConfigKey;
  values: Value[];
  /** Where a point sets several knobs: each value names the settings it stands for. */
  variants?: Record<string, Partial<Config>>;
  /** What the experiment claims along the sweep, checked on per-seed values (trends.ts). */
  claims?: readonly ClaimSpec[];
  /** Seeds for `npm run findings`, from a power calculation (docs/findings.md says how). */
  seeds?: number;
}

/** The paper's experiments, one click in the app and one name in the runner. */
export const SWEEP_EXPERIMENTS: readonly SweepExperiment[] = [
  {
    name: 'h1-divergence', title: 'H1 · popularity divergence', key: 'popularityAgreement', values: [0, 0.25, 0.5, 0.75, 1],
    question: 'As the two tasks\' popularity rankings diverge (KL(p_R‖p_S) grows), does the recommendation gain of joint training fall?',
    preset: 'h1-shared-popularity', base: {},
    chart: { metric: 'gain', x: 'popularityKL.recVsSearch', xLabel: 'KL(p_R‖p_S) of the world' },
    claims: [
      { x: 'popularityKL.recVsSearch', y: 'jointGain.rec', expected: 'falls', text: 'H1 (paper): the more the two tasks\' popularity distributions diverge, the less joint training helps recommendation.' },
      { x: 'popularityKL.recVsSearch', y: 'klDifference.rec', expected: 'rises', text: 'H1 (mechanism): the joint model\'s popularity estimate for recommendation is pulled towards search\'s, so its calibration advantage shrinks as they diverge.' },
    ],
  },
  {
    name: 'h1-capped', title: 'H1 · capped added task (Fig. 4)', key: 'searchCapPerItem', values: [5, 10, 50, 500],
    question: 'Capping the added (search) task\'s examples per item flattens its popularity: how do both tasks respond?',
    preset: 'h1-shared-popularity', base: {},
    chart: { metric: 'gain', x: 'value' },
    claims: [
      { x: 'log2(value)', y: 'jointGain.rec', expected: null, text: 'Paper, Fig. 4: capping the added task\'s instances per item (flattening its popularity) changes how much it helps; no direction is taken from the paper here.' },
    ],
  },
  {
    name: 'h2-alignment', title: 'H2 · content meets CF', key: 'contentCfAlignment', values: [0, 0.25, 0.5, 0.75, 1],
    question: 'As CF clusters follow content topics more, do the recommendation gain and the joint model\'s content agreement rise?',
    preset: 'h2-aligned-structure', base: {},
    chart: { metric: 'gain', x: 'value' },
    claims: [
      { x: 'value', y: 'jointGain.rec', expected: 'rises', text: 'H2 (paper): joint training helps recommendation more when content (search) and collaborative (recommendation) structure agree.' },
      { x: 'value', y: 'contentAgreement.joint', expected: 'rises', text: 'H2 (mechanism): the joint model\'s item embeddings cluster by content.' },
    ],
  },
  {
    name: 'h2-coverage', title: 'H2 · coverage', key: 'recCoverage', values: [0.2, 0.4, 0.6, 0.8, 1],
    question: 'With fewer items seen by recommendation in training, how much does search bring back?',
    preset: 'classroom', base: {},
    chart: { metric: 'gain', x: 'value' },
    claims: [
      { x: 'value', y: 'jointGain.rec', expected: 'falls', text: 'H2 (cold items): the fewer items recommendation saw in training, the more search brings back.' },
    ],
  },
  {
    name: 'data-scale', title: 'Data scale', key: 'recTrain', values: [250, 500, 1000, 2000, 4000],
    question: 'From sparse to plentiful recommendation data: where does joint training stop paying?',
    preset: 'classroom', base: { recCoverage: 1 },
    chart: { metric: 'gain', x: 'value' },
    claims: [
      { x: 'log2(value)', y: 'jointGain.rec', expected: 'falls', text: 'Data scale: with plentiful recommendation data the added task should matter less.' },
    ],
  },
  {
    name: 'search-coverage', title: 'Search gains too · search coverage', key: 'searchCoverage', values: [0.2, 0.4, 0.6, 1],
    question: 'When search training leaves out items that recommendation covers, does joint training help search, and does the gain fall as search covers more?',
    preset: 'classroom', base: { recCoverage: 1, recTrain: 3000, searchTrain: 1000 },
    chart: { metric: 'gain', x: 'value' },
    claims: [
      { x: 'value', y: 'jointGain.search', expected: 'falls', text: 'The paper\'s unified model improves search too: the fewer items search saw in training, the more recommendation brings back to search.' },
    ],
  },
  {
    name: 'search-scale', title: 'Search gains too · sparse search data', key: 'searchTrain', values: [250, 500, 1000, 4000],
    question: 'With every item in both tasks\' training data, does joint training help search when queries are scarce and sessions plentiful?',
    preset: 'classroom', base: { recCoverage: 1, recTrain: 3000 },
    chart: { metric: 'gain', x: 'value' },
    claims: [
      { x: 'log2(value)', y: 'jointGain.search', expected: 'falls', text: 'Data scale, the search side: the scarcer the queries, the more recommendation helps search.' },
    ],
  },
  {
    name: 'ids', title: 'Semantic IDs · atomic vs codes from content, cf, joint', key: 'idScheme',
    values: ['atomic', 'semantic:content', 'semantic:cf', 'semantic:joint'],
    variants: {
      atomic: { idScheme: 'atomic' },
      'semantic:content': { idScheme: 'semantic', idSource: 'content' },
      'semantic:cf': { idScheme: 'semantic', idSource: 'cf' },
      'semantic:joint': { idScheme: 'semantic', idSource: 'joint' },
    },
    question: 'With half the items unseen by recommendation in training, do semantic IDs let Gen_R reach them, what do they cost on the items it saw, and which source of codes serves both tasks in Gen_R+S?',
    preset: 'classroom', base: { recCoverage: 0.5 },
    chart: { metric: 'cold', x: 'value' },
  },
];

/** An experiment's base world: its preset, its changed settings, then `overrides`. */
export function experimentConfig(e: SweepExperiment, overrides: Partial<Config> = {}): Config {
  return resolveConfig({ ...findPreset(e.preset).values, ...e.base, ...overrides });
}

/** The settings a sweep point stands for: the key set to the value, or the experiment's variant of that name. */
function pointSettings(key: ConfigKey, value: Value, experiment?: string | null): Partial<Config> {
  const variants = SWEEP_EXPERIMENTS.find((e) => e.name === experiment)?.variants;
  if (!variants) return { [key]: value };
  const v = variants[String(value)];
  if (!v) throw new ConfigError(`"${value}" is not a point of the experiment ${experiment}; its points: ${Object.keys(variants).join(', ')}`);
  return v;
}

export function findSweepExperiment(name: string): SweepExperiment {
  const e = SWEEP_EXPERIMENTS.find((x) => x.name === name);
  if (!e) throw new ConfigError(`unknown experiment "${name}"; experiments: ${SWEEP_EXPERIMENTS.map((x) => x.name).join(', ')}`);
  return e;
}

/** Parses `KEY=v1,v2,...`; every value must be allowed and every point buildable. */
export function parseSweepSpec(spec: string, base: Config): { key: ConfigKey; values: Value[] } {
  const eq = spec.indexOf('=');
  if (eq <= 0) throw new ConfigError(`--sweep ${JSON.stringify(spec)} is not KEY=v1,v2,...`);
  const key = spec.slice(0, eq);
  if (!PARAM_BY_KEY[key]) throw new ConfigError(unknownKeyMessage(key));
  if (key === 'seed') throw new ConfigError('seed cannot be swept: use --seeds for several seeds');
  const texts = spec.slice(eq + 1).split(',').map((t) => t.trim()).filter((t) => t !== '');
  if (!texts.length) throw new ConfigError(`--sweep ${key}= has no values; give a comma-separated list such as ${key}=v1,v2`);
  const values = texts.map((t) => parseValue(key, t));
  checkSweep(base, key as ConfigKey, values);
  return { key: key as ConfigKey, values };
}

export function checkSweep(base: Config, key: ConfigKey, values: Value[], experiment?: string | null): void {
  if (!values.length) throw new ConfigError(`the sweep over ${key} has no values`);
  if (new Set(values.map(String)).size !== values.length) throw new ConfigError(`the sweep over ${key} repeats a value`);
  for (const v of values) {
    const problems = worldProblems({ ...base, ...pointSettings(key, v, experiment) } as Config);
    if (problems.length) throw new ConfigError(`${key}=${v} cannot be built: ${problems.join('; ')}`);
  }
}

export function pointConfig(base: Config, key: ConfigKey, value: Value, experiment?: string | null): Config {
  return resolveConfig({ ...base, ...pointSettings(key, value, experiment) });
}

/** Summarises one point's report. */
export function pointFromReport(value: Value, report: Report): SweepPoint {
  const runs = report.runs;
  const mean = (f: (r: (typeof runs)[number]) => number) => runs.reduce((s, r) => s + f(r), 0) / Math.max(1, runs.length);
  const embedding: SweepPoint['embedding'] = {};
  for (const m of MODELS) {
    const rs = runs.filter((r) => r.models[m]);
    if (rs.length) {
      embedding[m] = {
        contentAgreement: rs.reduce((s, r) => s + r.models[m]!.embedding.contentAgreement, 0) / rs.length,
        cfAgreement: rs.reduce((s, r) => s + r.models[m]!.embedding.cfAgreement, 0) / rs.length,
      };
    }
  }
  const perSeed: SweepPoint['perSeed'] = {};
  for (const m of MODELS) {
    for (const task of ['search', 'rec'] as Task[]) {
      const evals = runs.map((r) => r.models[m]?.eval[task]);
      if (!evals.every(Boolean)) continue;
      const split = evals.map((e) => coldWarm(e!, report.config.k));
      (perSeed[m] ??= {})[task] = { recall: evals.map((e) => e![`recall@${report.config.k}`] as number), cold: split.map((c) => c.cold), warm: split.map((c) => c.warm) };
    }
  }
  const k = report.config.k;
  const seedValues: SeedValues = { jointGain: {}, recall: {}, kl: {}, agreement: {}, popularityKL: { recVsSearch: runs.map((r) => r.dataStats.popularityKL.recVsSearch) } };
  for (const task of ['search', 'rec'] as Task[]) {
    const single = task === 'search' ? 'search' : 'rec';
    if (!runs.every((r) => r.models[single]?.eval[task] && r.models.joint?.eval[task])) continue;
    seedValues.jointGain[task] = {
      relative: runs.map((r) => jointGainOf(r, task, k)),
      absolute: runs.map((r) => (r.models.joint!.eval[task]![recallKey(k)] as number) - (r.models[single]!.eval[task]![recallKey(k)] as number)),
    };
  }
  for (const m of MODELS) {
    if (!runs.every((r) => r.models[m])) continue;
    seedValues.agreement[m] = { content: runs.map((r) => r.models[m]!.embedding.contentAgreement), cf: runs.map((r) => r.models[m]!.embedding.cfAgreement) };
    for (const task of ['search', 'rec'] as Task[]) {
      if (!runs.every((r) => r.models[m]!.eval[task])) continue;
      (seedValues.recall[m] ??= {})[task] = runs.map((r) => r.models[m]!.eval[task]![recallKey(k)] as number);
      (seedValues.kl[m] ??= {})[task] = runs.map((r) => r.models[m]!.popularity[task]!.kl);
    }
  }
  const withIds = runs.filter((r) => r.ids);
  return {
    value,
    seeds: report.seeds,
    perSeed,
    seedValues,
    ...(withIds.length ? { ids: { length: mean((r) => r.ids?.length ?? 0), collisions: mean((r) => r.ids?.collisions ?? 0) } } : {}),
    dataStats: {
      popularityKL: { recVsSearch: mean((r) => r.dataStats.popularityKL.recVsSearch), searchVsRec: mean((r) => r.dataStats.popularityKL.searchVsRec) },
      popularitySpearman: mean((r) => r.dataStats.popularitySpearman),
      realizedAlignment: mean((r) => r.dataStats.realizedAlignment),
      coverage: { search: mean((r) => r.dataStats.coverage.search), rec: mean((r) => r.dataStats.coverage.rec) },
      trainExamples: { search: mean((r) => r.dataStats.trainExamples.search), rec: mean((r) => r.dataStats.trainExamples.rec) },
    },
    jointGain: report.summary.jointGain,
    models: report.summary.means,
    embedding,
    stopped: report.stopped,
  };
}

export interface SweepOptions {
  seeds: number[];
  experiment?: string | null;
  /** Runs one point's seeds (in turn, or on worker threads) and returns its report. */
  runPoint: (cfg: Config, seeds: number[]) => Promise<Report>;
  onPoint?: (sweep: Sweep) => void;
  shouldStop?: () => boolean;
}

export async function runSweep(base: Config, key: ConfigKey, values: Value[], opts: SweepOptions): Promise<Sweep> {
  checkSweep(base, key, values, opts.experiment);
  const sweep: Sweep = {
    schema: SWEEP_SCHEMA, experiment: opts.experiment ?? null, key, values, config: base, seeds: opts.seeds,
    points: [], complete: false, stopped: false, createdAt: new Date().toISOString(),
  };
  for (const value of values) {
    if (opts.shouldStop?.()) break;
    const report = await opts.runPoint(pointConfig(base, key, value, opts.experiment), opts.seeds);
    if (report.stopped) break; // a point cut short is not a finished point
    sweep.points.push(pointFromReport(value, report));
    sweep.trends = trendsOf(sweep);
    opts.onPoint?.(sweep);
  }
  sweep.complete = sweep.points.length === values.length;
  sweep.stopped = !sweep.complete;
  return sweep;
}

/** The sweep's trends: the joint gains along the swept value, and its experiment's claims. */
export function trendsOf(s: Pick<Sweep, 'points' | 'key' | 'experiment'>): Trend[] {
  return sweepTrends(s.points, s.key, SWEEP_EXPERIMENTS.find((e) => e.name === s.experiment)?.claims ?? []);
}

/** One row per point; the columns a spreadsheet or a plotting script needs. */
export function sweepCsv(s: Sweep): string {
  const scorers = ['search', 'rec', 'joint', 'popularity', 'oracle'];
  const header = [s.key, 'klRecVsSearch', 'klSearchVsRec', 'spearman', 'alignment', 'coverageRec', 'trainSearch', 'trainRec'];
  for (const t of ['search', 'rec']) header.push(`gain_${t}_mean`, `gain_${t}_lo`, `gain_${t}_hi`);
  for (const m of scorers) for (const t of ['search', 'rec']) header.push(`${m}_${t}_recall`, `${m}_${t}_ndcg`, `${m}_${t}_kl`);
  for (const m of MODELS) header.push(`${m}_contentAgreement`, `${m}_cfAgreement`);
  const num = (x: number | undefined | null) => (x === undefined || x === null || !Number.isFinite(x) ? '' : String(Number(x.toPrecision(6))));
  const rows = s.points.map((p) => {
    const row = [String(p.value), num(p.dataStats.popularityKL.recVsSearch), num(p.dataStats.popularityKL.searchVsRec), num(p.dataStats.popularitySpearman),
      num(p.dataStats.realizedAlignment), num(p.dataStats.coverage.rec), num(p.dataStats.trainExamples.search), num(p.dataStats.trainExamples.rec)];
    for (const t of ['search', 'rec'] as Task[]) {
      const g = p.jointGain[t];
      row.push(num(g?.mean), num(g?.ci95?.[0]), num(g?.ci95?.[1]));
    }
    for (const m of scorers) for (const t of ['search', 'rec'] as Task[]) {
      const v = p.models[m]?.[t];
      row.push(num(v?.recall), num(v?.ndcg), num(v?.kl));
    }
    for (const m of MODELS) row.push(num(p.embedding[m]?.contentAgreement), num(p.embedding[m]?.cfAgreement));
    return row.join(',');
  });
  return [header.join(','), ...rows].join('\n') + '\n';
}
