/**
 * Reference scorers beside the models, evaluated by the same code:
 * - Popularity: training-set frequency of each item for the task (log counts).
 * - Oracle: the exact posterior of the generative process over all items, the ceiling.
 */
import type { Config } from './config';
import type { RecExamples, SearchExamples } from './sim/examples';
import { targetCounts } from './sim/examples';
import { wordItem, wordTopic, type World } from './sim/world';

type Consume = (rows: Float64Array, first: number, count: number) => void;
const CHUNK = 64;

export function scorePopularity(train: { count: number; target: Int32Array }, testCount: number, items: number, consume: Consume): void {
  const counts = targetCounts(train, items);
  const row = counts.map((c) => Math.log(c + 0.5));
  for (let first = 0; first < testCount; first += CHUNK) {
    const count = Math.min(CHUNK, testCount - first);
    const rows = new Float64Array(count * items);
    for (let r = 0; r < count; r++) rows.set(row, r * items);
    consume(rows, first, count);
  }
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

export function scoreOracleSearch(w: World, c: Config, test: SearchExamples, consume: Consume): void {
  const N = w.items, L = test.queryLength;
  for (let first = 0; first < test.count; first += CHUNK) {
    const count = Math.min(CHUNK, test.count - first);
    const rows = new Float64Array(count * N);
    for (let r = 0; r < count; r++) oracleSearchRow(w, c, test.words.subarray((first + r) * L, (first + r + 1) * L), rows, r * N);
    consume(rows, first, count);
  }
}

export function scoreOracleRec(w: World, c: Config, test: RecExamples, consume: Consume): void {
  const N = w.items, H = test.historyLength;
  for (let first = 0; first < test.count; first += CHUNK) {
    const count = Math.min(CHUNK, test.count - first);
    const rows = new Float64Array(count * N);
    for (let r = 0; r < count; r++) oracleRecRow(w, c, test.history.subarray((first + r) * H, (first + r + 1) * H), rows, r * N);
    consume(rows, first, count);
  }
}
