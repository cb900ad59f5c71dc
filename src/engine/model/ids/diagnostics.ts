/**
 * Semantic-ID quality, measured on the codes alone before any generator trains (the
 * measures recent work uses to predict how well generative retrieval will do; see
 * core/report.ts IdDiagnostics for the definitions):
 * - utilisation and entropy of each code position: a codebook half unused, or used
 *   unevenly, wastes capacity;
 * - the collision rate and the largest group: items the first codes do not tell apart;
 * - prefix agreement with co-occurrence: do items that co-occur in training sessions share
 *   code prefixes more than chance (what recommendation needs)?;
 * - prefix agreement with content topics (what search, and cold items, need).
 */
import type { IdDiagnostics } from '../../core/report';
import { round } from '../../core/report';
import { forEachCoOccurrence, type RecExamples } from '../../sim/examples';
import type { SemanticIds } from './rq-kmeans';

export function idDiagnostics(ids: SemanticIds, levels: number, groups: { topic: ArrayLike<number> }, recTrain: RecExamples): IdDiagnostics {
  const n = ids.items, L = ids.length;
  const code = (i: number, l: number) => ids.codes[i * L + l];
  const levelStats = Array.from({ length: levels }, (_, l) => {
    const size = ids.sizes[l];
    const counts = new Float64Array(size);
    for (let i = 0; i < n; i++) counts[code(i, l)]++;
    let used = 0, entropy = 0;
    for (const c of counts) if (c > 0) { used++; entropy -= (c / n) * Math.log2(c / n); }
    return { used, size, utilisation: round(used / size, 4), entropy: round(entropy, 4), maxEntropy: round(Math.log2(size), 4) };
  });

  // Prefix p of item i as one number (codes < 1024 each; p ≤ 4).
  const prefixKey = (i: number, p: number) => { let k = 0; for (let l = 0; l < p; l++) k = k * 1024 + code(i, l); return k; };
  const prefixes = Array.from({ length: levels }, (_, idx) => {
    const p = idx + 1;
    const key = Array.from({ length: n }, (_, i) => prefixKey(i, p));
    // Co-occurrence: the share of linked pairs with equal prefixes, and the chance of that
    // for two items drawn independently with the pairs' item mass: Σ_g (mass_g / M)².
    let pairs = 0, same = 0;
    const mass = new Map<number, number>();
    forEachCoOccurrence(recTrain, (a, b) => {
      pairs++;
      if (key[a] === key[b]) same++;
      mass.set(key[a], (mass.get(key[a]) ?? 0) + 1);
      mass.set(key[b], (mass.get(key[b]) ?? 0) + 1);
    });
    let chance = 0;
    for (const m of mass.values()) chance += (m / (2 * pairs)) ** 2;
    // Topics: among pairs of items with equal prefixes, the share in one topic; chance: two items at random.
    const byPrefix = new Map<number, Map<number, number>>();
    for (let i = 0; i < n; i++) {
      const t = byPrefix.get(key[i]) ?? new Map<number, number>();
      t.set(groups.topic[i], (t.get(groups.topic[i]) ?? 0) + 1);
      byPrefix.set(key[i], t);
    }
    let prefixPairs = 0, sameTopic = 0;
    for (const topics of byPrefix.values()) {
      let size = 0;
      for (const c of topics.values()) { sameTopic += (c * (c - 1)) / 2; size += c; }
      prefixPairs += (size * (size - 1)) / 2;
    }
    const topicSizes = new Map<number, number>();
    for (let i = 0; i < n; i++) topicSizes.set(groups.topic[i], (topicSizes.get(groups.topic[i]) ?? 0) + 1);
    let topicPairs = 0;
    for (const c of topicSizes.values()) topicPairs += (c * (c - 1)) / 2;
    return {
      length: p,
      cooccurrence: round(pairs ? same / pairs : 0, 4), cooccurrenceChance: round(pairs ? chance : 0, 4),
      topic: round(prefixPairs ? sameTopic / prefixPairs : 0, 4), topicChance: round(n > 1 ? topicPairs / ((n * (n - 1)) / 2) : 0, 4),
    };
  });
  return { levels: levelStats, collisionRate: round(ids.collisions / n, 4), largestGroup: ids.largestGroup, prefixes };
}
