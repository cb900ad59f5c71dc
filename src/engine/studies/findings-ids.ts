/**
 * What the `ids` experiment says, computed from its points (no hand-written verdicts):
 * semantic IDs against atomic IDs on a world where recommendation saw only part of the
 * catalogue in training. Differences are paired by seed, with a 95 % t-interval; a
 * difference "holds" when its interval excludes 0 (with one seed: when its sign does).
 * Shared by the findings generator (docs/findings.md) and the app's Findings view.
 */
import { interval as meanInterval } from '../eval/evidence';
import { spearman } from '../sim/stats';
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
export const SOURCES = ['content', 'cf', 'joint', 'biencoder', 'biencoder-search', 'biencoder-rec'] as const;
/** The content codes with a final code in item-index order (TIGER's), against content's default frequency order. */
export const INDEX_ORDER = 'semantic:content+index';
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
  out.push(...followUp(semantic));
  out.push(...finalCodeOrder(s, content));
  out.push(...diagnosticsPredict(semantic.map((x) => x.p)));
  return out;
}

/**
 * The follow-up's orderings (Penha et al. 2025), read on Gen_R+S as it trains with each
 * source's codes: a task-specific source wins its own task and costs the other, and the
 * source that carries both tasks gives the best trade-off.
 */
function followUp(semantic: { src: string; p: SweepPoint }[]): IdsStatement[] {
  const out: IdsStatement[] = [];
  const at = (src: string) => semantic.find((x) => x.src === src)?.p;
  const multi = at('biencoder');
  const own: [string, Task, Task][] = [['biencoder-search', 'search', 'rec'], ['biencoder-rec', 'rec', 'search']];
  for (const [src, task, other] of own) {
    const p = at(src);
    if (!p) continue;
    const label = task === 'search' ? 'search' : 'recommendation';
    const rival = at(src === 'biencoder-search' ? 'biencoder-rec' : 'biencoder-search');
    if (rival) {
      out.push(compare(`The follow-up: codes from a bi-encoder tuned on ${label} serve ${label} better than codes from one tuned on the other task (Gen_R+S).`,
        pairedDifference(rival, p, 'joint', task, 'recall'), `Gen_R+S ${task} Recall@K, ${src} − ${rival === undefined ? '' : String(rival.value).replace('semantic:', '')}`, 'higher'));
    }
    if (multi) {
      out.push(compare(`The follow-up: task-specific codes (${src}) win their own task against the multi-task bi-encoder's codes (Gen_R+S on ${task}).`,
        pairedDifference(multi, p, 'joint', task, 'recall'), `Gen_R+S ${task} Recall@K, ${src} − biencoder`, 'higher'));
      out.push(compare(`The follow-up: task-specific codes (${src}) cost the other task against the multi-task bi-encoder's codes (Gen_R+S on ${other}).`,
        pairedDifference(multi, p, 'joint', other, 'recall'), `Gen_R+S ${other} Recall@K, ${src} − biencoder`, 'lower'));
    }
  }
  // The trade-off: per seed, each source's Gen_R+S Recall@K on each task relative to the best
  // source on that task, averaged over the two tasks; a candidate against the best other source.
  if (semantic.length > 1) {
    const seeds = semantic[0].p.seeds;
    const recallOf = (p: SweepPoint, task: Task, seed: number) => p.perSeed?.joint?.[task]?.recall[p.seeds.indexOf(seed)];
    const scores = semantic.map(({ src, p }) => ({ src, perSeed: seeds.map((seed) => {
      const rel = (task: Task) => (recallOf(p, task, seed) ?? 0) / Math.max(...semantic.map((x) => recallOf(x.p, task, seed) ?? 0), 1e-9);
      return (rel('search') + rel('rec')) / 2;
    }) }));
    const meanOf = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const listed = scores.map((x) => `${x.src} ${meanOf(x.perSeed).toFixed(3)}`).join(', ');
    const claims: [string, string][] = [
      ['joint', 'The follow-up (Penha et al. 2025): codes from item vectors that carry both tasks give Gen_R+S the best trade-off between search and recommendation — read with "joint", which concatenates the content and CF vectors.'],
      ['biencoder', 'The follow-up (Penha et al. 2025): codes from a bi-encoder fine-tuned on both tasks give Gen_R+S the best trade-off between search and recommendation (its winning recipe).'],
    ];
    for (const [candidate, text] of claims) {
      const mine = scores.find((x) => x.src === candidate);
      const others = scores.filter((x) => x.src !== candidate).sort((a, b) => meanOf(b.perSeed) - meanOf(a.perSeed));
      if (!mine || !others.length) { if (mine) out.push({ text, observed: `Gen_R+S trade-off: ${listed}`, verdict: 'unclear' }); continue; }
      const d = meanInterval(mine.perSeed.map((v, i) => v - others[0].perSeed[i]));
      const dir = direction(d);
      out.push({ text, observed: `Gen_R+S trade-off (per seed, the mean over tasks of its Recall@K relative to the best source): ${listed}; ${candidate} − ${others[0].src} (the best other): ${intervalText(d)}`,
        verdict: dir === 'higher' ? 'agrees' : dir === 'lower' ? 'disagrees' : 'unclear' });
    }
  }
  return out;
}

/** The final code in training-frequency order (content's default) against item-index order. */
function finalCodeOrder(s: Sweep, content: SweepPoint | undefined): IdsStatement[] {
  const index = pointOf(s, INDEX_ORDER);
  const freq = content;
  if (!index || !freq) return [];
  const kl = (m: ModelName, task: Task) => pairedValues(index, freq, (q, i) => q.seedValues?.kl[m]?.[task]?.[i], (q, i) => q.seedValues?.kl[m]?.[task]?.[i], (a, b) => b - a);
  return [
    compare('A final code that carries training frequency (0 = the most frequent item of its group) improves popularity calibration over one that carries the item index (suspected while index order was the default): Gen_R\'s rec popularity KL is lower.',
      kl('rec', 'rec'), `Gen_R rec popularity KL, frequency order − index order (index ${f3(index.models.rec?.rec?.kl)})`, 'lower'),
    compare('The same for search: Gen_S\'s search popularity KL is lower with the final code in frequency order.',
      kl('search', 'search'), `Gen_S search popularity KL, frequency − index (index ${f3(index.models.search?.search?.kl)})`, 'lower'),
    compare('Frequency order and Gen_R\'s Recall@K on recommendation.', pairedDifference(index, freq, 'rec', 'rec', 'recall'), 'Gen_R rec Recall@K, frequency − index', null),
    compare('Frequency order and Gen_R\'s Recall@K on cold recommendation targets.', pairedDifference(index, freq, 'rec', 'rec', 'cold'), 'Gen_R cold Recall@K, frequency − index', null),
    compare('Frequency order and Gen_S\'s Recall@K on search.', pairedDifference(index, freq, 'search', 'search', 'recall'), 'Gen_S search Recall@K, frequency − index', null),
  ];
}

const DIAGNOSTICS = [
  ['collisionRate', 'the collision rate'],
  ['entropy', 'the first code\'s entropy (share of its most)'],
  ['cooccurrenceLift', 'the first code\'s agreement with co-occurrence (over chance)'],
  ['topicLift', 'the first code\'s agreement with topics (over chance)'],
] as const;

/**
 * Do the ID diagnostics, measured before training, predict Recall? Per seed, Spearman's ρ
 * across the semantic points between a diagnostic and the single-task model's Recall@K on
 * its task; across seeds, the mean ρ with its 95 % interval.
 */
function diagnosticsPredict(points: SweepPoint[]): IdsStatement[] {
  const withIds = points.filter((p) => p.seedValues?.ids);
  if (withIds.length < 3) return [];
  const seeds = withIds[0].seeds.filter((seed) => withIds.every((p) => p.seeds.includes(seed)));
  const out: IdsStatement[] = [];
  for (const [key, label] of DIAGNOSTICS) {
    for (const [model, task] of [['search', 'search'], ['rec', 'rec']] as [ModelName, Task][]) {
      const rhos: number[] = [];
      for (const seed of seeds) {
        const xs: number[] = [], ys: number[] = [];
        for (const p of withIds) {
          const i = p.seeds.indexOf(seed);
          const x = p.seedValues!.ids![key][i], y = p.seedValues?.recall[model]?.[task]?.[i];
          if (x !== undefined && y !== undefined) { xs.push(x); ys.push(y); }
        }
        const rho = xs.length >= 3 ? spearman(xs, ys) : NaN;
        if (Number.isFinite(rho)) rhos.push(rho);
      }
      if (!rhos.length) continue;
      const d = meanInterval(rhos);
      out.push(compare(`Does ${label} predict ${model === 'search' ? 'Gen_S\'s search' : 'Gen_R\'s recommendation'} Recall@K across the ${withIds.length} ID sources?`,
        d, `Spearman ρ across sources, mean over ${rhos.length} seeds`, null));
    }
  }
  return out;
}
