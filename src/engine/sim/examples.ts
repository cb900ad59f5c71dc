/**
 * Training and test examples (docs/simulation.md: examples, coverage, caps, validation). Training sets are restricted to
 * the items each task covers and capped per item; test sets draw from all items, so
 * the best possible answer is the oracle posterior of this very process.
 */
import type { Config } from '../core/config';
import { Categorical, Rng } from '../core/rng';
import { titleWord, topicWord, type World } from './world';
import type { SearchExamples, RecExamples, Dataset } from '../core/data';
export type { SearchExamples, RecExamples, Dataset };

/** Calls `link(h, target)` for every history item h of every example (padding and the target itself skipped): the co-occurrences CF structure is read from. */
export function forEachCoOccurrence(r: RecExamples, link: (a: number, b: number) => void): void {
  for (let e = 0; e < r.count; e++) {
    for (let j = 0; j < r.historyLength; j++) {
      const h = r.history[e * r.historyLength + j];
      if (h >= 0 && h !== r.target[e]) link(h, r.target[e]);
    }
  }
}


/** Validation size: a fifth of the requested training size, 50 to 1000 examples. */
export function validationSize(train: number): number {
  return Math.min(1000, Math.max(50, Math.round(train / 5)));
}

function masked(p: Float64Array, mask: Uint8Array | null): Float64Array {
  return mask ? p.map((v, i) => (mask[i] ? v : 0)) : p;
}

/** Popularity for a uniform draw (the "popularity removed" ablation). */
export function uniformPopularity(items: number): Float64Array {
  return new Float64Array(items).fill(1 / items);
}

export function drawSearch(w: World, c: Config, n: number, rng: Rng, restrict: Uint8Array | null, popularity: Float64Array = w.pSearch): SearchExamples {
  const L = c.queryLength;
  const targets = new Categorical(masked(popularity, restrict));
  const words = new Int32Array(n * L);
  const target = new Int32Array(n);
  for (let e = 0; e < n; e++) {
    const item = targets.sample(rng);
    target[e] = item;
    for (let j = 0; j < L; j++) {
      let word =
        rng.next() < c.querySpecificity
          ? titleWord(w, item, rng.int(w.titleWordsPerItem))
          : topicWord(w, w.topic[item], rng.int(w.wordsPerTopic));
      if (rng.next() < c.queryNoise) word = rng.int(w.words);
      words[e * L + j] = word;
    }
  }
  return { count: n, queryLength: L, words, target };
}

export function drawRec(w: World, c: Config, n: number, rng: Rng, restrict: Uint8Array | null, popularity: Float64Array = w.pRec): RecExamples {
  const H = c.historyLength;
  const p = masked(popularity, restrict);
  // A session's cluster is drawn by its (covered) popularity mass, so the marginal of
  // the next item is p_R; history and next item come from that cluster, weighted by p_R.
  const mass = new Float64Array(w.cfClusters);
  const within: (Categorical | null)[] = w.clusterItems.map((items, k) => {
    const weights = Array.from(items, (i) => p[i]);
    mass[k] = weights.reduce((s, v) => s + v, 0);
    return mass[k] > 0 ? new Categorical(weights) : null;
  });
  const clusters = new Categorical(mass);
  const noiseItems = restrict ? Int32Array.from(Array.from(restrict).flatMap((v, i) => (v ? [i] : []))) : null;
  const randomItem = () => (noiseItems ? noiseItems[rng.int(noiseItems.length)] : rng.int(w.items));
  const history = new Int32Array(n * H);
  const target = new Int32Array(n);
  for (let e = 0; e < n; e++) {
    const k = clusters.sample(rng);
    const members = w.clusterItems[k];
    const pick = within[k] as Categorical;
    for (let j = 0; j < H; j++) {
      history[e * H + j] = rng.next() < c.sessionNoise ? randomItem() : members[pick.sample(rng)];
    }
    target[e] = members[pick.sample(rng)];
  }
  return { count: n, historyLength: H, history, target };
}

/** The examples of `ex` whose row passes `keep`, in order (the same object when every row does). */
export function keepRows<T extends SearchExamples | RecExamples>(ex: T, keep: (row: number) => boolean): T {
  const rowsKept: number[] = [];
  for (let e = 0; e < ex.count; e++) if (keep(e)) rowsKept.push(e);
  if (rowsKept.length === ex.count) return ex;
  const width = 'words' in ex ? ex.queryLength : (ex as RecExamples).historyLength;
  const src = 'words' in ex ? ex.words : (ex as RecExamples).history;
  const rows = new Int32Array(rowsKept.length * width);
  rowsKept.forEach((e, r) => rows.set(src.subarray(e * width, (e + 1) * width), r * width));
  const target = Int32Array.from(rowsKept, (e) => ex.target[e]);
  return ('words' in ex
    ? { count: rowsKept.length, queryLength: width, words: rows, target }
    : { count: rowsKept.length, historyLength: width, history: rows, target }) as unknown as T;
}

/** Keeps at most `cap` examples per target item, in draw order (0 = no cap). */
function capPerItem<T extends SearchExamples | RecExamples>(ex: T, cap: number, items: number): T {
  if (cap <= 0) return ex;
  const seen = new Int32Array(items);
  return keepRows(ex, (e) => seen[ex.target[e]]++ < cap);
}

/**
 * The search training pairs under the cap: capped per item, or with `searchCapControl` a
 * uniform random subset of the uncapped pairs of the capped set's size (draw order kept).
 */
function capSearch(ex: SearchExamples, c: Config, items: number, rng: Rng): SearchExamples {
  const capped = capPerItem(ex, c.searchCapPerItem, items);
  if (!c.searchCapControl || capped === ex) return capped;
  const rows = Int32Array.from({ length: ex.count }, (_, i) => i);
  for (let i = 0; i < capped.count; i++) {
    const j = i + rng.int(ex.count - i);
    [rows[i], rows[j]] = [rows[j], rows[i]];
  }
  const keep = new Uint8Array(ex.count);
  for (let i = 0; i < capped.count; i++) keep[rows[i]] = 1;
  return keepRows(ex, (e) => keep[e] === 1);
}

/**
 * The training set of `task` with targets drawn uniformly over its covered items (same
 * size, coverage, cap and query or session process): what Gen_R+S trains on when the
 * `popularityRemoved` ablation names that task.
 */
export function uniformTrainSet(w: World, c: Config, task: 'search' | 'rec'): SearchExamples | RecExamples {
  const flat = uniformPopularity(w.items);
  return task === 'search'
    ? capSearch(drawSearch(w, c, c.searchTrain, Rng.derive(c.seed, 'search/train/uniform'), w.searchCovered, flat), c, w.items, Rng.derive(c.seed, 'search/train/uniform/cap-control'))
    : capPerItem(drawRec(w, c, c.recTrain, Rng.derive(c.seed, 'rec/train/uniform'), w.recCovered, flat), c.recCapPerItem, w.items);
}

export function buildDataset(w: World, c: Config): Dataset {
  const seed = c.seed;
  return {
    searchTrain: capSearch(drawSearch(w, c, c.searchTrain, Rng.derive(seed, 'search/train'), w.searchCovered), c, w.items, Rng.derive(seed, 'search/train/cap-control')),
    recTrain: capPerItem(drawRec(w, c, c.recTrain, Rng.derive(seed, 'rec/train'), w.recCovered), c.recCapPerItem, w.items),
    searchTest: drawSearch(w, c, c.searchTest, Rng.derive(seed, 'search/test'), null),
    recTest: drawRec(w, c, c.recTest, Rng.derive(seed, 'rec/test'), null),
    searchVal: drawSearch(w, c, validationSize(c.searchTrain), Rng.derive(seed, 'search/val'), w.searchCovered),
    recVal: drawRec(w, c, validationSize(c.recTrain), Rng.derive(seed, 'rec/val'), w.recCovered),
  };
}

/** How often each item is a training target. */
export function targetCounts(ex: { count: number; target: Int32Array }, items: number): Float64Array {
  const counts = new Float64Array(items);
  for (let e = 0; e < ex.count; e++) counts[ex.target[e]]++;
  return counts;
}
