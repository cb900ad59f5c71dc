/**
 * Semantic IDs by residual k-means (RQ-KMeans): level 1 clusters the item vectors into
 * `codebook` groups, level 2 clusters what is left of each vector after subtracting its
 * level-1 centre, and so on for `levels` levels. Items that end with the same codes get
 * one more code, their rank among those items: by item index, as TIGER does (a number that
 * carries nothing), or by `order` (e.g. training frequency, most frequent first, so that
 * final code 0 means "the group's most popular item" in every group). Without any
 * collision there is no final code. Deterministic for a seed.
 */
import { Rng } from '../../core/rng';
import { kMeansFit } from '../../core/kmeans';
import { itemVectors, type IdSource, type ItemVectorInput } from './vectors';

export interface SemanticIds {
  items: number;
  /** Codes per item: `levels`, plus one final code when any two items collide. */
  length: number;
  /** Code of each item at each position, items × length (row-major), 0-based within the position. */
  codes: Int32Array;
  /** Codebook size at each position (the final code's is the largest collision group). */
  sizes: number[];
  /** Items that share their first `levels` codes with another item. */
  collisions: number;
  /** The largest group of items sharing their first `levels` codes. */
  largestGroup: number;
}

export function rqKMeans(vectors: Float64Array, n: number, d: number, levels: number, codebook: number, seed: number, order?: ArrayLike<number>): SemanticIds {
  const residual = Float64Array.from(vectors);
  const level = new Int32Array(n * levels);
  for (let l = 0; l < levels; l++) {
    const fit = kMeansFit(residual, n, d, codebook, Rng.derive(seed, `ids/rq/${l}`));
    for (let i = 0; i < n; i++) {
      const c = fit.assign[i];
      level[i * levels + l] = c;
      for (let j = 0; j < d; j++) residual[i * d + j] -= fit.centres[c * d + j];
    }
  }
  // Collisions: items with the same codes, in item order, get final codes 0, 1, 2, ...
  const groups = new Map<string, number[]>();
  for (let i = 0; i < n; i++) {
    const key = Array.from(level.subarray(i * levels, (i + 1) * levels)).join(',');
    const g = groups.get(key);
    if (g) g.push(i); else groups.set(key, [i]);
  }
  let largestGroup = 1, collisions = 0;
  for (const g of groups.values()) {
    largestGroup = Math.max(largestGroup, g.length);
    if (g.length > 1) collisions += g.length;
  }
  const length = largestGroup > 1 ? levels + 1 : levels;
  const codes = new Int32Array(n * length);
  for (let i = 0; i < n; i++) for (let l = 0; l < levels; l++) codes[i * length + l] = level[i * levels + l];
  // Within a group: highest `order` first (ties by item index), or item index.
  const rankOrder = (g: number[]) => (order ? [...g].sort((a, b) => order[b] - order[a] || a - b) : g);
  if (length > levels) for (const g of groups.values()) rankOrder(g).forEach((item, rank) => (codes[item * length + levels] = rank));
  const sizes = Array.from({ length: levels }, () => codebook);
  if (length > levels) sizes.push(largestGroup);
  return { items: n, length, codes, sizes, collisions, largestGroup };
}

/** An item's codes as text, "3-12-0". */
export function codeText(ids: SemanticIds, item: number): string {
  return Array.from(ids.codes.subarray(item * ids.length, (item + 1) * ids.length)).join('-');
}

/** The semantic IDs of a catalogue: item vectors from `source` (vectors.ts), cut by RQ-KMeans. */
export function buildSemanticIds(input: ItemVectorInput, source: IdSource, levels: number, codebook: number, seed: number, order?: ArrayLike<number>): SemanticIds {
  const { vectors, dim } = itemVectors(input, source, seed);
  return rqKMeans(vectors, input.items, dim, levels, codebook, seed, order);
}
