/**
 * What a sweep says, computed from its points (no hand-written verdicts): the trend of
 * a quantity along the swept knob, and whether it matches the direction a claim expects.
 * Shared by the findings generator (docs/findings.md) and the app's Findings view.
 */
import { spearman } from './sim/stats';
import type { Sweep, SweepPoint } from './sweep';

export type Direction = 'rises' | 'falls' | 'no clear trend';

export interface Claim {
  /** The experiment (built-in sweep) this claim is about. */
  experiment: string;
  /** What is on the x axis. */
  x: { label: string; of: (p: SweepPoint) => number };
  /** The quantity whose trend is checked. */
  y: { label: string; of: (p: SweepPoint) => number | undefined };
  expected: Direction | null;
  /** The claim in words, with its source. */
  text: string;
}

const recGain = (p: SweepPoint) => p.jointGain.rec?.mean;
const value = (p: SweepPoint) => Number(p.value);

export const CLAIMS: readonly Claim[] = [
  { experiment: 'h1-divergence', x: { label: 'KL(p_R‖p_S)', of: (p) => p.dataStats.popularityKL.recVsSearch }, y: { label: 'rec joint gain', of: recGain }, expected: 'falls',
    text: 'H1 (paper): the more the two tasks\' popularity distributions diverge, the less joint training helps recommendation.' },
  { experiment: 'h1-divergence', x: { label: 'KL(p_R‖p_S)', of: (p) => p.dataStats.popularityKL.recVsSearch }, y: { label: 'Gen_R+S rec popularity KL − Gen_R\'s', of: (p) => diff(p.models.joint?.rec?.kl, p.models.rec?.rec?.kl) }, expected: 'rises',
    text: 'H1 (mechanism): the joint model\'s popularity estimate for recommendation is pulled towards search\'s, so its calibration advantage shrinks as they diverge.' },
  { experiment: 'h1-capped', x: { label: 'searchCapPerItem', of: value }, y: { label: 'rec joint gain', of: recGain }, expected: null,
    text: 'Paper, Fig. 4: capping the added task\'s instances per item (flattening its popularity) changes how much it helps; no direction is taken from the paper here.' },
  { experiment: 'h2-alignment', x: { label: 'contentCfAlignment', of: value }, y: { label: 'rec joint gain', of: recGain }, expected: 'rises',
    text: 'H2 (paper): joint training helps recommendation more when content (search) and collaborative (recommendation) structure agree.' },
  { experiment: 'h2-alignment', x: { label: 'contentCfAlignment', of: value }, y: { label: 'Gen_R+S content agreement', of: (p) => p.embedding.joint?.contentAgreement }, expected: 'rises',
    text: 'H2 (mechanism): the joint model\'s item embeddings cluster by content.' },
  { experiment: 'h2-coverage', x: { label: 'recCoverage', of: value }, y: { label: 'rec joint gain', of: recGain }, expected: 'falls',
    text: 'H2 (cold items): the fewer items recommendation saw in training, the more search brings back.' },
  { experiment: 'data-scale', x: { label: 'recTrain', of: value }, y: { label: 'rec joint gain', of: recGain }, expected: 'falls',
    text: 'Data scale: with plentiful recommendation data the added task should matter less.' },
];

function diff(a: number | undefined, b: number | undefined): number | undefined {
  return a === undefined || b === undefined ? undefined : a - b;
}

export interface TrendResult {
  claim: Claim;
  points: { x: number; y: number }[];
  rho: number;
  observed: Direction;
  verdict: 'agrees' | 'disagrees' | 'unclear' | 'no claim';
}

/** Spearman ρ ≥ 0.7 rises, ≤ −0.7 falls (over at least 3 points), else no clear trend. */
export function trend(claim: Claim, sweep: Sweep): TrendResult {
  const points = sweep.points.map((p) => ({ x: claim.x.of(p), y: claim.y.of(p) })).filter((p): p is { x: number; y: number } => p.y !== undefined && Number.isFinite(p.y));
  const rho = points.length >= 3 ? spearman(points.map((p) => p.x), points.map((p) => p.y)) : 0;
  const observed: Direction = points.length >= 3 && rho >= 0.7 ? 'rises' : points.length >= 3 && rho <= -0.7 ? 'falls' : 'no clear trend';
  const verdict = claim.expected === null ? 'no claim' : observed === claim.expected ? 'agrees' : observed === 'no clear trend' ? 'unclear' : 'disagrees';
  return { claim, points, rho, observed, verdict };
}
