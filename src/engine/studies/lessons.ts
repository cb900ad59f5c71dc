/**
 * The worlds the classroom lesson shows, shared by `npm run lessons` (which trains them
 * and stores the reports in public/lessons/) and the app's Lesson view (which shows the
 * stored reports at once and can retrain them live). The steps' words live with the
 * view (src/app/lesson/steps.ts); here is only what is trained.
 */
import { presetConfig } from '../core/presets';
import { withImportedDefaults, type Config, type ConfigKey } from '../core/config';
import { contrast, pEquivalence, qValues, Q_LEVEL, seedEvidence, sign, varianceSources, type Evidence, type PerSeed, type VarianceSources } from '../eval/evidence';
import { jointGainOf } from '../run/summary';
import type { ModelName, Report, RunReport } from '../core/report';
import type { Task } from '../core/encode';

export interface LessonWorld {
  id: string;
  preset: string;
  overrides: Partial<Config>;
  /** A few words for the A/B label. */
  label: string;
  /**
   * A real catalogue shipped with the page (its folder under public/data/): the world is
   * that data, trained as imported data (IMPORTED_DEFAULTS, the simulation's knobs unused),
   * and a live retrain in the page is not offered (a seed takes many minutes on a CPU).
   */
  data?: string;
}

/** Seeds of the stored runs: 10, from a power calculation (docs/findings.md, "Seeds"). */
export const LESSON_SEEDS = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
/** Seeds of a live retrain in the page (three, so that a class waits minutes, not a quarter of an hour). */
export const LIVE_SEEDS = [1, 2, 3];
/** Worlds (the first seeds) trained with a second model seed, `initSeed` = INIT_OFFSET + seed, for the variance decomposition. */
export const DECOMPOSITION_WORLDS = 5;
export const INIT_OFFSET = 1000;

export const LESSON_WORLDS: readonly LessonWorld[] = [
  { id: 'classroom', preset: 'classroom', overrides: {}, label: 'the classroom world' },
  { id: 'h1-shared', preset: 'h1-shared-popularity', overrides: {}, label: 'shared popularity' },
  { id: 'h1-conflicting', preset: 'h1-conflicting-popularity', overrides: {}, label: 'conflicting popularity' },
  { id: 'h2-aligned', preset: 'h2-aligned-structure', overrides: {}, label: 'aligned content and CF' },
  { id: 'h2-unrelated', preset: 'h2-unrelated-structure', overrides: {}, label: 'unrelated content and CF' },
  { id: 'cold', preset: 'classroom', overrides: { recCoverage: 0.3 }, label: 'recommendation sees 30 % of the items' },
  { id: 'cold-semantic', preset: 'classroom', overrides: { recCoverage: 0.3, idScheme: 'semantic' }, label: 'the same, with semantic IDs from content' },
  { id: 'search-gains', preset: 'classroom', overrides: { searchTrain: 300, recTrain: 3000, recCoverage: 1 }, label: 'scarce queries (300), plentiful sessions (3,000)' },
  { id: 'plentiful', preset: 'classroom', overrides: { recTrain: 6000 }, label: 'plentiful recommendation data' },
  { id: 'overtrained', preset: 'h1-shared-popularity', overrides: { recTrain: 1000, epochs: 12, patience: 0 }, label: '12 epochs, no early stopping' },
  { id: 'early-stopped', preset: 'h1-shared-popularity', overrides: { recTrain: 1000, epochs: 12 }, label: 'the same world, with early stopping' },
  { id: 'movielens', preset: 'classroom', data: 'movielens-small', overrides: { biencoder: false }, label: 'MovieLens (small): real ratings and tags' },
];

/** A lesson world by its id, or by the name of the preset it is (a simulated world with no overrides of its own). */
export function findLessonWorld(text: string): LessonWorld | undefined {
  return LESSON_WORLDS.find((w) => w.id === text) ?? LESSON_WORLDS.find((w) => !w.data && w.preset === text && Object.keys(w.overrides).length === 0);
}

export function lessonWorld(id: string): LessonWorld {
  const w = LESSON_WORLDS.find((x) => x.id === id);
  if (!w) throw new Error(`unknown lesson world "${id}"; worlds: ${LESSON_WORLDS.map((x) => x.id).join(', ')}`);
  return w;
}

/** The world's config at a seed (the first seed of a run). */
export function lessonConfig(w: LessonWorld, seed = LESSON_SEEDS[0]): Config {
  const cfg = presetConfig(w.preset, { ...w.overrides, seed });
  return w.data ? withImportedDefaults(cfg, (k) => k in w.overrides) : cfg;
}

/** What public/lessons/<id>.json holds. */
export interface StoredLessonRun {
  schema: 'bridge-lab/lesson-run@1';
  world: LessonWorld;
  createdAt: string;
  command: string;
  backend: string;
  report: Report;
  /** Where the seed-to-seed variance of the relative joint gain comes from (absent in older files). */
  decomposition?: Decomposition;
}

export interface Decomposition {
  /** The runs with a second model seed: world seed, init seed, relative joint gain per task. */
  reinit: { seed: number; initSeed: number; jointGain: Partial<Record<Task, number | null>> }[];
  /** Per task: variance of the relative gain from the world draw, the model initialisation and the test sample. */
  sources: Partial<Record<Task, VarianceSources>>;
}

/** The decomposition from a report's runs and the same worlds trained with a second model seed. */
export function decompositionOf(report: Report, reinit: RunReport[]): Decomposition {
  const k = report.config.k;
  const sources: Decomposition['sources'] = {};
  for (const task of ['search', 'rec'] as Task[]) {
    const byWorld: number[][] = [], testVar: number[] = [];
    for (const r2 of reinit) {
      const r1 = report.runs.find((r) => r.seed === r2.seed);
      const a = r1 ? jointGainOf(r1, task, k) : null, b = jointGainOf(r2, task, k);
      if (a === null || b === null) continue;
      byWorld.push([a, b]);
      const sd = r1?.jointGainTestSd?.[task];
      if (sd !== undefined) testVar.push(sd * sd);
    }
    const v = varianceSources(byWorld, testVar);
    if (v) sources[task] = v;
  }
  return {
    reinit: reinit.map((r) => ({ seed: r.seed, initSeed: r.initSeed ?? r.seed, jointGain: { search: jointGainOf(r, 'search', k), rec: jointGainOf(r, 'rec', k) } })),
    sources,
  };
}

/** A per-seed quantity of one world's run that a lesson step can state an effect about. */
export type LessonQuantity =
  | { of: 'jointGain'; task: Task }
  /** Gen_R+S's recommendation popularity KL minus Gen_R's (below 0: the joint model calibrates better). */
  | { of: 'klDifference' }
  /** A model's Recall@K on the recommendation targets it never saw in training. */
  | { of: 'coldRecall'; model: 'rec' | 'joint' }
  /** On `task` (recommendation by default): Gen_R+S's Recall@K on the targets the task never saw in training minus the single-task model's. */
  | { of: 'coldAdvantage'; task?: Task }
  | { of: 'agreement'; model: 'search' | 'rec' | 'joint'; kind: 'content' | 'cf' }
  /** Gen_R+S's neighbour agreement (content: same topic or category; cf: same CF cluster) minus Gen_R's. */
  | { of: 'agreementDifference'; kind: 'content' | 'cf' };

/**
 * An effect a step states. `world`: the quantity in one world; with `against`, the
 * difference world − against, paired by seed. `expected`: the sign the step teaches
 * ('none': the step teaches that there is no effect to speak of).
 */
export interface LessonEffect {
  claim: string;
  quantity: LessonQuantity;
  world: string;
  against?: string;
  /** With `against`: the settings the two worlds differ in, and nothing else (a test checks). */
  knobs?: ConfigKey[];
  expected: 'positive' | 'negative' | 'none';
  /** Show as a percentage (relative gains) rather than a number. */
  percent?: boolean;
  /**
   * With `expected: 'none'`, the equivalence margin: an effect smaller than this either way
   * counts as none, and "none" is shown only where the data show that (two one-sided
   * tests at 5 %: the 90 % interval inside ±margin), not merely where 0 is not excluded.
   */
  margin?: number;
}

export function quantityOf(q: LessonQuantity, run: RunReport, k: number): number | null {
  const cold = (m: ModelName, task: Task = 'rec') => {
    const c = run.models[m]?.eval[task]?.byBucket.cold;
    return c && c.count ? (c[`recall@${k}`] as number) : null;
  };
  switch (q.of) {
    case 'jointGain': return jointGainOf(run, q.task, k);
    case 'klDifference': {
      const j = run.models.joint?.popularity.rec?.kl, r = run.models.rec?.popularity.rec?.kl;
      return j === undefined || r === undefined ? null : j - r;
    }
    case 'coldRecall': return cold(q.model);
    case 'coldAdvantage': {
      const task = q.task ?? 'rec';
      const j = cold('joint', task), r = cold(task === 'rec' ? 'rec' : 'search', task);
      return j === null || r === null ? null : j - r;
    }
    case 'agreement': {
      const e = run.models[q.model]?.embedding;
      return e ? (q.kind === 'content' ? e.contentAgreement : e.cfAgreement) : null;
    }
    case 'agreementDifference': {
      const j = run.models.joint?.embedding, r = run.models.rec?.embedding;
      const of = (e: typeof j) => (e ? (q.kind === 'content' ? e.contentAgreement : e.cfAgreement) : null);
      const a = of(j), b = of(r);
      return a === null || b === null || a === undefined || b === undefined ? null : a - b;
    }
  }
}

export interface EffectResult {
  effect: LessonEffect;
  evidence: Evidence;
  /**
   * shown: the 95 % interval excludes 0 in the expected direction (for 'none': the 90 %
   * interval lies inside ±margin); opposite: it excludes 0 the other way (for 'none': it
   * excludes 0); not shown: neither.
   */
  verdict: 'shown' | 'not shown' | 'opposite';
  /** The p-value of the test the claim states: two one-sided tests against the margin for 'none', else two-sided. */
  p?: number;
}

/** An effect of a family of effects: its q-value, and its verdict called at q < Q_LEVEL. */
export interface FamilyResult extends EffectResult {
  q?: number;
  /** The verdict the interval alone gives, where q took "shown" away. */
  uncorrected?: EffectResult['verdict'];
}

/**
 * The effects as one family of tests: Benjamini–Hochberg q-values over their p-values, and
 * "shown" only where q < Q_LEVEL (the interval alone may pass where q does not).
 */
export function effectFamily(results: readonly EffectResult[]): FamilyResult[] {
  const qs = qValues(results.map((r) => r.p ?? 1));
  return results.map((r, i) => (r.verdict === 'shown' && qs[i] >= Q_LEVEL ? { ...r, q: qs[i], verdict: 'not shown', uncorrected: r.verdict } : { ...r, q: qs[i] }));
}

/** What public/lessons/effects.json holds: the stored runs' effects as one family. */
export interface StoredEffects {
  schema: 'bridge-lab/lesson-effects@1';
  family: number;
  effects: { step: string; claim: string; mean: number; p: number | null; q: number | null; verdict: EffectResult['verdict']; uncorrected?: EffectResult['verdict'] }[];
}

/** Whether an interval lies strictly inside (−margin, +margin). */
function within(ci: [number, number] | null | undefined, margin: number | undefined): boolean {
  if (!ci || margin === undefined) return false;
  return ci[0] > -margin && ci[1] < margin;
}

/** The effect's evidence in the given reports (null where a world's report is missing). */
export function effectResult(effect: LessonEffect, reports: Record<string, Report | undefined>): EffectResult | null {
  const a = reports[effect.world];
  const b = effect.against ? reports[effect.against] : undefined;
  if (!a || (effect.against && !b)) return null;
  const perSeed = (r: Report): PerSeed => r.runs.map((run) => ({ seed: run.seed, value: quantityOf(effect.quantity, run, r.config.k) }));
  const evidence = b ? contrast(perSeed(b), perSeed(a)) : seedEvidence(perSeed(a));
  const s = sign(evidence);
  const verdict = effect.expected === 'none'
    ? (s !== 'includes 0' ? 'opposite' : within(evidence.ci90, effect.margin) ? 'shown' : 'not shown')
    : s === 'includes 0' ? 'not shown' : (s === 'above') === (effect.expected === 'positive') ? 'shown' : 'opposite';
  const p = effect.expected === 'none' && effect.margin !== undefined ? pEquivalence(evidence, effect.margin) : evidence.p;
  return { effect, evidence, verdict, ...(p !== undefined ? { p } : {}) };
}
