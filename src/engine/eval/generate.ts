/**
 * Evaluation of a model with semantic IDs: it generates, it does not score every item.
 *
 * - Ranking: beam search constrained to the trie of valid IDs (model/ids/beam.ts), width
 *   max(K, 10); Recall@K and NDCG@K come from the top K beams (a target outside them is
 *   a miss). `validRate` is the share of those generated IDs that spell a real item,
 *   checked against the trie.
 * - Popularity calibration: the model's distribution over real items,
 *   P(item | input) = Π_t P(code_t | input, codes so far) renormalised over the codes that
 *   continue a real item (the distribution beam search ranks by), computed exactly by
 *   expanding the whole trie, averaged over the test inputs, against the test targets.
 *   Where rows × trie nodes would pass EXPANSION_BUDGET, an evenly spaced subset of the
 *   test inputs is expanded (the report says how many).
 * - Where every test input is expanded, the model scores each input once: the expansion
 *   records its scores and the ranking's beam search replays them (beam.ts
 *   RecordedScores), as atomic IDs score every item once for both.
 */
import * as tf from '@tensorflow/tfjs';
import { constrainedBeamSearch, RecordedScores, type CodeScorer, type Generated } from '../model/ids/beam';
import { FusedCodeScorer } from '../model/kernels/fused-forward';
import { fusedUnavailable } from '../train/stepper';
import { CodeGenerator, DecoderLevels } from '../model/ids/code-decoder';
import type { Generation } from '../model/parts';
import type { Retriever } from '../model/retriever';
import { batchBuffers, gatherRows, type Encoded } from '../core/encode';
import { calibrationKL, type TaskResult } from './evaluate';
import { MarginalAccumulator, RankingAccumulator } from './metrics';

const EXPANSION_BUDGET = 2_000_000;
/** Hypotheses decoded in one call while expanding the trie. */
const EXPANSION_CHUNK = 65_536;

export function beamWidth(k: number): number {
  return Math.max(k, 10);
}

/**
 * Runs `search` on the rows `rowIds` of `set` in batches of `batch`, each batch's codes
 * scored by the fused WebGPU kernels where the fused training step would serve the model
 * (kernels/fused-forward.ts FusedCodeScorer), otherwise by the plain ops (CodeGenerator).
 */
async function generateRows<G>(model: Retriever, trie: Generation['trie'], set: Encoded, rowIds: ArrayLike<number>, batch: number, search: (score: CodeScorer, count: number) => Promise<G>, consume: (row: number, g: G, j: number) => void): Promise<void> {
  const S = set.seqLen;
  const buf = batchBuffers(batch, S);
  const fused = fusedUnavailable(model, batch) === null ? new FusedCodeScorer(model, batch) : null;
  const levels = fused ? null : new DecoderLevels(model, trie, set.task === 'search' ? 0 : 1);
  try {
    for (let first = 0; first < rowIds.length; first += batch) {
      const count = Math.min(batch, rowIds.length - first);
      const refs = Array.from({ length: batch }, (_, j) => rowIds[first + (j % count)]);
      gatherRows(set, refs, buf);
      let gen: { score: CodeScorer; dispose: () => void };
      if (fused) gen = fused.open(buf.tokens);
      else {
        const tk = tf.tensor2d(buf.tokens, [batch, S], 'int32'), mk = tf.tensor2d(buf.mask, [batch, S]);
        gen = new CodeGenerator(levels!, tk, mk);
        tk.dispose(); mk.dispose();
      }
      try {
        const g = await search(gen.score, count);
        for (let j = 0; j < count; j++) consume(rowIds[first + j], g, j);
      } finally {
        gen.dispose();
      }
    }
  } finally {
    fused?.dispose();
    levels?.dispose();
  }
}

/** The top `width` generated items of every row of `set`, best first. */
export async function generateTopK(model: Retriever, { trie, sizes }: Generation, set: Encoded, width: number, batch: number, consume: (row: number, items: Int32Array) => void): Promise<void> {
  const all = Array.from({ length: set.count }, (_, i) => i);
  await generateRows(model, trie, set, all, batch, (score, count) => constrainedBeamSearch(trie, count, width, sizes, score), (row, g, j) => consume(row, g.items[j]));
}

/** Recall@K, NDCG@K, validRate, and calibration of a semantic-ID model on one task's test set. */
export async function evaluateGenerative(model: Retriever, generation: Generation, set: Encoded, k: number, bucketOf: Uint8Array, items: number, batch: number): Promise<TaskResult & { rows: number }> {
  const { trie, sizes } = generation;
  const ranking = new RankingAccumulator(k, bucketOf, set.count);
  let generated = 0, valid = 0;
  const width = beamWidth(k);
  const rank = (row: number, top: Int32Array) => {
    const target = set.target[row];
    const at = top.indexOf(target);
    ranking.addRank(at >= 0 ? at : width, target, row);
    for (let j = 0; j < Math.min(k, top.length); j++) { generated++; if (top[j] >= 0 && top[j] < items) valid++; }
  };
  // Calibration: the exact distribution over items on (a subset of) the inputs.
  let inner = 0;
  for (let t = 0; t < trie.length; t++) inner += trie.nodesAt(t).length;
  const rowsUsed = Math.max(1, Math.min(set.count, Math.floor(EXPANSION_BUDGET / inner)));
  const rowIds = Array.from({ length: rowsUsed }, (_, i) => Math.floor((i * set.count) / rowsUsed));
  const widest = Math.max(...Array.from({ length: trie.length }, (_, t) => trie.nodesAt(t).length));
  const chunk = Math.max(1, Math.min(batch, Math.floor(EXPANSION_CHUNK / widest)));
  const marginal = new MarginalAccumulator(items);
  const row = new Float64Array(items);
  const addExact = (g: Generated, j: number) => {
    row.fill(-Infinity);
    g.items[j].forEach((item, p) => (row[item] = g.logp[j][p]));
    marginal.addRow(row, 0);
  };
  const expand = (score: CodeScorer, count: number) => constrainedBeamSearch(trie, count, Infinity, sizes, score, { ranked: false });
  if (rowsUsed === set.count) {
    // Every input expanded: the ranking's beam search replays the expansion's scores.
    await generateRows(model, trie, set, rowIds, chunk, async (score, count) => {
      const recorded = new RecordedScores(trie, count, sizes);
      const exact = await expand(recorded.record(score), count);
      return { exact, beam: await constrainedBeamSearch(trie, count, width, sizes, recorded.replay) };
    }, (r, g, j) => { rank(r, g.beam.items[j]); addExact(g.exact, j); });
  } else {
    await generateTopK(model, generation, set, width, batch, rank);
    await generateRows(model, trie, set, rowIds, chunk, expand, (_r, g, j) => addExact(g, j));
  }
  const m = marginal.marginal();
  const ev = ranking.result();
  ev.validRate = generated ? valid / generated : 0;
  return { eval: ev, marginal: m, kl: calibrationKL(set.target, m), rows: rowsUsed, hits: ranking.hitsByExample ?? undefined };
}
