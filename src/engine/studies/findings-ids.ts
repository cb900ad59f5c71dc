/**
 * What the `ids` experiment says, computed from its points (no hand-written verdicts):
 * semantic IDs against atomic IDs on a world where recommendation saw only part of the
 * catalogue in training. Differences are paired by seed, with a 95 % t-interval; a
 * difference "holds" when its interval excludes 0 (with one seed: when its sign does).
 * Shared by the findings generator (docs/findings.md) and the app's Findings view.
 */
import { interval as meanInterval } from '../eval/evidence';
import type { Interval, ModelName } from '../core/report';
import type { Sweep, SweepPoint } from './sweep-types';
import type { Task } from '../core/encode';

export type Verdict = 'agrees' | 'disagrees' | 'unclear' | 'no claim';

export interface IdsStatement {
  /** The claim in words, with its source. */
  text: string;
  /** What the points show, in words with numbers. */
  observed: string;
  verdict: Verdict;
}

export const ATOMIC = 'atomic';
export const SOURCES = ['content', 'cf', 'joint'] as const;
const variantOf = (source: string) => `semantic:${source}`;

const pointOf = (s: Sweep, value: string): SweepPoint | undefined => s.points.find((p) => String(p.value) === value);
const f3 = (x: number | undefined) => (x === undefined || !Number.isFinite(x) ? '—' : x.toFixed(3));
const signed = (x: number) => `${x >= 0 ? '+' : ''}${x.toFixed(3)}`;
const intervalText = (d: Interval) => `${signed(d.mean)}${d.ci95 ? ` [${signed(d.ci95[0])}, ${signed(d.ci95[1])}]` : ''}`;

type Series = 'recall' | 'cold' | 'warm';

/** Per-seed differences b − a of one model's metric on one task, paired by seed. */
export function pairedDifference(a: SweepPoint, b: SweepPoint, model: ModelName, task: Task, series: Series): Interval | null {
  const get = (p: SweepPoint, i: number) => p.perSeed?.[model]?.[task]?.[series][i] ?? undefined;
  return pairedValues(a, b, get, get, (va, vb) => vb - va);
}

/** Per seed that both points hold: combine(getA(a), getB(b)), with its 95 % interval over seeds. */
function pairedValues(a: SweepPoint, b: SweepPoint, getA: (p: SweepPoint, i: number) => number | undefined, getB: (p: SweepPoint, i: number) => number | undefined,
  combine: (xa: number, xb: number) => number): Interval | null {
  const values: number[] = [];
  b.seeds.forEach((seed, j) => {
    const i = a.seeds.indexOf(seed);
    const xa = i >= 0 ? getA(a, i) : undefined, xb = getB(b, j);
    if (xa !== undefined && xb !== undefined) values.push(combine(xa, xb));
  });
  return values.length ? meanInterval(values) : null;
}

/** rises: the interval (or, with one seed, the value) is above 0; falls: below; else unclear. */
function direction(d: Interval): 'higher' | 'lower' | 'unclear' {
  const [lo, hi] = d.ci95 ?? [d.mean, d.mean];
  return lo > 0 ? 'higher' : hi < 0 ? 'lower' : 'unclear';
}

function compare(text: string, d: Interval | null, what: string, expected: 'higher' | 'lower' | null): IdsStatement {
  if (!d) return { text, observed: `${what}: not measured (no cold targets, or the point is missing)`, verdict: expected ? 'unclear' : 'no claim' };
  const dir = direction(d);
  const observed = `${what}: ${intervalText(d)} (${dir === 'unclear' ? 'the interval includes 0' : dir})`;
  if (!expected) return { text, observed, verdict: 'no claim' };
  return { text, observed, verdict: dir === expected ? 'agrees' : dir === 'unclear' ? 'unclear' : 'disagrees' };
}

export function idsFindings(s: Sweep): IdsStatement[] {
  const atomic = pointOf(s, ATOMIC);
  if (!atomic) return [];
  const out: IdsStatement[] = [];
  const semantic = SOURCES.map((src) => ({ src, p: pointOf(s, variantOf(src)) })).filter((x): x is { src: (typeof SOURCES)[number]; p: SweepPoint } => !!x.p);
  const content = semantic.find((x) => x.src === 'content')?.p;
  if (content) {
    out.push(compare('Semantic IDs from content let Gen_R reach items recommendation never saw in training (they share code prefixes with seen items of their topic): Gen_R\'s Recall@K on cold rec targets is higher than with atomic IDs (TIGER; the follow-up).',
      pairedDifference(atomic, content, 'rec', 'rec', 'cold'), `Gen_R cold Recall@K, content codes − atomic (atomic ${f3(atomic.models.rec?.rec?.coldRecall)})`, 'higher'));
  }
  for (const { src, p } of semantic.filter((x) => x.src !== 'content')) {
    out.push(compare(`Gen_R on cold rec targets with codes from ${src}${src === 'cf' ? ' (an item no training session holds has no CF vector: its codes carry nothing)' : ''}.`,
      pairedDifference(atomic, p, 'rec', 'rec', 'cold'), `Gen_R cold Recall@K, ${src} codes − atomic`, null));
  }
  for (const { src, p } of semantic) {
    out.push(compare(`Gen_R+S on cold rec targets with codes from ${src}: with atomic IDs it already reaches them through search (atomic ${f3(atomic.models.joint?.rec?.coldRecall)}).`,
      pairedDifference(atomic, p, 'joint', 'rec', 'cold'), `Gen_R+S cold Recall@K, ${src} codes − atomic`, null));
  }
  for (const { src, p } of semantic) {
    out.push(compare(`The cost on warm items: Gen_R's Recall@K on rec targets it saw in training, codes from ${src} against atomic IDs.`,
      pairedDifference(atomic, p, 'rec', 'rec', 'warm'), `Gen_R warm Recall@K, ${src} − atomic`, null));
  }
  for (const { src, p } of semantic) {
    // Per seed: Gen_S's Recall with codes over its Recall with atomic IDs; the claim holds when the interval's lower end is at least 0.7.
    const gs = (q: SweepPoint, i: number) => q.seedValues?.recall.search?.search?.[i];
    const ratio = pairedValues(atomic, p, gs, gs, (a, b) => b / a);
    const text = `Gen_S keeps at least 70 % of its atomic Recall@K with codes from ${src}.`;
    if (!ratio) { out.push({ text, observed: 'not measured', verdict: 'unclear' }); continue; }
    const [lo, hi] = ratio.ci95 ?? [ratio.mean, ratio.mean];
    out.push({ text, observed: `Gen_S Recall@K with ${src} codes / with atomic IDs, per seed: ${(ratio.mean * 100).toFixed(0)} % [${(lo * 100).toFixed(0)}, ${(hi * 100).toFixed(0)}]`,
      verdict: lo >= 0.7 ? 'agrees' : hi < 0.7 ? 'disagrees' : 'unclear' });
  }
  const rates = semantic.flatMap(({ p }) => Object.values(p.models).flatMap((m) => Object.values(m ?? {}).map((t) => t?.validRate)).filter((v): v is number => v !== undefined));
  if (rates.length) {
    const min = Math.min(...rates);
    out.push({ text: 'Beam search constrained to the trie generates only real items: every model\'s validRate is 1.', observed: `lowest validRate over models, tasks and sources: ${min.toFixed(4)}`, verdict: min === 1 ? 'agrees' : 'disagrees' });
  }
  // H1 and H2 read with each scheme, per seed: Gen_R+S against Gen_R on the same world.
  for (const p of [atomic, ...semantic.map((x) => x.p)]) {
    const d = pairedValues(p, p, (q, i) => q.seedValues?.kl.rec?.rec?.[i], (q, i) => q.seedValues?.kl.joint?.rec?.[i], (r, j) => j - r);
    if (!d) continue;
    out.push(compare(`H1 with ${String(p.value)} IDs: Gen_R+S calibrates recommendation popularity better than Gen_R (lower KL).`,
      d, `rec popularity KL Gen_R+S − Gen_R (Gen_R ${f3(p.models.rec?.rec?.kl)}, Gen_R+S ${f3(p.models.joint?.rec?.kl)})`, 'lower'));
  }
  for (const p of [atomic, ...semantic.map((x) => x.p)]) {
    const d = pairedValues(p, p, (q, i) => q.seedValues?.agreement.rec?.content[i], (q, i) => q.seedValues?.agreement.joint?.content[i], (r, j) => j - r);
    if (!d) continue;
    out.push(compare(`H2 with ${String(p.value)} IDs: Gen_R+S's item representations (with semantic IDs, the sum of an item's code embeddings) agree with content more than Gen_R's.`,
      d, `content agreement Gen_R+S − Gen_R (Gen_R ${f3(p.embedding.rec?.contentAgreement)}, Gen_R+S ${f3(p.embedding.joint?.contentAgreement)}; rec joint gain ${p.jointGain.rec ? `${(p.jointGain.rec.mean * 100).toFixed(1)} %` : '—'})`, 'higher'));
  }
  // The follow-up's trade-off: which source serves both tasks in the joint model. Per seed,
  // each source's Gen_R+S Recall@K on each task relative to the best source on that task,
  // averaged over the two tasks; then joint against the best other source, paired by seed.
  if (semantic.length > 1) {
    const seeds = semantic[0].p.seeds;
    const recallOf = (p: SweepPoint, task: Task, seed: number) => p.perSeed?.joint?.[task]?.recall[p.seeds.indexOf(seed)];
    const scores = semantic.map(({ src, p }) => ({ src, perSeed: seeds.map((seed) => {
      const rel = (task: Task) => (recallOf(p, task, seed) ?? 0) / Math.max(...semantic.map((x) => recallOf(x.p, task, seed) ?? 0), 1e-9);
      return (rel('search') + rel('rec')) / 2;
    }) }));
    const meanOf = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const joint = scores.find((x) => x.src === 'joint');
    const others = scores.filter((x) => x.src !== 'joint').sort((a, b) => meanOf(b.perSeed) - meanOf(a.perSeed));
    const text = 'The follow-up (Penha et al. 2025): codes from item vectors that carry both tasks give Gen_R+S the best trade-off between search and recommendation. (Here "joint" concatenates the content and CF vectors; the follow-up fine-tunes one embedding model on both tasks.)';
    const listed = scores.map((x) => `${x.src} ${meanOf(x.perSeed).toFixed(3)}`).join(', ');
    if (!joint || !others.length) out.push({ text, observed: `Gen_R+S trade-off: ${listed}`, verdict: 'unclear' });
    else {
      const d = meanInterval(joint.perSeed.map((v, i) => v - others[0].perSeed[i]));
      const dir = direction(d);
      out.push({ text, observed: `Gen_R+S trade-off (per seed, the mean over tasks of its Recall@K relative to the best source): ${listed}; joint − ${others[0].src}: ${intervalText(d)}`,
        verdict: dir === 'higher' ? 'agrees' : dir === 'lower' ? 'disagrees' : 'unclear' });
    }
  }
  return out;
}
