/**
 * The simulated catalogue (docs/simulation.md: items, CF clusters, popularity): items with a content topic and title
 * words, a collaborative (CF) cluster, and one popularity distribution per task.
 * Pure TypeScript: no tfjs, no DOM.
 */
import type { Config } from '../core/config';
import { Rng } from '../core/rng';

export interface World {
  readonly items: number;
  readonly topics: number;
  readonly cfClusters: number;
  readonly wordsPerTopic: number;
  readonly titleWordsPerItem: number;
  /** Vocabulary size: topic words first (topic t owns t*wordsPerTopic ...), then title words. */
  readonly words: number;
  /** Content topic of each item. */
  readonly topic: Int32Array;
  /** CF cluster of each item. */
  readonly cluster: Int32Array;
  /** CF cluster that a topic maps to when taste follows content. */
  readonly topicCluster: Int32Array;
  /** Search popularity p_S and recommendation popularity p_R (each sums to 1). */
  readonly pSearch: Float64Array;
  readonly pRec: Float64Array;
  /** 1 where the task's training data may contain the item. */
  readonly searchCovered: Uint8Array;
  readonly recCovered: Uint8Array;
  /** Items of each CF cluster. */
  readonly clusterItems: Int32Array[];
}

export function topicWord(w: World, topic: number, j: number): number {
  return topic * w.wordsPerTopic + j;
}
export function titleWord(w: World, item: number, j: number): number {
  return w.topics * w.wordsPerTopic + item * w.titleWordsPerItem + j;
}
/** An item's text: its title words, then its topic's words (content semantic IDs read it; export writes it to items.csv). */
export function itemWords(w: World, item: number): number[] {
  return [
    ...Array.from({ length: w.titleWordsPerItem }, (_, j) => titleWord(w, item, j)),
    ...Array.from({ length: w.wordsPerTopic }, (_, j) => topicWord(w, w.topic[item], j)),
  ];
}

/** Which topic a word belongs to, or -1 for a title word. */
export function wordTopic(w: World, word: number): number {
  return word < w.topics * w.wordsPerTopic ? Math.floor(word / w.wordsPerTopic) : -1;
}
/** Which item a title word names, or -1 for a topic word. */
export function wordItem(w: World, word: number): number {
  const base = w.topics * w.wordsPerTopic;
  return word >= base ? Math.floor((word - base) / w.titleWordsPerItem) : -1;
}

/** Zipf-like popularity over a ranking: item at rank r gets (r+1)^-s. */
function zipf(rankOf: Int32Array, exponent: number): Float64Array {
  const p = new Float64Array(rankOf.length);
  let sum = 0;
  for (let i = 0; i < p.length; i++) {
    p[i] = Math.pow(rankOf[i] + 1, -exponent);
    sum += p[i];
  }
  for (let i = 0; i < p.length; i++) p[i] /= sum;
  return p;
}

/** Ranks (0 = most popular) of items sorted by descending score. */
function ranksOf(score: Float64Array): Int32Array {
  const order = Array.from(score.keys()).sort((a, b) => score[b] - score[a] || a - b);
  const rank = new Int32Array(score.length);
  order.forEach((item, r) => (rank[item] = r));
  return rank;
}

/**
 * A random subset of round(share × n) items, stratified by the task's popularity: in
 * every block of 10 consecutive popularity ranks about share × 10 items are covered, at
 * random within the block. So the covered items carry about `share` of the popularity
 * mass in every world, instead of a seed's luck deciding whether the few most popular
 * items are cold.
 */
function coverage(popularity: Float64Array, share: number, rng: Rng): Uint8Array {
  const n = popularity.length;
  const covered = new Uint8Array(n);
  const m = Math.max(1, Math.round(share * n));
  const order = Array.from(popularity.keys()).sort((a, b) => popularity[b] - popularity[a] || a - b);
  const u = rng.next();
  const BLOCK = 10;
  for (let start = 0; start < n; start += BLOCK) {
    const end = Math.min(n, start + BLOCK);
    // Systematic allocation: the counts of all blocks add up to exactly m.
    const take = Math.floor((m * end) / n + u) - Math.floor((m * start) / n + u);
    const block = order.slice(start, end);
    rng.shuffle(block);
    for (let j = 0; j < take; j++) covered[block[j]] = 1;
  }
  return covered;
}

export function buildWorld(c: Config): World {
  const N = c.items;
  // Each part of the world draws from its own stream, and every draw is made whatever the
  // knob's value, so that two worlds of one seed differ only where a knob says they do
  // (common random numbers: a sweep compares like with like).
  const topicRng = Rng.derive(c.seed, 'world/topics');
  // Content topics: balanced sizes, random assignment.
  const topic = new Int32Array(N);
  const perm = topicRng.permutation(N);
  for (let j = 0; j < N; j++) topic[perm[j]] = j % c.topics;
  // Taste follows content with probability contentCfAlignment, else a random cluster.
  // Raising the alignment only turns random clusters into aligned ones.
  const clusterRng = Rng.derive(c.seed, 'world/clusters');
  const topicCluster = new Int32Array(c.topics);
  const clusterPerm = clusterRng.permutation(c.cfClusters);
  for (let t = 0; t < c.topics; t++) topicCluster[t] = clusterPerm[t % c.cfClusters];
  const cluster = new Int32Array(N);
  for (let i = 0; i < N; i++) {
    const u = clusterRng.next();
    const random = clusterRng.int(c.cfClusters);
    cluster[i] = u < c.contentCfAlignment ? topicCluster[topic[i]] : random;
  }
  // Popularity: a latent Gaussian score per task; the rec score mixes in the search
  // score with weight popularityAgreement (1 = same ranking, 0 = independent).
  const popRng = Rng.derive(c.seed, 'world/popularity');
  const a = c.popularityAgreement;
  const uSearch = new Float64Array(N);
  const uRec = new Float64Array(N);
  for (let i = 0; i < N; i++) {
    uSearch[i] = popRng.normal();
    uRec[i] = a * uSearch[i] + Math.sqrt(Math.max(0, 1 - a * a)) * popRng.normal();
  }
  const pSearch = zipf(ranksOf(uSearch), c.searchZipf);
  const pRec = zipf(ranksOf(uRec), c.recZipf);
  const searchCovered = coverage(pSearch, c.searchCoverage, Rng.derive(c.seed, 'coverage/search'));
  const recCovered = coverage(pRec, c.recCoverage, Rng.derive(c.seed, 'coverage/rec'));
  const lists: number[][] = Array.from({ length: c.cfClusters }, () => []);
  for (let i = 0; i < N; i++) lists[cluster[i]].push(i);
  return {
    items: N,
    topics: c.topics,
    cfClusters: c.cfClusters,
    wordsPerTopic: c.wordsPerTopic,
    titleWordsPerItem: c.titleWordsPerItem,
    words: c.topics * c.wordsPerTopic + N * c.titleWordsPerItem,
    topic,
    cluster,
    topicCluster,
    pSearch,
    pRec,
    searchCovered,
    recCovered,
    clusterItems: lists.map((l) => Int32Array.from(l)),
  };
}
