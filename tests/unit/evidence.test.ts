import { describe, expect, it } from 'vitest';
import { contrast, interval, power, seedsFor, tCdf, testSampleVariance, tQuantile, trend, varianceSources, type TrendPoint } from '../../src/engine/eval/evidence';
import { Rng } from '../../src/engine/core/rng';
import { sweepTrends } from '../../src/engine/studies/trends';

const XS = [0, 0.25, 0.5, 0.75, 1];

/** A sweep's per-seed values: y = seed effect + slope·x + noise, the same x at every seed. */
function draw(rng: Rng, seeds: number, slope: number, seedSd = 0.1, noiseSd = 0.1): TrendPoint[] {
  const pts: TrendPoint[] = [];
  for (let s = 1; s <= seeds; s++) {
    const a = seedSd * rng.normal();
    for (const x of XS) pts.push({ seed: s, x, y: a + slope * x + noiseSd * rng.normal() });
  }
  return pts;
}

describe('the t distribution', () => {
  it('gives the textbook quantiles', () => {
    expect(tQuantile(0.975, 9)).toBeCloseTo(2.262, 2);
    expect(tQuantile(0.975, 2)).toBeCloseTo(4.303, 2);
    expect(tQuantile(0.8, 9)).toBeCloseTo(0.883, 2);
    expect(tCdf(0, 5)).toBeCloseTo(0.5, 9);
    expect(tCdf(1.96, 1000)).toBeCloseTo(0.975, 3);
  });
});

describe('intervals and contrasts', () => {
  it('pairs by seed where the seeds are shared', () => {
    const a = [1, 2, 3, 4].map((seed) => ({ seed, value: seed * 10 }));
    const b = [1, 2, 3, 4].map((seed) => ({ seed, value: seed * 10 + 1 }));
    const d = contrast(a, b);
    expect(d.mean).toBeCloseTo(1, 9);
    expect(d.ci95![1] - d.ci95![0]).toBeCloseTo(0, 9); // the seed effect cancels
    expect(d.method).toMatch(/paired/);
    const unpaired = contrast(a, [5, 6, 7, 8].map((seed) => ({ seed, value: (seed - 4) * 10 + 1 })));
    expect(unpaired.method).toMatch(/Welch/);
    expect(unpaired.ci95![0]).toBeLessThan(0);
  });

  it('says nothing with one seed', () => {
    expect(interval([0.3]).ci95).toBeNull();
  });
});

describe('the trend method is calibrated', () => {
  const SEEDS = 10, DRAWS = 200;
  const noiseSd = 0.1;
  // The per-seed least-squares slope's standard deviation under this process.
  const sxx = XS.reduce((s, x) => s + (x - 0.5) ** 2, 0);
  const slopeSd = noiseSd / Math.sqrt(sxx);

  it('reports a trend where there is none in about 5 % of draws (at most about 7 %)', () => {
    const rng = new Rng(20261202, 'null-trend');
    let shown = 0;
    for (let i = 0; i < DRAWS; i++) if (trend(draw(rng, SEEDS, 0), { claim: '', x: 'x', y: 'y' }).verdict !== 'not shown') shown++;
    expect(shown / DRAWS).toBeLessThanOrEqual(0.075);
    expect(shown / DRAWS).toBeGreaterThan(0.01); // not so cautious that it never sees anything
  });

  it('finds a known trend about as often as the power calculation predicts', () => {
    const slope = 0.1;
    const predicted = power(slope, slopeSd / Math.sqrt(SEEDS), SEEDS - 1);
    expect(predicted).toBeGreaterThan(0.4);
    expect(predicted).toBeLessThan(0.8);
    const rng = new Rng(20261202, 'known-trend');
    let agrees = 0;
    for (let i = 0; i < DRAWS; i++) if (trend(draw(rng, SEEDS, slope), { claim: '', x: 'x', y: 'y', expected: 'rises' }).verdict === 'agrees') agrees++;
    expect(Math.abs(agrees / DRAWS - predicted)).toBeLessThan(0.1);
  });

  it('names the direction, or the smallest slope it could have seen', () => {
    const rng = new Rng(7, 'verdicts');
    expect(trend(draw(rng, SEEDS, 1), { claim: '', x: 'x', y: 'y', expected: 'rises' }).verdict).toBe('agrees');
    expect(trend(draw(rng, SEEDS, 1), { claim: '', x: 'x', y: 'y', expected: 'falls' }).verdict).toBe('disagrees');
    expect(trend(draw(rng, SEEDS, -1), { claim: '', x: 'x', y: 'y' }).verdict).toBe('falls');
    const flat = trend(draw(rng, SEEDS, 0, 0.1, 0.5), { claim: '', x: 'x', y: 'y' });
    if (flat.verdict === 'not shown') expect(flat.detectable).toBeGreaterThan(0);
  });

  it('keeps a seed\'s values together: a shared seed effect does not count as evidence', () => {
    // Huge seed effects with no within-seed noise and no slope: the slope is exactly 0 in every seed.
    const rng = new Rng(3, 'seed-effects');
    const t = trend(draw(rng, SEEDS, 0, 5, 0), { claim: '', x: 'x', y: 'y' });
    expect(Math.abs(t.slope)).toBeLessThan(1e-9);
  });
});

describe('power and seeds', () => {
  it('needs more seeds for smaller effects', () => {
    expect(seedsFor(1, 1)).toBeGreaterThan(seedsFor(2, 1));
    expect(power(0.5, 0.1, 9)).toBeGreaterThan(0.95);
    expect(power(0, 0.1, 9)).toBeCloseTo(0.05, 2);
  });
});

describe('where the variance comes from', () => {
  it('separates worlds from initialisations', () => {
    const rng = new Rng(11, 'components');
    const byWorld = Array.from({ length: 400 }, () => {
      const w = 0.3 * rng.normal();
      return [w + 0.1 * rng.normal(), w + 0.1 * rng.normal()];
    });
    const v = varianceSources(byWorld, byWorld.map(() => 0.02))!;
    expect(v.init).toBeGreaterThan(0.007);
    expect(v.init).toBeLessThan(0.013);
    expect(v.testSample).toBeCloseTo(0.02, 9);
    expect(v.world + v.testSample).toBeGreaterThan(0.07);
    expect(v.world + v.testSample).toBeLessThan(0.11);
  });

  it('bootstraps the gain over test examples', () => {
    const rng = new Rng(5, 'hits');
    const single = Uint8Array.from({ length: 1000 }, () => (rng.next() < 0.4 ? 1 : 0));
    const joint = Uint8Array.from(single, (h) => (h || rng.next() < 0.1 ? 1 : 0));
    const v = testSampleVariance(single, joint, 1)!;
    expect(Math.sqrt(v)).toBeGreaterThan(0.01);
    expect(Math.sqrt(v)).toBeLessThan(0.06);
  });
});

describe('trends of a sweep', () => {
  it('always has the two joint gains against the swept value, from per-seed values', () => {
    const points = [0.2, 0.6, 1].map((value) => ({
      value, seeds: [1, 2, 3],
      seedValues: {
        jointGain: { rec: { relative: [1 - value, 1.1 - value, 0.9 - value], absolute: [0, 0, 0] }, search: { relative: [0.01, -0.01, 0.02], absolute: [0, 0, 0] } },
        recall: {}, kl: {}, agreement: {}, popularityKL: { recVsSearch: [0, 0, 0] },
      },
    }));
    const ts = sweepTrends(points, 'recCoverage');
    expect(ts.map((t) => t.y)).toEqual(['jointGain.rec', 'jointGain.search']);
    expect(ts[0].slope).toBeCloseTo(-1, 9);
    expect(ts[0].verdict).toBe('falls');
    expect(ts[0].seeds).toBe(3);
  });
});
