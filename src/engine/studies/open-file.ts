/**
 * Results files opened in the page (or anywhere): a `report.json` (the runner's, the page's
 * export, a stored lesson run's report) or a `sweep.json` (whole, or merged from shards),
 * checked against the contract before anything is shown. A problem is named with its path
 * in the file ("runs[1].models.joint.eval: missing"); the check reads, it never fixes.
 */
import { checkValue, ConfigError, PARAM_BY_KEY, type Config } from '../core/config';
import { REPORT_SCHEMA, type Report } from '../core/report';
import { summarize } from '../run/summary';
import { trendsOf } from './sweep';
import { SWEEP_SCHEMA, type Sweep } from './sweep-types';

export type ResultsFile = { kind: 'report'; report: Report } | { kind: 'sweep'; sweep: Sweep };

type Json = Record<string, unknown>;
const isObject = (x: unknown): x is Json => typeof x === 'object' && x !== null && !Array.isArray(x);

class Checker {
  constructor(private readonly file: string) {}
  fail(path: string, problem: string): never {
    throw new ConfigError(`${this.file}: ${path ? `${path}: ` : ''}${problem}`);
  }
  object(x: unknown, path: string): Json {
    if (!isObject(x)) this.fail(path, x === undefined ? 'missing' : 'not an object');
    return x;
  }
  array(x: unknown, path: string, nonEmpty = false): unknown[] {
    if (!Array.isArray(x)) this.fail(path, x === undefined ? 'missing' : 'not a list');
    if (nonEmpty && !x.length) this.fail(path, 'empty');
    return x;
  }
  number(x: unknown, path: string): number {
    if (typeof x !== 'number' || !Number.isFinite(x)) this.fail(path, x === undefined ? 'missing' : `${JSON.stringify(x)} is not a number`);
    return x;
  }
  numbers(x: unknown, path: string, length?: number): void {
    const a = this.array(x, path);
    if (length !== undefined && a.length !== length) this.fail(path, `${a.length} values where the catalogue has ${length} items`);
    a.forEach((v, i) => { if (typeof v !== 'number') this.fail(`${path}[${i}]`, 'not a number'); });
  }
  /** A config: every key the app knows, in range; `data` (imported catalogues) allowed. */
  config(x: unknown, path: string): Config {
    const c = this.object(x, path);
    for (const [key, value] of Object.entries(c)) {
      if (key === 'data') continue;
      if (!PARAM_BY_KEY[key]) continue; // a key from a newer version: shown as it is, never used to train
      const problem = checkValue(key, value);
      if (problem) this.fail(path, problem);
    }
    for (const key of ['items', 'k', 'seed', 'idScheme']) if (!(key in c)) this.fail(`${path}.${key}`, 'missing');
    return c as unknown as Config;
  }
  taskEval(x: unknown, path: string): void {
    const e = this.object(x, path);
    this.number(e.count, `${path}.count`);
    this.object(e.byBucket, `${path}.byBucket`);
    if (!Object.keys(e).some((k) => k.startsWith('recall@'))) this.fail(path, 'no recall@K');
  }
}

function checkReport(c: Checker, r: Json, path = ''): Report {
  const at = (p: string) => (path ? `${path}.${p}` : p);
  const config = c.config(r.config, at('config'));
  const runs = c.array(r.runs, at('runs'), true);
  runs.forEach((x, i) => {
    const p = `${at('runs')}[${i}]`;
    const run = c.object(x, p);
    c.number(run.seed, `${p}.seed`);
    const models = c.object(run.models, `${p}.models`);
    for (const [name, m] of Object.entries(models)) {
      const model = c.object(m, `${p}.models.${name}`);
      const ev = c.object(model.eval, `${p}.models.${name}.eval`);
      for (const [task, e] of Object.entries(ev)) c.taskEval(e, `${p}.models.${name}.eval.${task}`);
      c.object(model.popularity, `${p}.models.${name}.popularity`);
      const emb = c.object(model.embedding, `${p}.models.${name}.embedding`);
      c.numbers(emb.pca, `${p}.models.${name}.embedding.pca`);
    }
    const baselines = c.object(run.baselines, `${p}.baselines`);
    const pop = c.object(baselines.popularity, `${p}.baselines.popularity`);
    const ev = c.object(pop.eval, `${p}.baselines.popularity.eval`);
    for (const task of ['search', 'rec']) c.taskEval(ev[task], `${p}.baselines.popularity.eval.${task}`);
    const info = c.object(run.itemInfo, `${p}.itemInfo`);
    for (const k of ['topic', 'cluster', 'pSearch', 'pRec']) c.numbers(info[k], `${p}.itemInfo.${k}`, config.items);
  });
  c.array(r.seeds, at('seeds'));
  const report = r as unknown as Report;
  // An older report without a summary gets one computed from its runs (the runs are what is shown).
  if (!isObject(r.summary) || !isObject((r.summary as Json).means)) report.summary = summarize(config, report.runs);
  return report;
}

function checkSweep(c: Checker, s: Json): Sweep {
  const key = s.key;
  if (typeof key !== 'string' || !PARAM_BY_KEY[key]) c.fail('key', `${JSON.stringify(key)} is not a knob of Bridge Lab`);
  c.config(s.config, 'config');
  c.array(s.values, 'values', true);
  c.array(s.seeds, 'seeds', true);
  const points = c.array(s.points, 'points', true);
  points.forEach((x, i) => {
    const p = c.object(x, `points[${i}]`);
    if (!('value' in p)) c.fail(`points[${i}].value`, 'missing');
    c.array(p.seeds, `points[${i}].seeds`, true);
    c.object(p.models, `points[${i}].models`);
    c.object(p.jointGain, `points[${i}].jointGain`);
    const ds = c.object(p.dataStats, `points[${i}].dataStats`);
    c.number(c.object(ds.popularityKL, `points[${i}].dataStats.popularityKL`).recVsSearch, `points[${i}].dataStats.popularityKL.recVsSearch`);
  });
  const sweep = s as unknown as Sweep;
  // Trends come from the points' per-seed values, as in the page (a merged sweep may have none stored).
  sweep.trends = trendsOf(sweep);
  return sweep;
}

/** Parses and checks a results file; throws ConfigError naming the file and the problem. */
export function parseResultsFile(name: string, text: string): ResultsFile {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new ConfigError(`${name}: not a JSON file (${e instanceof Error ? e.message : e}); open a report.json or a sweep.json`);
  }
  const c = new Checker(name);
  const top = c.object(data, '');
  if (top.schema === REPORT_SCHEMA) return { kind: 'report', report: checkReport(c, top) };
  if (top.schema === SWEEP_SCHEMA) return { kind: 'sweep', sweep: checkSweep(c, top) };
  // A stored lesson run wraps its report.
  if (isObject(top.report) && (top.report as Json).schema === REPORT_SCHEMA) return { kind: 'report', report: checkReport(c, top.report as Json, 'report') };
  return c.fail('schema', `${JSON.stringify(top.schema)} is not a results file Bridge Lab knows: ${REPORT_SCHEMA} (report.json) or ${SWEEP_SCHEMA} (sweep.json)`);
}
