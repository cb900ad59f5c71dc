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
 * hypothesis h belongs to, `prefixes` holds its t codes so far (h-major), `nodes[h]` the
 * trie node they lead to. Returns hypotheses × (codes at position t).
 */
export type CodeScorer = (rows: Int32Array, prefixes: Int32Array, t: number, nodes: Int32Array) => Promise<Float32Array>;

export interface Generated {
  /** Per input, the generated items best first, and their log-probabilities. */
  items: Int32Array[];
  logp: Float64Array[];
}

/** `ranked: false` leaves each input's items in trie order (when only the distribution is
 *  wanted, as popularity calibration's: sorting every item of every input costs more
 *  than expanding them). */
export async function constrainedBeamSearch(trie: IdTrie, inputs: number, width: number, sizes: readonly number[], scorer: CodeScorer, { ranked = true } = {}): Promise<Generated> {
  const prune = Number.isFinite(width);
  // Open hypotheses, grouped by input: parallel arrays of input, trie node, log-probability.
  let row: Int32Array = Int32Array.from({ length: inputs }, (_, i) => i);
  let node: Int32Array = new Int32Array(inputs);
  let score: Float64Array = new Float64Array(inputs);
  for (let t = 0; t < trie.length; t++) {
    // A hypothesis with one way on keeps its score (the only valid code has probability
    // 1 after renormalising): only those with a choice are decoded.
    let choosing = 0, count = 0;
    for (let h = 0; h < row.length; h++) {
      const n = trie.codesAfter(node[h]).length;
      count += n;
      if (n > 1) choosing++;
    }
    const rows = new Int32Array(choosing), nodes = new Int32Array(choosing);
    const prefixes = new Int32Array(choosing * t);
    for (let h = 0, j = 0; h < row.length; h++) {
      if (trie.codesAfter(node[h]).length < 2) continue;
      rows[j] = row[h];
      nodes[j] = node[h];
      if (t) trie.writePrefix(node[h], prefixes, j * t);
      j++;
    }
    const scores = choosing ? await scorer(rows, prefixes, t, nodes) : new Float32Array(0);
    const size = sizes[t];
    const nRow = new Int32Array(count), nNode = new Int32Array(count), nScore = new Float64Array(count);
    let k = 0, j = 0;
    for (let h = 0; h < row.length; h++) {
      const codes = trie.codesAfter(node[h]), kids = trie.childrenAfter(node[h]);
      const n = codes.length;
      if (n === 1) { nRow[k] = row[h]; nNode[k] = kids[0]; nScore[k++] = score[h]; continue; }
      const base = j++ * size;
      let max = -Infinity;
      for (let i = 0; i < n; i++) max = Math.max(max, scores[base + codes[i]]);
      let z = 0;
      for (let i = 0; i < n; i++) z += Math.exp(scores[base + codes[i]] - max);
      const lse = max + Math.log(z);
      for (let i = 0; i < n; i++) { nRow[k] = row[h]; nNode[k] = kids[i]; nScore[k++] = score[h] + scores[base + codes[i]] - lse; }
    }
    const kept = prune ? keepBest(nRow, nNode, nScore, width) : { row: nRow, node: nNode, score: nScore };
    row = kept.row; node = kept.node; score = kept.score;
  }
  // Best first per input (ranked); equal scores, or all when not ranked, in trie order
  // (node numbers follow item order).
  const items: Int32Array[] = [], logp: Float64Array[] = [];
  let h = 0;
  for (let r = 0; r < inputs; r++) {
    const start = h;
    while (h < row.length && row[h] === r) h++;
    const order = new Int32Array(h - start);
    for (let i = 0; i < order.length; i++) order[i] = start + i;
    if (ranked) order.sort((a, b) => score[b] - score[a] || node[a] - node[b]);
    const it = new Int32Array(order.length), lp = new Float64Array(order.length);
    for (let i = 0; i < order.length; i++) { it[i] = trie.item(node[order[i]]); lp[i] = score[order[i]]; }
    items.push(it);
    logp.push(lp);
  }
  return { items, logp };
}

/** The `width` best hypotheses of each input (candidates come grouped by input), still
 *  grouped: a group of at most `width` as it came, a larger one best first (score
 *  descending, then node ascending), picked by insertion into the `width` best so far. */
function keepBest(row: Int32Array, node: Int32Array, score: Float64Array, width: number): { row: Int32Array; node: Int32Array; score: Float64Array } {
  const keep = new Int32Array(row.length);
  const best = new Int32Array(width);
  let kept = 0;
  const better = (a: number, b: number) => score[a] > score[b] || (score[a] === score[b] && node[a] < node[b]);
  for (let h = 0; h < row.length;) {
    const start = h;
    while (h < row.length && row[h] === row[start]) h++;
    if (h - start <= width) { for (let i = start; i < h; i++) keep[kept++] = i; continue; }
    let n = 0;
    for (let i = start; i < h; i++) {
      if (n === width && !better(i, best[n - 1])) continue;
      let at = n < width ? n++ : n - 1;
      while (at > 0 && better(i, best[at - 1])) { best[at] = best[at - 1]; at--; }
      best[at] = i;
    }
    for (let i = 0; i < n; i++) keep[kept++] = best[i];
  }
  const out = { row: new Int32Array(kept), node: new Int32Array(kept), score: new Float64Array(kept) };
  for (let i = 0; i < kept; i++) { out.row[i] = row[keep[i]]; out.node[i] = node[keep[i]]; out.score[i] = score[keep[i]]; }
  return out;
}

/**
 * The scores a scorer gave while a search expanded the whole trie (width ∞) for a batch
 * of inputs: every input's scores after every node with a choice. A later search of the
 * same inputs replays them instead of decoding again: a hypothesis's scores depend on
 * its input and prefix alone, so a beam search of any width reads the same numbers it
 * would have decoded. Popularity calibration's exact expansion records, the ranking's
 * beam search replays (eval/generate.ts), as atomic IDs score every item once for both.
 */
export class RecordedScores {
  /** Per depth: inputs × (its nodes with a choice) × codes. */
  private readonly table: Float32Array[];

  constructor(private readonly trie: IdTrie, private readonly inputs: number, private readonly sizes: readonly number[]) {
    this.table = sizes.map((size, t) => new Float32Array(inputs * trie.choosingAt(t).length * size));
  }

  /** `scorer`, its answers kept. */
  record(scorer: CodeScorer): CodeScorer {
    return async (rows, prefixes, t, nodes) => {
      const scores = await scorer(rows, prefixes, t, nodes);
      this.copy(rows, t, nodes, (at, j, size) => this.table[t].set(scores.subarray(j * size, (j + 1) * size), at));
      return scores;
    };
  }

  /** A scorer that answers from what was recorded (every hypothesis asked must have been). */
  readonly replay: CodeScorer = async (rows, _prefixes, t, nodes) => {
    const size = this.sizes[t], out = new Float32Array(rows.length * size);
    this.copy(rows, t, nodes, (at, j) => out.set(this.table[t].subarray(at, at + size), j * size));
    return out;
  };

  private copy(rows: Int32Array, t: number, nodes: Int32Array, each: (at: number, j: number, size: number) => void): void {
    const size = this.sizes[t], n = this.trie.choosingAt(t).length;
    for (let j = 0; j < rows.length; j++) {
      const c = this.trie.choiceIndex(nodes[j]);
      if (c < 0 || rows[j] >= this.inputs) throw new Error(`no scores recorded for input ${rows[j]} after trie node ${nodes[j]}`);
      each((rows[j] * n + c) * size, j, size);
    }
  }
}
