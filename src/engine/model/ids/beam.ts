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

interface Hyp { row: number; node: number; score: number }

export async function constrainedBeamSearch(trie: IdTrie, inputs: number, width: number, sizes: readonly number[], scorer: CodeScorer): Promise<Generated> {
  let hyps: Hyp[] = Array.from({ length: inputs }, (_, row) => ({ row, node: 0, score: 0 }));
  for (let t = 0; t < trie.length; t++) {
    // A hypothesis with one way on keeps its score (the only valid code has probability
    // 1 after renormalising): only those with a choice are decoded.
    const choosing = hyps.filter((h) => trie.codesAfter(h.node).length > 1);
    const rows = Int32Array.from(choosing, (h) => h.row);
    const prefixes = new Int32Array(choosing.length * t);
    choosing.forEach((h, j) => prefixes.set(trie.prefix(h.node), j * t));
    const scores = choosing.length ? await scorer(rows, prefixes, t) : new Float32Array(0);
    const size = sizes[t];
    const next: Hyp[][] = Array.from({ length: inputs }, () => []);
    let j = -1;
    hyps.forEach((h) => {
      const codes = trie.codesAfter(h.node);
      if (codes.length === 1) { next[h.row].push({ row: h.row, node: trie.child(h.node, codes[0]), score: h.score }); return; }
      j++;
      let max = -Infinity;
      for (const c of codes) max = Math.max(max, scores[j * size + c]);
      let z = 0;
      for (const c of codes) z += Math.exp(scores[j * size + c] - max);
      const lse = max + Math.log(z);
      for (const c of codes) next[h.row].push({ row: h.row, node: trie.child(h.node, c), score: h.score + scores[j * size + c] - lse });
    });
    hyps = [];
    for (const cand of next) {
      // Best first; equal scores in trie order (node numbers follow item order).
      cand.sort((a, b) => b.score - a.score || a.node - b.node);
      hyps.push(...(Number.isFinite(width) ? cand.slice(0, width) : cand));
    }
  }
  const items = Array.from({ length: inputs }, () => [] as number[]);
  const logp = Array.from({ length: inputs }, () => [] as number[]);
  for (const h of hyps) { items[h.row].push(trie.item(h.node)); logp[h.row].push(h.score); }
  return { items: items.map((x) => Int32Array.from(x)), logp: logp.map((x) => Float64Array.from(x)) };
}
