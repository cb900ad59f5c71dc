/**
 * Reference scorers beside the models, evaluated by the same code:
 * - Popularity: training-set frequency of each item for the task (log counts).
 * - Oracle: the exact posterior of the generative process over all items, the ceiling.
 * - BM25 (search only): the traditional lexical reference, query words against each
 *   item's text (its title and topic words, or the `text` column of imported data).
 */
import type { Config } from '../core/config';
import type { RecExamples, SearchExamples } from '../sim/examples';
import { targetCounts } from '../sim/examples';
import { wordItem, wordTopic, type World } from '../sim/world';

type Consume = (rows: Float64Array, first: number, count: number) => void;
const CHUNK = 64;

/** BM25's parameters: Robertson–Spärck Jones weights with Lucene's non-negative IDF. */
export const BM25 = { k1: 1.2, b: 0.75 } as const;

/**
 * BM25 scores of every item for each test query: Σ over query words w (each occurrence
 * counted, as the query states it) of idf(w) · tf(w, d)·(k1 + 1) / (tf(w, d) + k1·(1 − b +
 * b·|d| / avgdl)), with idf(w) = ln(1 + (N − df(w) + 0.5) / (df(w) + 0.5)), documents the
 * items' texts. Words no item holds score nothing; padding (−1) is skipped.
 */
export function scoreBm25(itemWords: ArrayLike<number>[], test: SearchExamples, consume: Consume): void {
  const N = itemWords.length;
  const postings = new Map<number, { item: number; tf: number }[]>();
  const length = new Float64Array(N);
  for (let i = 0; i < N; i++) {
    const tf = new Map<number, number>();
    for (let j = 0; j < itemWords[i].length; j++) tf.set(itemWords[i][j], (tf.get(itemWords[i][j]) ?? 0) + 1);
    length[i] = itemWords[i].length;
    for (const [w, n] of tf) {
      if (!postings.has(w)) postings.set(w, []);
      postings.get(w)!.push({ item: i, tf: n });
    }
  }
  const avgdl = length.reduce((a, b) => a + b, 0) / Math.max(1, N) || 1;
  const norm = Float64Array.from(length, (l) => BM25.k1 * (1 - BM25.b + (BM25.b * l) / avgdl));
  const idf = (df: number) => Math.log(1 + (N - df + 0.5) / (df + 0.5));
  const L = test.queryLength;
  scoreInChunks(test.count, N, (e, rows, at) => {
    for (let j = 0; j < L; j++) {
      const w = test.words[e * L + j];
      const list = w >= 0 ? postings.get(w) : undefined;
      if (!list) continue;
      const weight = idf(list.length);
      for (const { item, tf } of list) rows[at + item] += (weight * tf * (BM25.k1 + 1)) / (tf + norm[item]);
    }
  }, consume);
}

export function scorePopularity(train: { count: number; target: Int32Array }, testCount: number, items: number, consume: Consume): void {
  const row = targetCounts(train, items).map((c) => Math.log(c + 0.5));
  scoreInChunks(testCount, items, (_, rows, at) => rows.set(row, at), consume);
}

/** log P(item | query) up to a constant, for every item (query words are independent). */
export function oracleSearchRow(w: World, c: Pick<Config, 'querySpecificity' | 'queryNoise'>, query: ArrayLike<number>, out: Float64Array, offset = 0): void {
  const N = w.items;
  const noise = c.queryNoise / w.words;
  const logTitle = Math.log(noise + ((1 - c.queryNoise) * c.querySpecificity) / w.titleWordsPerItem);
  const logTopic = Math.log(noise + ((1 - c.queryNoise) * (1 - c.querySpecificity)) / w.wordsPerTopic);
  const logNone = Math.log(noise);
  // Count, per item, the query words that are its title words, its topic's words, or neither.
  const topicHits = new Float64Array(w.topics);
  const titleHits = new Map<number, number>();
  for (let j = 0; j < query.length; j++) {
    const t = wordTopic(w, query[j]);
    if (t >= 0) topicHits[t]++;
    else {
      const item = wordItem(w, query[j]);
      titleHits.set(item, (titleHits.get(item) ?? 0) + 1);
    }
  }
  const term = (n: number, logp: number) => (n === 0 ? 0 : n * logp); // 0 · log 0 = 0
  for (let i = 0; i < N; i++) {
    const a = titleHits.get(i) ?? 0;
    const b = topicHits[w.topic[i]];
    out[offset + i] = Math.log(w.pSearch[i]) + term(a, logTitle) + term(b, logTopic) + term(query.length - a - b, logNone);
  }
}

/** log P(next | history) for every item: a mixture over the session's CF cluster. */
export function oracleRecRow(w: World, c: Pick<Config, 'sessionNoise'>, history: ArrayLike<number>, out: Float64Array, offset = 0): void {
  const K = w.cfClusters;
  const mass = new Float64Array(K);
  for (let i = 0; i < w.items; i++) mass[w.cluster[i]] += w.pRec[i];
  const logPost = new Float64Array(K);
  for (let k = 0; k < K; k++) {
    if (mass[k] <= 0) { logPost[k] = -Infinity; continue; }
    let lp = Math.log(mass[k]);
    for (let j = 0; j < history.length; j++) {
      const h = history[j];
      const within = w.cluster[h] === k ? (w.pRec[h] / mass[k]) * (1 - c.sessionNoise) : 0;
      lp += Math.log(within + c.sessionNoise / w.items);
    }
    logPost[k] = lp;
  }
  const max = Math.max(...logPost);
  const post = logPost.map((v) => Math.exp(v - max));
  const z = post.reduce((a, b) => a + b, 0);
  for (let i = 0; i < w.items; i++) {
    const k = w.cluster[i];
    out[offset + i] = Math.log(((post[k] / z) * w.pRec[i]) / mass[k]);
  }
}

/** Scores `count` test examples in chunks: `fill` writes example e's row at `offset`. */
function scoreInChunks(count: number, items: number, fill: (e: number, rows: Float64Array, offset: number) => void, consume: Consume): void {
  for (let first = 0; first < count; first += CHUNK) {
    const n = Math.min(CHUNK, count - first);
    const rows = new Float64Array(n * items);
    for (let r = 0; r < n; r++) fill(first + r, rows, r * items);
    consume(rows, first, n);
  }
}

export function scoreOracleSearch(w: World, c: Config, test: SearchExamples, consume: Consume): void {
  const L = test.queryLength;
  scoreInChunks(test.count, w.items, (e, rows, at) => oracleSearchRow(w, c, test.words.subarray(e * L, (e + 1) * L), rows, at), consume);
}

export function scoreOracleRec(w: World, c: Config, test: RecExamples, consume: Consume): void {
  const H = test.historyLength;
  scoreInChunks(test.count, w.items, (e, rows, at) => oracleRecRow(w, c, test.history.subarray(e * H, (e + 1) * H), rows, at), consume);
}
