/**
 * Trends along a sweep, from per-seed values (never from point means): every sweep gets
 * the joint gain on each task against its swept value, and a built-in experiment adds its
 * claims. The slope, its seed-bootstrap interval and the verdict come from eval/evidence.
 */
import { trend, type Expected, type Trend, type TrendPoint } from '../eval/evidence';
import type { JointSelection, ModelName } from '../core/report';
import type { Task } from '../core/encode';

/** Every quantity a claim can use, per seed (in the point's `seeds` order; null where a seed has none). */
export interface SeedValues {
  /** Relative ((J − S) / S) and absolute (J − S) Recall@K gain of Gen_R+S over the single-task model. */
  jointGain: Partial<Record<Task, { relative: (number | null)[]; absolute: (number | null)[] }>>;
  /** The relative joint gain under each checkpoint selection (eval/selection.ts), where the runs have both. */
  jointGainBySelection?: Partial<Record<JointSelection, Partial<Record<Task, (number | null)[]>>>>;
  recall: Partial<Record<ModelName, Partial<Record<Task, number[]>>>>;
  /** Popularity calibration: KL(true test targets ‖ model marginal). */
  kl: Partial<Record<ModelName, Partial<Record<Task, number[]>>>>;
  agreement: Partial<Record<ModelName, { content: number[]; cf: number[] }>>;
  /** The world's popularity divergence (it differs a little between seeds at one value), and the realised one:
   *  KL(p̂_R‖p̂_S) of the training targets the models saw (absent in older sweeps). */
  popularityKL: { recVsSearch: number[]; realised?: number[] };
  /** The field's popularity-bias measures of a model's top K (metrics.ts BeyondAccuracy; absent in older sweeps). */
  beyond?: Partial<Record<ModelName, Partial<Record<Task, { arp: (number | null)[]; popLift: (number | null)[] }>>>>;
  /** Semantic IDs: each seed's ID diagnostics (core/report.ts IdDiagnostics): the collision
   *  rate, the first code's entropy over its most, and the first-code prefix's agreement with
   *  co-occurrence and with topics, each over its chance (1 = chance). */
  ids?: { collisionRate: number[]; entropy: number[]; cooccurrenceLift: number[]; topicLift: number[] };
}

/** What a trend reads from a sweep point. */
export interface TrendSource {
  value: unknown;
  seeds: number[];
  seedValues?: SeedValues;
}

/**
 * x: `value` (the swept value; a categorical sweep uses each point's position), `log2(value)`
 * (for values spaced by factors, e.g. caps 5 … 500) or `popularityKL.recVsSearch`.
 */
export type XName = 'value' | 'log2(value)' | 'popularityKL.recVsSearch' | 'popularityKL.realised';

/**
 * A claim a built-in experiment makes, checked on its sweep. `y` is a quantity path:
 * `jointGain.<task>`, `jointGainAbsolute.<task>`, `recall.<model>.<task>`, `kl.<model>.<task>`,
 * `klDifference.rec` (Gen_R+S's rec popularity KL − Gen_R's), `contentAgreement.<model>`,
 * `cfAgreement.<model>`, `arp.<model>.<task>`, `popLift.<model>.<task>`, `arpDifference.rec` and
 * `popLiftDifference.rec` (Gen_R+S's − Gen_R's on recommendation), `popularityKL.realised`.
 */
export interface ClaimSpec {
  text: string;
  x: XName;
  y: string;
  expected: Expected;
  /** Only these swept values (e.g. a trend without its last point); all by default. */
  values?: readonly number[];
}

export const QUANTITY_LABELS: Record<string, string> = {
  'jointGain.rec': 'rec joint gain (relative)',
  'jointGain.search': 'search joint gain (relative)',
  'jointGainAbsolute.rec': 'rec joint gain (absolute Recall)',
  'jointGainAbsolute.search': 'search joint gain (absolute Recall)',
  'klDifference.rec': 'Gen_R+S rec popularity KL − Gen_R\'s',
  'contentAgreement.joint': 'Gen_R+S content agreement',
  'cfAgreement.joint': 'Gen_R+S CF agreement',
  value: 'the swept value',
  'popularityKL.recVsSearch': 'KL(p_R‖p_S)',
  'popularityKL.realised': 'realised KL(p̂_R‖p̂_S) of the training targets',
  'arpDifference.rec': 'Gen_R+S rec ARP@K − Gen_R\'s',
  'popLiftDifference.rec': 'Gen_R+S rec popularity lift − Gen_R\'s',
};

export function quantityLabel(path: string): string {
  return QUANTITY_LABELS[path] ?? path;
}

/** One seed's value of `path` at a point, by seed index. */
export function seedQuantity(p: TrendSource, path: string): (number | null)[] {
  const v = p.seedValues;
  const none = p.seeds.map(() => null);
  if (!v) return none;
  const parts = path.split('.');
  switch (parts[0]) {
    case 'jointGain': return v.jointGain[parts[1] as Task]?.relative ?? none;
    case 'jointGainAbsolute': return v.jointGain[parts[1] as Task]?.absolute ?? none;
    case 'recall': return v.recall[parts[1] as ModelName]?.[parts[2] as Task] ?? none;
    case 'kl': return v.kl[parts[1] as ModelName]?.[parts[2] as Task] ?? none;
    case 'klDifference': {
      const j = v.kl.joint?.rec, r = v.kl.rec?.rec;
      return j && r ? j.map((x, i) => x - r[i]) : none;
    }
    case 'contentAgreement': return v.agreement[parts[1] as ModelName]?.content ?? none;
    case 'cfAgreement': return v.agreement[parts[1] as ModelName]?.cf ?? none;
    case 'popularityKL': return parts[1] === 'realised' ? v.popularityKL.realised ?? none : v.popularityKL.recVsSearch;
    case 'arp': case 'popLift': return v.beyond?.[parts[1] as ModelName]?.[parts[2] as Task]?.[parts[0] as 'arp' | 'popLift'] ?? none;
    case 'arpDifference': case 'popLiftDifference': {
      const key = parts[0] === 'arpDifference' ? 'arp' : 'popLift';
      const j = v.beyond?.joint?.rec?.[key], r = v.beyond?.rec?.rec?.[key];
      return j && r ? j.map((x, i) => (x === null || r[i] === null ? null : x - r[i]!)) : none;
    }
    default: throw new Error(`unknown quantity "${path}"`);
  }
}

/** Whether the swept values are numbers (else x is each point's position in the list). */
export function numericValues(points: readonly TrendSource[]): boolean {
  return points.every((p) => typeof p.value === 'number');
}

/** All seed × value points of y against x. */
export function trendPoints(points: readonly TrendSource[], x: XName, y: string): TrendPoint[] {
  const numeric = numericValues(points);
  const out: TrendPoint[] = [];
  points.forEach((p, i) => {
    const ys = seedQuantity(p, y);
    const xs = x.startsWith('popularityKL.') ? seedQuantity(p, x) : p.seeds.map(() => (!numeric ? i : x === 'value' ? (p.value as number) : Math.log2(p.value as number)));
    p.seeds.forEach((seed, j) => {
      const xv = xs[j], yv = ys[j];
      if (xv !== null && yv !== null && Number.isFinite(xv) && Number.isFinite(yv)) out.push({ seed, x: xv, y: yv });
    });
  });
  return out;
}

/**
 * The trends of a sweep: the joint gain on each task against the swept value (every sweep),
 * then the experiment's claims. `key` names the swept knob in the x label.
 */
export function sweepTrends(points: readonly TrendSource[], key: string, claims: readonly ClaimSpec[] = []): Trend[] {
  if (points.length < 2) return [];
  const xLabel = (x: XName) => (!numericValues(points) && !x.startsWith('popularityKL.') ? `${key} (position in the list)` : x === 'value' ? key : x === 'log2(value)' ? `log2(${key})` : quantityLabel(x));
  // The joint gains along the swept value, unless a claim already reads them that way.
  // On the experiment's own scale: values spaced by factors are read per doubling.
  const scale: XName = claims.some((c) => c.x === 'log2(value)') ? 'log2(value)' : 'value';
  // No trend along an unordered list of named settings: those are compared pairwise instead.
  const defaults: ClaimSpec[] = !numericValues(points) ? [] : (['rec', 'search'] as const).filter((task) => !claims.some((c) => !c.x.startsWith('popularityKL.') && c.y === `jointGain.${task}`)).map((task) => ({
    text: `The joint gain on ${task === 'rec' ? 'recommendation' : 'search'} along ${key}.`, x: scale, y: `jointGain.${task}`, expected: null,
  }));
  const within = (c: ClaimSpec) => (c.values ? points.filter((p) => c.values!.includes(p.value as number)) : points);
  const only = (c: ClaimSpec) => {
    const left = c.values ? points.map((p) => p.value).filter((v) => !c.values!.includes(v as number)) : [];
    return left.length ? ` (without ${key} ${left.join(', ')})` : '';
  };
  return [...defaults, ...claims].map((c) => trend(trendPoints(within(c), c.x, c.y), { claim: c.text, x: `${xLabel(c.x)}${only(c)}`, y: c.y, expected: c.expected }));
}
