/**
 * An imported catalogue as the engine's SeedData: the groups embedding agreement is
 * measured against, the popularity the calibration charts compare with, the data
 * statistics, and no oracle.
 *
 * - Content groups: the `category` column (without it every item is in one group, and
 *   content agreement says nothing).
 * - CF groups, from co-occurrence: each training session example links its target with
 *   every item of its history; each item's row of that co-occurrence matrix is projected
 *   onto 32 seeded Gaussian directions, normalised, and clustered by k-means (k-means++
 *   seeding, 25 rounds) into as many groups as there are categories (else √(items/10)),
 *   never fewer than 2 or more than MAX_CF_GROUPS = 50, so grouping stays seconds long
 *   at the largest catalogue whatever its categories. Items that co-occur with nothing
 *   share the zero vector's group.
 * - Popularity: each task's empirical distribution of test targets (what calibration is
 *   measured against).
 */
import { ConfigError, isSimulationKey, type Config } from '../core/config';
import type { Dataset, SeedData } from '../core/data';
import { kMeansFit } from '../core/kmeans';
import { Rng } from '../core/rng';
import { klDivergence, spearman, type DataStats } from '../sim/stats';
import { forEachCoOccurrence, keepRows, targetCounts } from '../sim/examples';
import type { ImportedData } from './import';

const DIRECTIONS = 32;
/** The most CF groups an imported catalogue is clustered into (see the file comment). */
export const MAX_CF_GROUPS = 50;

function normalized(counts: Float64Array): Float64Array {
  const s = counts.reduce((a, b) => a + b, 0);
  return s > 0 ? counts.map((v) => v / s) : counts;
}

/** Each point's k-means cluster (see core/kmeans.ts). */
export function kMeans(x: Float64Array, n: number, d: number, k: number, rng: Rng, rounds = 25): Int32Array {
  return kMeansFit(x, n, d, k, rng, rounds).assign;
}

/** CF groups of items from co-occurrence in the training sessions (see the file comment). */
export function cfGroups(d: ImportedData, k: number, seed: number): Int32Array {
  const n = d.items, rng = Rng.derive(seed, 'import/cf-groups');
  const dirs = new Float64Array(n * DIRECTIONS);
  for (let i = 0; i < dirs.length; i++) dirs[i] = rng.normal();
  const v = new Float64Array(n * DIRECTIONS);
  const link = (a: number, b: number) => { for (let j = 0; j < DIRECTIONS; j++) { v[a * DIRECTIONS + j] += dirs[b * DIRECTIONS + j]; v[b * DIRECTIONS + j] += dirs[a * DIRECTIONS + j]; } };
  const { recTrain: r } = d.data;
  forEachCoOccurrence(r, link);
  for (let i = 0; i < n; i++) {
    let norm = 0;
    for (let j = 0; j < DIRECTIONS; j++) norm += v[i * DIRECTIONS + j] ** 2;
    if (norm > 0) for (let j = 0; j < DIRECTIONS; j++) v[i * DIRECTIONS + j] /= Math.sqrt(norm);
  }
  return kMeans(v, n, DIRECTIONS, k, rng);
}

/** The share of an imported catalogue's training data a run keeps (config dataRecUsers, dataSearchQueries, dataSearchItems). */
export type Subsample = Pick<Config, 'dataRecUsers' | 'dataSearchQueries' | 'dataSearchItems'>;

/** A share of the first `n` indices, drawn from `rng`. */
function drawn(n: number, share: number, rng: Rng): Uint8Array {
  const keep = new Uint8Array(n);
  rng.permutation(n).subarray(0, Math.round(share * n)).forEach((i) => { keep[i] = 1; });
  return keep;
}

/**
 * The training sets a run keeps of an imported catalogue (drawn per seed; validation and
 * test sets are kept whole): whole users' recommendation examples, training queries, and the
 * items whose training queries are kept. All 1 keeps the data as it is.
 */
export function subsampledData(d: ImportedData, seed: number, sub: Subsample): Dataset {
  if (sub.dataRecUsers >= 1 && sub.dataSearchQueries >= 1 && sub.dataSearchItems >= 1) return d.data;
  const sessions = d.recTrainSession.reduce((m, s) => Math.max(m, s + 1), 0);
  const users = drawn(sessions, sub.dataRecUsers, Rng.derive(seed, 'import/users'));
  const queries = drawn(d.data.searchTrain.count, sub.dataSearchQueries, Rng.derive(seed, 'import/queries-kept'));
  const items = drawn(d.items, sub.dataSearchItems, Rng.derive(seed, 'import/search-items'));
  const search = d.data.searchTrain;
  return {
    ...d.data,
    recTrain: keepRows(d.data.recTrain, (r) => users[d.recTrainSession[r]] === 1),
    searchTrain: keepRows(search, (r) => queries[r] === 1 && items[search.target[r]] === 1),
  };
}

export function importedSeedData(d: ImportedData, seed: number, sub: Subsample = { dataRecUsers: 1, dataSearchQueries: 1, dataSearchItems: 1 }): SeedData {
  const n = d.items;
  const hasCategories = d.categories.length > 1;
  const k = Math.min(MAX_CF_GROUPS, Math.max(2, hasCategories ? d.categories.length : Math.round(Math.sqrt(n / 10))));
  const data = subsampledData(d, seed, sub);
  if (!data.searchTrain.count || !data.recTrain.count) throw new ConfigError(`the kept share leaves no ${!data.searchTrain.count ? 'training queries' : 'recommendation training examples'}: raise ${!data.searchTrain.count ? 'dataSearchQueries or dataSearchItems' : 'dataRecUsers'}`);
  // CF groups come from the whole catalogue's sessions, so agreement is measured against the same groups at every share.
  const cluster = cfGroups(d, k, seed);
  const topic = hasCategories ? d.category : new Int32Array(n);
  const pSearch = normalized(targetCounts(data.searchTest, n));
  const pRec = normalized(targetCounts(data.recTest, n));
  const cs = targetCounts(data.searchTrain, n), cr = targetCounts(data.recTrain, n);
  const ps = normalized(cs.map((x) => x + 0.5)), pr = normalized(cr.map((x) => x + 0.5));
  // Alignment: the share of items whose CF group is the most common one of their category.
  let aligned = 0;
  if (hasCategories) {
    const votes = new Map<string, number>();
    for (let i = 0; i < n; i++) votes.set(`${topic[i]}|${cluster[i]}`, (votes.get(`${topic[i]}|${cluster[i]}`) ?? 0) + 1);
    const top = new Map<number, [number, number]>();
    for (const [key, c] of votes) {
      const [t, g] = key.split('|').map(Number);
      if (!top.has(t) || top.get(t)![1] < c) top.set(t, [g, c]);
    }
    for (let i = 0; i < n; i++) if (top.get(topic[i])![0] === cluster[i]) aligned++;
  }
  const stats: DataStats = {
    popularityKL: { recVsSearch: klDivergence(pr, ps), searchVsRec: klDivergence(ps, pr) },
    popularitySpearman: spearman(cr, cs),
    realizedAlignment: hasCategories ? aligned / n : 0,
    coverage: { search: cs.filter((x) => x > 0).length / n, rec: cr.filter((x) => x > 0).length / n },
    trainExamples: { search: data.searchTrain.count, rec: data.recTrain.count },
    testExamples: { search: data.searchTest.count, rec: data.recTest.count },
    trainItems: { search: cs.filter((x) => x > 0).length, rec: cr.filter((x) => x > 0).length },
    trainPopularityKL: { recVsSearch: klDivergence(pr, ps), searchVsRec: klDivergence(ps, pr) },
  };
  return { items: n, words: d.vocab.length, data, groups: { topic, cluster }, itemWords: d.itemWords, popularity: { search: pSearch, rec: pRec }, dataStats: stats, oracle: null };
}

/** A report's config on imported data: the simulation's keys do not apply; it keeps the
 *  others, the catalogue's size, and config.data (name, counts, dropped rows). */
export function importedReportConfig(cfg: Config, d: ImportedData): Config {
  const kept = Object.fromEntries(Object.entries(cfg).filter(([k]) => !isSimulationKey(k)));
  // The category names (index = the `topic` of itemInfo), so that charts can name them.
  return { ...kept, items: d.items, data: { name: d.name, counts: d.counts, dropped: d.dropped, categories: d.categories.length > 1 ? d.categories : [] } } as unknown as Config;
}
