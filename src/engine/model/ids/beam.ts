/**
 * Beam search over semantic IDs, constrained to the trie of valid IDs. At each position
 * the scorer gives every open hypothesis the model's scores (logits) of that position's
 * codes; only codes that continue a real item are kept, renormalised among themselves:
 *
 *   log P(item | input) = Σ_t [ s_t(c_t) − log Σ_{c valid after c_<t} exp s_t(c) ]
 *
 * This is the model's distribution over real items; `width` hypotheses per input survive
 * each position. With `width = Infinity` nothing is pruned and every item gets its exact
 * log-probability (what popularity calibration uses).
 */
import type { IdTrie } from './trie';

/**
 * Scores of every code at position `t` for each hypothesis: `rows[h]` is the input that
 * hypothesis h belongs to, `prefixes` holds its t codes so far (h-major). Returns
 * hypotheses × (codes at position t).
 */
export type CodeScorer = (rows: Int32Array, prefixes: Int32Array, t: number) => Promise<Float32Array>;

export interface Generated {
  /** Per input, the generated items best first, and their log-probabilities. */
  items: Int32Array[];
  logp: Float64Array[];
}

export async function constrainedBeamSearch(trie: IdTrie, inputs: number, width: number, sizes: readonly number[], scorer: CodeScorer): Promise<Generated> {
  const prune = Number.isFinite(width);
  // Open hypotheses, grouped by input: parallel arrays of input, trie node, log-probability.
  let row: Int32Array = Int32Array.from({ length: inputs }, (_, i) => i);
  let node: Int32Array = new Int32Array(inputs);
  let score: Float64Array = new Float64Array(inputs);
  for (let t = 0; t < trie.length; t++) {
    // A hypothesis with one way on keeps its score (the only valid code has probability
    // 1 after renormalising): only those with a choice are decoded.
    const choosing: number[] = [];
    let count = 0;
    for (let h = 0; h < row.length; h++) {
      const n = trie.codesAfter(node[h]).length;
      count += n;
      if (n > 1) choosing.push(h);
    }
    const rows = Int32Array.from(choosing, (h) => row[h]);
    const prefixes = new Int32Array(choosing.length * t);
    choosing.forEach((h, j) => prefixes.set(trie.prefix(node[h]), j * t));
    const scores = choosing.length ? await scorer(rows, prefixes, t) : new Float32Array(0);
    const size = sizes[t];
    const nRow = new Int32Array(count), nNode = new Int32Array(count), nScore = new Float64Array(count);
    let k = 0, j = 0;
    for (let h = 0; h < row.length; h++) {
      const codes = trie.codesAfter(node[h]);
      if (codes.length === 1) { nRow[k] = row[h]; nNode[k] = trie.child(node[h], codes[0]); nScore[k++] = score[h]; continue; }
      const base = j++ * size;
      let max = -Infinity;
      for (const c of codes) max = Math.max(max, scores[base + c]);
      let z = 0;
      for (const c of codes) z += Math.exp(scores[base + c] - max);
      const lse = max + Math.log(z);
      for (const c of codes) { nRow[k] = row[h]; nNode[k] = trie.child(node[h], c); nScore[k++] = score[h] + scores[base + c] - lse; }
    }
    const kept = prune ? keepBest(nRow, nNode, nScore, width) : { row: nRow, node: nNode, score: nScore };
    row = kept.row; node = kept.node; score = kept.score;
  }
  // Best first per input; equal scores in trie order (node numbers follow item order).
  const items: Int32Array[] = [], logp: Float64Array[] = [];
  let h = 0;
  for (let r = 0; r < inputs; r++) {
    const start = h;
    while (h < row.length && row[h] === r) h++;
    const order = Array.from({ length: h - start }, (_, i) => start + i).sort((a, b) => score[b] - score[a] || node[a] - node[b]);
    items.push(Int32Array.from(order, (i) => trie.item(node[i])));
    logp.push(Float64Array.from(order, (i) => score[i]));
  }
  return { items, logp };
}

/** The `width` best hypotheses of each input (candidates come grouped by input), still grouped. */
function keepBest(row: Int32Array, node: Int32Array, score: Float64Array, width: number): { row: Int32Array; node: Int32Array; score: Float64Array } {
  const keep: number[] = [];
  for (let h = 0; h < row.length;) {
    const start = h;
    while (h < row.length && row[h] === row[start]) h++;
    if (h - start <= width) { for (let i = start; i < h; i++) keep.push(i); continue; }
    const order = Array.from({ length: h - start }, (_, i) => start + i).sort((a, b) => score[b] - score[a] || node[a] - node[b]);
    keep.push(...order.slice(0, width));
  }
  return { row: Int32Array.from(keep, (i) => row[i]), node: Int32Array.from(keep, (i) => node[i]), score: Float64Array.from(keep, (i) => score[i]) };
}
