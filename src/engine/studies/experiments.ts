/**
 * The studies, declared once: each built-in experiment's question, base world (by preset
 * name), swept key or named variants, claims, verdicts and charts. The runner, the Sweeps
 * and Findings views, `npm run findings` and the docs all read this table.
 */
import { ConfigError, resolveConfig, withImportedDefaults, type Config, type ConfigKey } from '../core/config';
import { findPreset } from '../core/presets';
import { idsFindings, type IdsStatement } from './findings-ids';
import { capSplit, h1Shape } from './findings-h1';
import type { Sweep, Value } from './sweep-types';
import type { ClaimSpec } from './trends';
import type { FieldMetric } from '../core/report';

/** What a sweep chart plots on y (app/charts/SweepChart.tsx draws each). */
export type SweepMetric = 'gain' | 'recall' | 'cold' | 'kl' | 'agreement' | FieldMetric;

/** One study, declared once: the runner, the Sweeps and Findings views, `npm run findings` and the docs read it. */
export interface SweepExperiment {
  name: string;
  title: string;
  question: string;
  /** The world it starts from, by preset name (core/presets.ts)… */
  preset: string;
  /** …with these settings changed (the swept key is set per point). */
  base: Partial<Config>;
  /**
   * A real catalogue shipped with the page (a folder of public/data/) that the study trains
   * on instead of the simulated world, with the imported-data defaults; its sweeps subsample
   * the real logs (dataRecUsers, dataSearchQueries, dataSearchItems). Run by `npm run findings`.
   */
  data?: string;
  /** The charts' y quantities (the main one and the one beside it), and x: the swept value, or the world's measured KL(p_R‖p_S). */
  chart: { metric: SweepMetric; second: SweepMetric; x: 'value' | 'popularityKL.recVsSearch'; xLabel?: string };
  /** Verdicts between named variants or points, paired by seed (findings-ids.ts, findings-h1.ts), beside the trends of `claims`; `others`: the other stored studies, by name. */
  verdicts?: (s: Sweep, others: Readonly<Record<string, Sweep | null | undefined>>) => IdsStatement[];
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
    name: 'h1-divergence', title: 'H1 · popularity divergence', key: 'popularityAgreement', values: [0, 0.25, 0.5, 0.75, 0.85, 0.9, 0.95, 0.98, 1],
    question: 'As the two tasks\' popularity rankings diverge (KL(p_R‖p_S) grows), does the recommendation gain of joint training fall — smoothly, or only where the two tasks share one ranking?',
    preset: 'h1-shared-popularity', base: {},
    verdicts: h1Shape,
    chart: { metric: 'gain', second: 'kl', x: 'popularityKL.recVsSearch', xLabel: 'KL(p_R‖p_S) of the world' },
    claims: [
      { x: 'popularityKL.recVsSearch', y: 'jointGain.rec', expected: 'falls', text: 'H1 (paper): the more the two tasks\' popularity distributions diverge, the less joint training helps recommendation.' },
      { x: 'popularityKL.recVsSearch', y: 'klDifference.rec', expected: 'rises', text: 'H1 (mechanism): the joint model\'s popularity estimate for recommendation is pulled towards search\'s, so its calibration advantage shrinks as they diverge.' },
      { x: 'popularityKL.realised', y: 'jointGain.rec', expected: 'falls', text: 'H1 (paper), against what the models saw: the more the training targets\' popularity diverges between the tasks (realised KL), the less joint training helps recommendation.' },
      { x: 'popularityKL.realised', y: 'jointGain.rec', expected: 'falls', values: [0, 0.25, 0.5, 0.75, 0.85, 0.9, 0.95, 0.98], text: 'H1 without identical popularity: the same trend against the realised KL, leaving out the point where the two tasks share one popularity ranking.' },
      { x: 'popularityKL.recVsSearch', y: 'klDifference.rec', expected: 'rises', values: [0, 0.25, 0.5, 0.75, 0.85, 0.9, 0.95, 0.98], text: 'H1 (mechanism) without identical popularity: the calibration trend, leaving out the point where the two tasks share one popularity ranking.' },
      { x: 'popularityKL.recVsSearch', y: 'arpDifference.rec', expected: null, text: 'The field\'s measure beside popularity KL: how Gen_R+S\'s average recommendation popularity (ARP) differs from Gen_R\'s as the tasks diverge.' },
      { x: 'popularityKL.recVsSearch', y: 'popLiftDifference.rec', expected: null, text: 'The field\'s measure beside popularity KL: how Gen_R+S\'s popularity lift differs from Gen_R\'s as the tasks diverge.' },
    ],
  },
  {
    name: 'h1-capped', title: 'H1 · capped added task (Fig. 4)', key: 'searchCapPerItem', values: [5, 10, 50, 500],
    question: 'Capping the added (search) task\'s examples per item flattens its popularity: how do both tasks respond?',
    preset: 'h1-shared-popularity', base: {},
    chart: { metric: 'gain', second: 'kl', x: 'value' },
    claims: [
      { x: 'log2(value)', y: 'jointGain.rec', expected: null, text: 'Paper, Fig. 4: capping the added task\'s instances per item (flattening its popularity) changes how much it helps; no direction is taken from the paper here.' },
    ],
  },
  {
    name: 'h1-capped-control', title: 'H1 · capped against a same-size random subsample (control)', key: 'searchCapPerItem', values: [0, 5, 10, 50, 500],
    question: 'Capping search flattens its popularity and also cuts its data: with as many search examples as each cap keeps, drawn at random (popularity as it was), how much of the cap study\'s effect is less data, and how much is flatter popularity?',
    preset: 'h1-shared-popularity', base: { searchCapControl: true },
    chart: { metric: 'gain', second: 'kl', x: 'value' },
    verdicts: capSplit,
    claims: [
      { x: 'log2(value)', y: 'jointGain.rec', expected: null, text: 'Less data alone: the recommendation gain along the size of a random search subsample (the size each cap keeps).' },
      { x: 'log2(value)', y: 'jointGain.search', expected: null, text: 'Less data alone, the search side.' },
    ],
  },
  {
    name: 'h2-alignment', title: 'H2 · content meets CF', key: 'contentCfAlignment', values: [0, 0.25, 0.5, 0.75, 1],
    question: 'As CF clusters follow content topics more, do the recommendation gain and the joint model\'s content agreement rise?',
    preset: 'h2-aligned-structure', base: {},
    chart: { metric: 'gain', second: 'agreement', x: 'value' },
    claims: [
      { x: 'value', y: 'jointGain.rec', expected: 'rises', text: 'H2 (paper): joint training helps recommendation more when content (search) and collaborative (recommendation) structure agree.' },
      { x: 'value', y: 'contentAgreement.joint', expected: 'rises', text: 'H2 (mechanism): the joint model\'s item embeddings cluster by content.' },
    ],
  },
  {
    name: 'h2-coverage', title: 'H2 · coverage', key: 'recCoverage', values: [0.2, 0.4, 0.6, 0.8, 1],
    question: 'With fewer items seen by recommendation in training, how much does search bring back?',
    preset: 'classroom', base: {},
    chart: { metric: 'gain', second: 'agreement', x: 'value' },
    claims: [
      { x: 'value', y: 'jointGain.rec', expected: 'falls', text: 'H2 (cold items): the fewer items recommendation saw in training, the more search brings back.' },
    ],
  },
  {
    name: 'data-scale', title: 'Data scale', key: 'recTrain', values: [250, 500, 1000, 2000, 4000],
    question: 'From sparse to plentiful recommendation data: where does joint training stop paying?',
    preset: 'classroom', base: { recCoverage: 1 },
    chart: { metric: 'gain', second: 'kl', x: 'value' },
    claims: [
      { x: 'log2(value)', y: 'jointGain.rec', expected: 'falls', text: 'Data scale: with plentiful recommendation data the added task should matter less.' },
    ],
  },
  {
    name: 'search-coverage', title: 'Search gains too · search coverage', key: 'searchCoverage', values: [0.2, 0.4, 0.6, 1],
    question: 'When search training leaves out items that recommendation covers, does joint training help search, and does the gain fall as search covers more?',
    preset: 'classroom', base: { recCoverage: 1, recTrain: 3000, searchTrain: 1000 },
    chart: { metric: 'gain', second: 'kl', x: 'value' },
    claims: [
      { x: 'value', y: 'jointGain.search', expected: 'falls', text: 'The paper\'s unified model improves search too: the fewer items search saw in training, the more recommendation brings back to search.' },
    ],
    // At 10 seeds its slopes' seedsFor80 was 10–12 (80 % power for the slope observed): run at 12.
    seeds: 12,
  },
  {
    name: 'search-scale', title: 'Search gains too · sparse search data', key: 'searchTrain', values: [250, 500, 1000, 4000],
    question: 'With every item in both tasks\' training data, does joint training help search when queries are scarce and sessions plentiful?',
    preset: 'classroom', base: { recCoverage: 1, recTrain: 3000 },
    chart: { metric: 'gain', second: 'kl', x: 'value' },
    claims: [
      { x: 'log2(value)', y: 'jointGain.search', expected: 'falls', text: 'Data scale, the search side: the scarcer the queries, the more recommendation helps search.' },
    ],
  },
  {
    name: 'ml-rec-scale', title: 'Real data · recommendation data scale (MovieLens)', key: 'dataRecUsers', values: [0.25, 0.5, 1],
    question: 'On a real catalogue, with 25, 50 and 100 % of the users\' sessions in training: does the recommendation gain of joint training fall as recommendation data grows, as it does in the simulator?',
    preset: 'classroom', data: 'movielens-small', base: { biencoder: false },
    chart: { metric: 'gain', second: 'recall', x: 'value' },
    claims: [
      { x: 'log2(value)', y: 'jointGain.rec', expected: 'falls', text: 'Data scale on real data (the simulator\'s data-scale trend): with more recommendation data the added task should matter less.' },
      { x: 'log2(value)', y: 'jointGain.search', expected: null, text: 'The search side of the same sweep: how the search gain moves as recommendation data grows.' },
    ],
    // At 10 seeds the search-side slope's seedsFor80 was 12 and the rec-side slope's 21: run at the most a claim is given, 20.
    seeds: 20,
  },
  {
    name: 'ml-search-scale', title: 'Real data · search data scale (MovieLens)', key: 'dataSearchQueries', values: [0.25, 0.5, 1],
    question: 'On a real catalogue, with 25, 50 and 100 % of the training queries: does recommendation help search more when queries are scarce, as it does in the simulator?',
    preset: 'classroom', data: 'movielens-small', base: { biencoder: false },
    chart: { metric: 'gain', second: 'recall', x: 'value' },
    claims: [
      { x: 'log2(value)', y: 'jointGain.search', expected: 'falls', text: 'Data scale on real data, the search side: the scarcer the queries, the more recommendation helps search.' },
    ],
  },
  {
    name: 'ml-search-coverage', title: 'Real data · search coverage (MovieLens)', key: 'dataSearchItems', values: [0.25, 0.5, 1],
    question: 'On a real catalogue, keeping only the training queries about 25, 50 or 100 % of the items that queries name: does recommendation bring more back to search the fewer items search saw?',
    preset: 'classroom', data: 'movielens-small', base: { biencoder: false },
    chart: { metric: 'gain', second: 'cold', x: 'value' },
    claims: [
      { x: 'value', y: 'jointGain.search', expected: 'falls', text: 'Search coverage on real data: the fewer items search saw in training, the more recommendation brings back to search.' },
    ],
  },
  {
    name: 'ids', title: 'Semantic IDs · atomic vs codes from content, cf, joint and bi-encoders', key: 'idScheme',
    values: ['atomic', 'semantic:content', 'semantic:content+index', 'semantic:cf', 'semantic:joint', 'semantic:biencoder', 'semantic:biencoder-search', 'semantic:biencoder-rec'],
    variants: {
      atomic: { idScheme: 'atomic' },
      'semantic:content': { idScheme: 'semantic', idSource: 'content' },
      'semantic:content+index': { idScheme: 'semantic', idSource: 'content', idFinalCode: 'index' },
      'semantic:cf': { idScheme: 'semantic', idSource: 'cf' },
      'semantic:joint': { idScheme: 'semantic', idSource: 'joint' },
      'semantic:biencoder': { idScheme: 'semantic', idSource: 'biencoder' },
      'semantic:biencoder-search': { idScheme: 'semantic', idSource: 'biencoder-search' },
      'semantic:biencoder-rec': { idScheme: 'semantic', idSource: 'biencoder-rec' },
    },
    question: 'With half the items unseen by recommendation in training, do semantic IDs let Gen_R reach them, what do they cost on the items it saw, which source of codes serves both tasks in Gen_R+S (the follow-up: a bi-encoder tuned on both tasks), does a final code that carries frequency help (the default) against one that carries the item index, and do the IDs\' measured qualities predict Recall?',
    preset: 'classroom', base: { recCoverage: 0.5 },
    chart: { metric: 'cold', second: 'recall', x: 'value' },
    verdicts: idsFindings,
  },
];

/** An experiment's base world: its preset, its changed settings, then `overrides` (on a real catalogue, the imported-data defaults for the keys neither gives). */
export function experimentConfig(e: SweepExperiment, overrides: Partial<Config> = {}): Config {
  const cfg = resolveConfig({ ...findPreset(e.preset).values, ...e.base, ...overrides });
  return e.data ? withImportedDefaults(cfg, (k) => k in e.base || k in overrides) : cfg;
}

export function findSweepExperiment(name: string): SweepExperiment {
  const e = SWEEP_EXPERIMENTS.find((x) => x.name === name);
  if (!e) throw new ConfigError(`unknown experiment "${name}"; experiments: ${SWEEP_EXPERIMENTS.map((x) => x.name).join(', ')}`);
  return e;
}
