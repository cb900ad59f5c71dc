/**
 * What a sweep says, in words: each trend (trends.ts, computed from per-seed values with a
 * seed-bootstrap interval) as a sentence with its slope, interval, seeds and verdict.
 * Shared by the findings generator (docs/findings.md) and the app's Findings and Sweeps views.
 */
import type { Trend, TrendVerdict } from '../eval/evidence';
import { trendsOf, type Sweep } from './sweep';
import { quantityLabel } from './trends';

/** The sweep's stored trends, or (for a sweep stored before trends) those its points allow. */
export function trendsFor(s: Sweep): Trend[] {
  return s.trends ?? trendsOf(s);
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
