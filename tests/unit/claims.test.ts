/**
 * Each claim tested as it is stated: p-values and Benjamini–Hochberg q-values, equivalence
 * as two one-sided tests, trends over a subset of points, H1's shape and the cap study's
 * split by its control, and contrasts that change only the knobs they name.
 */
import { describe, expect, it } from 'vitest';
import { resolveConfig, type Config } from '../../src/engine/core/config';
import { contrast, pEquivalence, pTwoSided, qValues, seedEvidence, trend, trendP } from '../../src/engine/eval/evidence';
import { capSplit, h1Shape } from '../../src/engine/studies/findings-h1';
import { findingsClaims, powerText } from '../../src/engine/studies/findings';
import { experimentConfig, pointConfig, SWEEP_EXPERIMENTS, type Sweep, type SweepPoint } from '../../src/engine/studies/sweep';
import { sweepTrends, type SeedValues } from '../../src/engine/studies/trends';
import { LESSON_WORLDS, lessonConfig, lessonWorld } from '../../src/engine/studies/lessons';
import { LESSON_STEPS } from '../../src/app/lesson/steps';

const differing = (a: Config, b: Config) => (Object.keys(a) as (keyof Config)[]).filter((k) => k !== 'seed' && JSON.stringify(a[k]) !== JSON.stringify(b[k])).sort();

describe('p-values and q-values', () => {
  it('Benjamini–Hochberg: the textbook example, monotone in p, never below p, at most 1', () => {
    const ps = [0.01, 0.04, 0.03, 0.005, 0.5];
    const q = qValues(ps);
    // Sorted: 0.005, 0.01, 0.03, 0.04, 0.5 → ×5/rank: 0.025, 0.025, 0.05, 0.05, 0.5.
    expect(q.map((x) => +x.toFixed(6))).toEqual([0.025, 0.05, 0.05, 0.025, 0.5]);
    for (let i = 0; i < ps.length; i++) expect(q[i]).toBeGreaterThanOrEqual(ps[i]);
    expect(qValues([0.9, 0.95])).toEqual([0.95, 0.95]);
    expect(qValues([])).toEqual([]);
  });

  it('a p-value below 0.05 exactly when the 95 % interval excludes 0; TOST below 0.05 exactly when the 90 % interval is inside the margin', () => {
    for (const shift of [0, 0.5, 1, 1.5, 3]) {
      const values = [0.2, -0.4, 1.1, 0.7, -0.3, 0.9, 0.1, 0.5, -0.6, 0.8].map((v, seed) => ({ seed, value: v * 0.5 + shift * 0.2 }));
      const e = seedEvidence(values);
      expect(e.p! < 0.05, `shift ${shift}`).toBe(e.ci95![0] > 0 || e.ci95![1] < 0);
      for (const m of [0.1, 0.3, 0.6]) {
        const inside = e.ci90![0] > -m && e.ci90![1] < m;
        expect(pEquivalence(e, m)! < 0.05, `shift ${shift}, margin ${m}`).toBe(inside);
      }
    }
    const paired = contrast([{ seed: 1, value: 1 }, { seed: 2, value: 2 }, { seed: 3, value: 1.5 }], [{ seed: 1, value: 2 }, { seed: 2, value: 3.2 }, { seed: 3, value: 2.4 }]);
    expect(paired.p).toBeCloseTo(pTwoSided(paired.mean, paired.se!, 2), 12);
  });

  it('a trend\'s p-value, stored or recovered from its interval, agrees with its verdict', () => {
    const pts = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10].flatMap((seed) => [0, 1, 2].map((x) => ({ seed, x, y: 0.3 * x + Math.sin(seed * 7 + x) * 0.2 })));
    const t = trend(pts, { claim: 'c', x: 'x', y: 'jointGain.rec', expected: 'rises' });
    expect(t.verdict).toBe('agrees');
    expect(t.p!).toBeLessThan(0.05);
    const { p, ...old } = t;
    expect(trendP(old)).toBeCloseTo(p!, 6);
  });

  it('says when a claim that holds is short of the seeds 80 % power needs, and what a claim not shown would need', () => {
    const base = { claim: 'c', x: 'x', y: 'jointGain.rec', slope: 0.1, ci95: [0.02, 0.18] as [number, number], seeds: 20, method: 'm', verdict: 'rises' as const };
    expect(powerText({ ...base, seedsFor80: 27 }, 'rises')).toMatch(/about 27 seeds would give it; run with 20/);
    expect(powerText({ ...base, seedsFor80: 9 }, 'rises')).toBe('');
    // Held before the correction, not after: nothing is said of a claim the family did not call.
    expect(powerText({ ...base, seedsFor80: 27 }, 'not shown')).toBe('');
    const none = { ...base, ci95: [-0.05, 0.25] as [number, number], verdict: 'not shown' as const };
    expect(powerText({ ...none, seedsFor80: 43 }, 'not shown')).toBe('A slope this size would need about 43 seeds.');
    expect(powerText({ ...none, seedsFor80: 1000 }, 'not shown')).toBe('');
  });
});

/** A sweep point with per-seed relative gains (and nothing else a trend reads). */
function point(value: number, gains: number[], extra: Partial<SweepPoint> = {}): SweepPoint {
  const seeds = gains.map((_, i) => i + 1);
  const seedValues: SeedValues = { jointGain: { rec: { relative: gains, absolute: gains }, search: { relative: gains.map(() => 0), absolute: gains.map(() => 0) } }, recall: {}, kl: {}, agreement: {}, popularityKL: { recVsSearch: seeds.map(() => 1 - value), realised: seeds.map(() => 1.2 - value) } };
  return { value, seeds, seedValues, dataStats: { popularityKL: { recVsSearch: 1 - value, searchVsRec: 1 - value }, popularitySpearman: 0, realizedAlignment: 0, coverage: { search: 1, rec: 1 }, trainExamples: { search: 1000 * (value || 1), rec: 300 }, trainPopularityKL: { recVsSearch: 1.2 - value, searchVsRec: 1.2 - value } }, jointGain: {}, models: {}, embedding: {}, stopped: false, ...extra };
}

const sweepOf = (experiment: string, key: Sweep['key'], points: SweepPoint[]): Sweep => ({ schema: 'bridge-lab/sweep@1', experiment, key, values: points.map((p) => p.value), config: resolveConfig({}), seeds: points[0].seeds, points, complete: true, stopped: false, createdAt: '' });
const noise = (i: number) => [0.02, -0.01, 0.015, -0.02, 0.005, 0.01, -0.015, 0.0, 0.02, -0.005][i];

describe('H1 as stated', () => {
  const values = [0, 0.25, 0.5, 0.75, 0.85, 0.9, 0.95, 0.98, 1];
  const e = SWEEP_EXPERIMENTS.find((x) => x.name === 'h1-divergence')!;

  it('a gain that jumps only at identical popularity: no slope without that point, a jump, and the shape says so', () => {
    const pts = values.map((v) => point(v, Array.from({ length: 10 }, (_, i) => 0.15 + noise(i) * (1 + v) + (v === 1 ? 0.2 : 0))));
    const s = sweepOf('h1-divergence', 'popularityAgreement', pts);
    s.trends = sweepTrends(pts, s.key, e.claims);
    const without = s.trends.find((t) => t.x.includes('without popularityAgreement 1') && t.y === 'jointGain.rec')!;
    expect(without.verdict).toBe('not shown');
    const all = s.trends.find((t) => t.x.startsWith('realised') && !t.x.includes('without'))!;
    expect(all.verdict).toBe('agrees');
    const [jump, shape] = h1Shape(s);
    expect(jump.observed).toMatch(/paired by seed: \+20\.0 pp \[\+\d+\.\d pp, \+\d+\.\d pp\]/);
    expect(shape.observed).toMatch(/^no slope shown below identical popularity: the gain rises only where the two tasks share one ranking/);
  });

  it('a gain that falls smoothly with the divergence: a slope without the last point, and no jump', () => {
    const pts = values.map((v) => point(v, Array.from({ length: 10 }, (_, i) => 0.4 * v + noise(i))));
    const s = sweepOf('h1-divergence', 'popularityAgreement', pts);
    s.trends = sweepTrends(pts, s.key, e.claims);
    expect(h1Shape(s)[1].observed).toMatch(/^a slope, with no jump/);
  });
});

describe('the cap study split by its control', () => {
  it('separates "flatter" (capped − random of the same size) from "less data" (random − all), paired by seed', () => {
    const g = (base: number) => Array.from({ length: 10 }, (_, i) => base + noise(i));
    const stats = (search: number, kl: number) => ({ dataStats: { ...point(0, [0]).dataStats, trainExamples: { search, rec: 300 }, trainPopularityKL: { recVsSearch: kl, searchVsRec: kl } } });
    const capped = sweepOf('h1-capped', 'searchCapPerItem', [point(5, g(0.30), stats(1850, 0.9)), point(50, g(0.20), stats(4000, 0.5))]);
    const control = sweepOf('h1-capped-control', 'searchCapPerItem', [point(0, g(0.10), stats(5640, 0.4)), point(5, g(0.25), stats(1850, 0.41)), point(50, g(0.12), stats(4000, 0.4))]);
    const out = capSplit(control, { 'h1-capped': capped });
    expect(out).toHaveLength(2);
    expect(out[0].text).toMatch(/^Cap 5:/);
    expect(out[0].observed).toMatch(/recommendation gain — flatter \+5\.0 pp \[\+5\.0 pp, \+5\.0 pp\], less data \+15\.0 pp/);
    expect(out[1].observed).toMatch(/flatter \+8\.0 pp .*less data \+2\.0 pp/);
    expect(out[0].observed).toMatch(/^1,850 search examples of 5,640; realised KL\(p̂_R‖p̂_S\) capped 0\.900, random 0\.410, all 0\.400/);
    expect(capSplit(control, {})).toEqual([]);
  });
});

describe('the findings as one family', () => {
  it('calls a verdict only at q < 0.05, and says where correction took one away', () => {
    // Twenty flat sweeps and one weak trend: its own interval may pass, the family's q does not.
    const flat = Array.from({ length: 20 }, (_, k) => sweepOf(`s${k}`, 'recTrain', [0, 1, 2].map((v) => point(v, Array.from({ length: 10 }, (_, i) => noise((i + k) % 10))))));
    for (const s of flat) s.trends = sweepTrends(s.points, s.key);
    const claims = findingsClaims(flat);
    expect(claims.length).toBe(40);
    for (const c of claims) {
      expect(c.q).toBeGreaterThanOrEqual(c.p);
      if (c.verdict !== 'not shown') expect(c.q).toBeLessThan(0.05);
    }
  });
});

describe('contrasts that change only what they name', () => {
  it('every study point differs from its study\'s base only in the swept key (or a variant\'s settings)', () => {
    for (const e of SWEEP_EXPERIMENTS) {
      const base = experimentConfig(e);
      for (const v of e.values) {
        const named = e.variants ? Object.keys(e.variants[String(v)]) : [e.key];
        const diff = differing(pointConfig(base, e.key, v, e.name), base);
        expect(diff.filter((k) => !named.includes(k)), `${e.name} at ${String(v)}`).toEqual([]);
      }
    }
    // The cap study and its control differ in the control alone.
    const capped = experimentConfig(SWEEP_EXPERIMENTS.find((e) => e.name === 'h1-capped')!);
    const control = experimentConfig(SWEEP_EXPERIMENTS.find((e) => e.name === 'h1-capped-control')!);
    expect(differing(control, capped)).toEqual(['searchCapControl']);
  });

  it('every lesson contrast (an effect of one world against another) differs only in the knobs it names', () => {
    let contrasts = 0;
    for (const step of LESSON_STEPS) {
      for (const e of step.effects) {
        if (!e.against) continue;
        contrasts++;
        expect(e.knobs, `${step.id}: "${e.claim}" names its knobs`).toBeDefined();
        expect(differing(lessonConfig(lessonWorld(e.world)), lessonConfig(lessonWorld(e.against))), `${step.id}: ${e.world} against ${e.against}`).toEqual([...e.knobs!].sort());
      }
    }
    expect(contrasts).toBeGreaterThanOrEqual(5);
    expect(LESSON_WORLDS.some((w) => w.id === 'early-stopped')).toBe(true);
  });
});
