/**
 * Sweeps: one knob over a list of values, K seeds per value, the three models per seed.
 * Each point keeps the world's statistics, each scorer's mean metrics, the embedding
 * agreement and the joint gain per task with its 95 % interval over seeds.
 */
import { ConfigError, parseValue, PARAM_BY_KEY, resolveConfig, unknownKeyMessage, worldProblems, type Config, type ConfigKey } from '../core/config';
import type { Trend } from '../eval/evidence';
import { coldWarm, jointGainOf, recallKey } from '../run/summary';
import { sweepTrends, type ClaimSpec, type SeedValues } from './trends';
import { JOINT_SELECTIONS, MODELS, type Interval, type ModelName, type Report, type RunReport } from '../core/report';
import type { Task } from '../core/encode';
import { SWEEP_EXPERIMENTS } from './experiments';
import { SWEEP_SCHEMA, type Sweep, type SweepPoint, type Value } from './sweep-types';

export { experimentConfig, findSweepExperiment, SWEEP_EXPERIMENTS, type SweepExperiment, type SweepMetric } from './experiments';
export { SWEEP_SCHEMA, type Sweep, type SweepPoint, type Value } from './sweep-types';



/** The settings a sweep point stands for: the key set to the value, or the experiment's variant of that name. */
function pointSettings(key: ConfigKey, value: Value, experiment?: string | null): Partial<Config> {
  const variants = SWEEP_EXPERIMENTS.find((e) => e.name === experiment)?.variants;
  if (!variants) return { [key]: value };
  const v = variants[String(value)];
  if (!v) throw new ConfigError(`"${value}" is not a point of the experiment ${experiment}; its points: ${Object.keys(variants).join(', ')}`);
  return v;
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
  if (runs.length && runs.every((r) => r.dataStats.trainPopularityKL)) seedValues.popularityKL.realised = runs.map((r) => r.dataStats.trainPopularityKL.recVsSearch);
  for (const task of ['search', 'rec'] as Task[]) {
    const single = task === 'search' ? 'search' : 'rec';
    if (!runs.every((r) => r.models[single]?.eval[task] && r.models.joint?.eval[task])) continue;
    seedValues.jointGain[task] = {
      relative: runs.map((r) => jointGainOf(r, task, k)),
      absolute: runs.map((r) => (r.models.joint!.eval[task]![recallKey(k)] as number) - (r.models[single]!.eval[task]![recallKey(k)] as number)),
    };
  }
  if (runs.length && runs.every((r) => r.models.joint?.alternative)) {
    seedValues.jointGainBySelection = {};
    for (const sel of JOINT_SELECTIONS) {
      for (const task of ['search', 'rec'] as Task[]) (seedValues.jointGainBySelection[sel] ??= {})[task] = runs.map((r) => jointGainOf(r, task, k, sel));
    }
  }
  for (const m of MODELS) {
    if (!runs.every((r) => r.models[m])) continue;
    seedValues.agreement[m] = { content: runs.map((r) => r.models[m]!.embedding.contentAgreement), cf: runs.map((r) => r.models[m]!.embedding.cfAgreement) };
    for (const task of ['search', 'rec'] as Task[]) {
      if (!runs.every((r) => r.models[m]!.eval[task])) continue;
      (seedValues.recall[m] ??= {})[task] = runs.map((r) => r.models[m]!.eval[task]![recallKey(k)] as number);
      (seedValues.kl[m] ??= {})[task] = runs.map((r) => r.models[m]!.popularity[task]!.kl);
      const ev = (r: RunReport, key: string) => (typeof r.models[m]!.eval[task]![`${key}@${k}`] === 'number' ? r.models[m]!.eval[task]![`${key}@${k}`] as number : null);
      if (runs.some((r) => ev(r, 'arp') !== null)) ((seedValues.beyond ??= {})[m] ??= {})[task] = { arp: runs.map((r) => ev(r, 'arp')), popLift: runs.map((r) => ev(r, 'popLift')) };
    }
  }
  const diagnostics = runs.map((r) => r.ids?.diagnostics);
  if (runs.length && diagnostics.every(Boolean)) {
    const ds = diagnostics as NonNullable<(typeof diagnostics)[number]>[];
    const lift = (x: number, chance: number) => (chance > 0 ? x / chance : 0);
    seedValues.ids = {
      collisionRate: ds.map((d) => d.collisionRate),
      entropy: ds.map((d) => lift(d.levels[0].entropy, d.levels[0].maxEntropy)),
      cooccurrenceLift: ds.map((d) => lift(d.prefixes[0].cooccurrence, d.prefixes[0].cooccurrenceChance)),
      topicLift: ds.map((d) => lift(d.prefixes[0].topic, d.prefixes[0].topicChance)),
    };
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
      ...(runs.length && runs.every((r) => r.dataStats.trainPopularityKL)
        ? { trainPopularityKL: { recVsSearch: mean((r) => r.dataStats.trainPopularityKL.recVsSearch), searchVsRec: mean((r) => r.dataStats.trainPopularityKL.searchVsRec) } }
        : {}),
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
  const scorers = ['search', 'rec', 'joint', 'popularity', 'oracle', 'bm25', 'biencoder'];
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
