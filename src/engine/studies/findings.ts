/**
 * What a sweep says, in words: each trend (trends.ts, computed from per-seed values with a
 * seed-bootstrap interval) as a sentence with its slope, interval, seeds and verdict.
 * Shared by the findings generator (docs/findings.md) and the app's Findings and Sweeps views.
 */
import { pText, qValues, Q_LEVEL, trendP, type Trend, type TrendVerdict } from '../eval/evidence';
import { trendsOf, type Sweep } from './sweep';
import { quantityLabel } from './trends';

/**
 * The sweep's stored trends, or (for a sweep stored before trends) those its points allow;
 * never one along an unordered list of named settings (stored before such trends were dropped).
 */
export function trendsFor(s: Sweep): Trend[] {
  return (s.trends ?? trendsOf(s)).filter((t) => !t.x.endsWith('(position in the list)'));
}

/** One tested claim of the findings: a study's trend, its p-value, and its q-value over the whole family. */
export interface FindingsClaim {
  study: string;
  trend: Trend;
  p: number;
  q: number;
  /** The trend's verdict called at q < Q_LEVEL: where its interval alone excludes 0 but q does not pass, "not shown". */
  verdict: TrendVerdict;
}

/**
 * The findings as one family of tests: every trend of every study given, with
 * Benjamini–Hochberg q-values over all of them, each verdict called at q < Q_LEVEL.
 */
export function findingsClaims(sweeps: readonly Sweep[]): FindingsClaim[] {
  const all = sweeps.flatMap((s) => trendsFor(s).map((trend) => ({ study: s.experiment ?? '', trend })));
  const ps = all.map((c) => trendP(c.trend));
  const qs = qValues(ps);
  return all.map((c, i) => ({ ...c, p: ps[i], q: qs[i], verdict: qs[i] < Q_LEVEL ? c.trend.verdict : 'not shown' }));
}

/** The claim of `study` about `t` in the family, if there. */
export function claimOf(claims: readonly FindingsClaim[], study: string, t: Trend): FindingsClaim | undefined {
  return claims.find((c) => c.study === study && c.trend.x === t.x && c.trend.y === t.y && c.trend.claim === t.claim);
}

/** "p = 0.004, q = 0.021 (of 24 claims)", and, where the interval alone passes but q does not, why the verdict is "not shown". */
export function qText(c: FindingsClaim, family: number): string {
  const lost = c.verdict === 'not shown' && c.trend.verdict !== 'not shown';
  return `${pText(c.p)}, ${pText(c.q, 'q')} (of ${family} claims)${lost ? `: the interval alone excludes 0, but not after correcting for ${family} claims` : ''}`;
}

export const VERDICT_WORDS: Record<TrendVerdict, string> = {
  agrees: 'agrees',
  disagrees: 'disagrees',
  rises: 'rises',
  falls: 'falls',
  'not shown': 'not shown',
};

/** A relative gain is shown in percentage points of gain; other quantities as they are. */
function scaled(y: string, v: number): string {
  const rel = y.startsWith('jointGain.');
  const x = rel ? v * 100 : v;
  const a = Math.abs(x);
  const text = a >= 10 ? a.toFixed(1) : a >= 1 ? a.toFixed(2) : a >= 0.001 || a === 0 ? a.toFixed(3) : a.toPrecision(2);
  return `${x >= 0 ? '+' : '−'}${text}${rel ? ' pp' : ''}`;
}

/** "per doubling of searchTrain", "per 1.0 of recCoverage", "per unit of KL(p_R‖p_S)". */
export function perUnit(x: string): string {
  const log = /^log2\((.*)\)$/.exec(x);
  if (log) return `per doubling of ${log[1]}`;
  if (x.endsWith('(position in the list)')) return `per step along ${x.replace(' (position in the list)', '')}`;
  return `per 1.0 of ${quantityLabel(x)}`;
}

/** "−130 pp [−190, −70] per 1.0 of recCoverage, 10 seeds". */
export function slopeText(t: Trend): string {
  const ci = t.ci95 ? ` [${scaled(t.y, t.ci95[0])}, ${scaled(t.y, t.ci95[1])}]` : ' (no interval)';
  return `slope ${scaled(t.y, t.slope)}${ci} ${perUnit(t.x)}, ${t.seeds} seed${t.seeds === 1 ? '' : 's'}`;
}

/** The trend's verdict in a sentence, with the smallest slope these seeds could have seen where it is not shown. */
export function verdictText(t: Trend): string {
  switch (t.verdict) {
    case 'agrees': return `agrees: the interval excludes 0 in the direction the claim expects (${t.expected})`;
    case 'disagrees': return `disagrees: the interval excludes 0 in the other direction (the claim expects it to ${t.expected === 'rises' ? 'rise' : 'fall'})`;
    case 'rises': return 'rises: the interval is above 0';
    case 'falls': return 'falls: the interval is below 0';
    case 'not shown': return `not shown: the interval includes 0${t.detectable !== undefined ? `; these seeds would have detected a slope of about ${scaled(t.y, t.detectable).replace('+', '±')} (80 % power)` : ''}`;
  }
}

/** A claim that holds (`verdict`, after the correction) with fewer seeds than 80 % power for its observed slope needs. */
export function shortOfPower(t: Trend, verdict: TrendVerdict): boolean {
  return verdict !== 'not shown' && t.seedsFor80 !== undefined && t.seedsFor80 > t.seeds;
}

/**
 * The seeds a trend's observed slope needs for 80 % power, in a sentence: for a slope not shown, how many a rerun
 * would need (where it is within reach); for one short of power (shortOfPower), that a rerun should confirm it;
 * otherwise nothing.
 */
export function powerText(t: Trend, verdict: TrendVerdict): string {
  if (t.seedsFor80 === undefined) return '';
  if (t.verdict === 'not shown') return t.seedsFor80 < 1000 ? `A slope this size would need about ${t.seedsFor80} seeds.` : '';
  if (shortOfPower(t, verdict)) return `Short of 80 % power for a slope this size (about ${t.seedsFor80} seeds would give it; run with ${t.seeds}): a rerun with more seeds should confirm it.`;
  return '';
}
