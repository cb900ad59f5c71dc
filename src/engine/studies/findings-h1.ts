/**
 * What the H1 studies say beyond their slopes, computed from per-seed values:
 * - the shape of the divergence study's gain near identical popularity (a slope, a jump at
 *   identical rankings above the line through the points below, both or neither);
 * - the cap study split by its matched control: at each cap, "flatter popularity" (capped
 *   against a random subsample of the same size, paired by seed) and "less data" (that
 *   subsample against the full search data, paired by seed).
 * Differences are paired by seed with a 95 % t-interval. Shared by docs/findings.md and the
 * app's Findings view.
 */
import { interval, sign } from '../eval/evidence';
import type { Interval } from '../core/report';
import type { Task } from '../core/encode';
import type { IdsStatement } from './findings-ids';
import type { Sweep, SweepPoint } from './sweep-types';

/** The divergence study's points near identical popularity, below it. */
export const NEAR_IDENTICAL = [0.85, 0.9, 0.95, 0.98];

const pp = (x: number) => `${x >= 0 ? '+' : '−'}${Math.abs(x * 100).toFixed(1)} pp`;
const ppInterval = (d: Interval) => `${pp(d.mean)}${d.ci95 ? ` [${pp(d.ci95[0])}, ${pp(d.ci95[1])}]` : ''}`;
const f3 = (x: number | undefined) => (x === undefined || !Number.isFinite(x) ? '—' : x.toFixed(3));

/** One point's relative joint gain on `task`, by seed. */
function gains(p: SweepPoint | undefined, task: Task): Map<number, number> {
  const out = new Map<number, number>();
  const values = p?.seedValues?.jointGain[task]?.relative ?? [];
  p?.seeds.forEach((seed, i) => {
    const v = values[i];
    if (v !== null && v !== undefined && Number.isFinite(v)) out.set(seed, v);
  });
  return out;
}

/** Per seed that every map holds: combine(values), with its 95 % interval over seeds. */
function paired(maps: Map<number, number>[], combine: (xs: number[]) => number): Interval | null {
  const seeds = [...maps[0].keys()].filter((s) => maps.every((m) => m.has(s)));
  return seeds.length ? interval(seeds.map((s) => combine(maps.map((m) => m.get(s)!)))) : null;
}

const pointAt = (s: Sweep, v: number) => s.points.find((p) => p.value === v);

/** The least-squares line through (xs, ys), evaluated at x. */
function lineAt(xs: number[], ys: number[], x: number): number {
  const mx = xs.reduce((a, b) => a + b, 0) / xs.length, my = ys.reduce((a, b) => a + b, 0) / ys.length;
  let sxy = 0, sxx = 0;
  xs.forEach((xi, i) => { sxy += (xi - mx) * (ys[i] - my); sxx += (xi - mx) ** 2; });
  return my + (sxx > 0 ? sxy / sxx : 0) * (x - mx);
}

/**
 * The divergence study's shape: the gain at identical popularity against the points just
 * below it (a jump), beside the slope without that point (trends.ts), and the shape both show.
 */
export function h1Shape(s: Sweep): IdsStatement[] {
  const top = pointAt(s, 1);
  const below = s.points.filter((p) => typeof p.value === 'number' && p.value < 1);
  if (!top || below.filter((p) => NEAR_IDENTICAL.includes(p.value as number)).length < 2) return [];
  // Per seed: the gain at 1 minus where that seed's straight line through the points below 1 puts it.
  const xs = below.map((p) => p.value as number);
  const jump = paired([gains(top, 'rec'), ...below.map((p) => gains(p, 'rec'))], ([g1, ...ys]) => g1 - lineAt(xs, ys, 1));
  if (!jump) return [];
  const slope = (s.trends ?? []).find((t) => t.y === 'jointGain.rec' && t.x.startsWith('realised') && t.x.includes('without'));
  const jumps = sign(jump) === 'above';
  const slopes = slope?.verdict === 'agrees';
  const shape = jumps && slopes ? 'a slope, and a jump at identical rankings above it'
    : jumps ? 'no slope shown below identical popularity: the gain rises only where the two tasks share one ranking'
      : slopes ? 'a slope, with no jump at identical rankings'
        : 'neither a slope below identical popularity nor a jump at it';
  return [
    {
      text: `H1's shape: is the recommendation gain at identical popularity (popularityAgreement 1) above the straight line through the points below it (${xs.join(', ')}; the points near 1 are ${NEAR_IDENTICAL.join(', ')})?`,
      observed: `gain at 1 minus each seed's line through the points below, at 1, paired by seed: ${ppInterval(jump)}`,
      verdict: sign(jump) === 'includes 0' ? 'unclear' : 'no claim',
    },
    {
      text: 'H1\'s shape, from the jump and the slope without identical popularity together.',
      observed: `${shape} (slope without popularityAgreement 1: ${slope ? slope.verdict : 'not measured'})`,
      verdict: 'no claim',
    },
  ];
}

/** The cap study split by its matched control (this sweep), at each cap the capped study ran. */
export function capSplit(control: Sweep, others: Readonly<Record<string, Sweep | null | undefined>>): IdsStatement[] {
  const capped = others['h1-capped'];
  const full = pointAt(control, 0);
  if (!capped || !full) return [];
  const out: IdsStatement[] = [];
  for (const p of capped.points) {
    const cap = p.value as number;
    const same = pointAt(control, cap);
    if (!same) continue;
    const parts = (['rec', 'search'] as Task[]).map((task) => {
      const flatter = paired([gains(p, task), gains(same, task)], ([a, b]) => a - b);
      const lessData = paired([gains(same, task), gains(full, task)], ([a, b]) => a - b);
      return `${task === 'rec' ? 'recommendation' : 'search'} gain — flatter ${flatter ? ppInterval(flatter) : '—'}, less data ${lessData ? ppInterval(lessData) : '—'}`;
    });
    const kl = (q: SweepPoint) => f3(q.dataStats.trainPopularityKL?.recVsSearch);
    out.push({
      text: `Cap ${cap}: capped against the same number of random search examples ("flatter popularity"), and that random subsample against all of them ("less data"), paired by seed.`,
      observed: `${Math.round(p.dataStats.trainExamples.search).toLocaleString('en-US')} search examples of ${Math.round(full.dataStats.trainExamples.search).toLocaleString('en-US')}; realised KL(p̂_R‖p̂_S) capped ${kl(p)}, random ${kl(same)}, all ${kl(full)}; ${parts.join('; ')}`,
      verdict: 'no claim',
    });
  }
  return out;
}
