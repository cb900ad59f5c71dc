/**
 * Indexing examples, as DSI (Tay et al. 2022) trains a generative retriever: an item's own
 * text → its ID, for every item of the catalogue, added to the search task's training. A
 * model that learns item IDs only from training queries knows nothing of the items no query
 * names (on MovieLens, 72 % of them); indexing ties every item's ID to its words.
 *
 * `perItem` examples per item, each 1 to `queryLength` distinct words of the item's text
 * (uniform length, then uniform words, kept in text order), drawn from a seeded stream: a
 * query-like view of the item, as DSI's later variants sample spans rather than take the
 * text's first words. Items without words get none. Validation and test stay queries only.
 */
import { Rng } from '../core/rng';
import type { SearchExamples } from '../core/data';

export function indexingExamples(itemWords: ArrayLike<number>[], perItem: number, queryLength: number, seed: number): SearchExamples {
  const rng = Rng.derive(seed, 'indexing');
  const L = queryLength;
  const rows: { words: number[]; item: number }[] = [];
  for (let item = 0; item < itemWords.length; item++) {
    const text = itemWords[item];
    if (!text.length) continue;
    for (let v = 0; v < perItem; v++) {
      const len = Math.min(text.length, 1 + rng.int(L));
      const picked = Array.from(rng.permutation(text.length).subarray(0, len)).sort((a, b) => a - b);
      rows.push({ words: picked.map((p) => text[p]), item });
    }
  }
  const words = new Int32Array(rows.length * L).fill(-1);
  const target = new Int32Array(rows.length);
  rows.forEach((r, e) => {
    r.words.forEach((w, j) => { words[e * L + j] = w; });
    target[e] = r.item;
  });
  return { count: rows.length, queryLength: L, words, target };
}

/** The training queries followed by the indexing examples (one set: the trainer shuffles it). */
export function withIndexing(queries: SearchExamples, indexing: SearchExamples): SearchExamples {
  if (!indexing.count) return queries;
  if (indexing.queryLength !== queries.queryLength) throw new Error(`indexing examples have ${indexing.queryLength} words, queries ${queries.queryLength}`);
  const words = new Int32Array(queries.words.length + indexing.words.length);
  words.set(queries.words);
  words.set(indexing.words, queries.words.length);
  const target = new Int32Array(queries.count + indexing.count);
  target.set(queries.target);
  target.set(indexing.target, queries.count);
  return { count: target.length, queryLength: queries.queryLength, words, target };
}
