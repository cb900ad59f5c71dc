/**
 * A trained model's evaluation, under either ID scheme: test metrics and calibration,
 * validation Recall@K for early stopping, and the item-embedding analysis.
 * A head that scores every item (atomic IDs: one decoding step) is ranked on its scores; a head
 * with a generation (semantic IDs: its trie and codebooks) generates under it (generate.ts).
 */
import * as tf from '@tensorflow/tfjs';
import type { Config } from '../core/config';
import type { Scorer } from '../model/scorer';
import { round, type EmbeddingReport } from '../core/report';
import { Rng } from '../core/rng';
import type { Encoded, Task } from '../core/encode';
import { predict } from '../train/trainer';
import { chanceAgreement, nearestNeighbours, neighbourAgreement, pca2, umap2 } from './embeddings';
import { TaskEvaluator, type PopularityContext, type TaskResult } from './evaluate';
import { beamWidth, evaluateGenerative, generateTopK } from './generate';
import { RankingAccumulator, rankOf } from './metrics';

const EVAL_BATCH = 256;
const NEIGHBOURS = 10;


export async function evaluateModel(model: Scorer, test: Encoded, k: number, buckets: Uint8Array, items: number, popularity?: PopularityContext): Promise<TaskResult & { rows?: number }> {
  const generative = model.generative;
  const generation = generative?.head.generation;
  if (generative && generation) return evaluateGenerative(generative, generation, test, k, buckets, items, EVAL_BATCH);
  const ev = new TaskEvaluator(k, buckets, items, test.target, popularity);
  await predict(model, test, EVAL_BATCH, ev.consume);
  const r = ev.finish();
  // Every one of the top K scores is an item's: atomic IDs cannot generate anything else.
  r.eval.validRate = 1;
  return r;
}

/** Validation Recall@K per task, and their mean over the model's tasks: what early stopping maximises. */
export async function validationRecall(model: Scorer, sets: Encoded[], k: number, items: number): Promise<{ mean: number; byTask: Partial<Record<Task, number>> }> {
  let total = 0;
  const byTask: Partial<Record<Task, number>> = {};
  for (const set of sets) {
    const acc = new RankingAccumulator(k, new Uint8Array(items));
    const generative = model.generative;
    const generation = generative?.head.generation;
    if (generative && generation) {
      await generateTopK(generative, generation, set, beamWidth(k), EVAL_BATCH, (row, top) => {
        const at = top.indexOf(set.target[row]);
        acc.addRank(at >= 0 ? at : k, set.target[row]);
      });
    } else {
      await predict(model, set, EVAL_BATCH, (rows, first, count) => {
        for (let r = 0; r < count; r++) acc.addRank(rankOf(rows, r * items, items, set.target[first + r]), set.target[first + r]);
      });
    }
    byTask[set.task] = acc.result()[`recall@${k}`] as number;
    total += byTask[set.task]!;
  }
  return { mean: total / sets.length, byTask };
}

/** Neighbour agreement and a 2-D projection of each item's representation (Scorer.itemVectors). */
export async function analyseEmbeddings(model: Scorer, n: number, groups: { topic: ArrayLike<number>; cluster: ArrayLike<number> }, cfg: Config): Promise<EmbeddingReport> {
  const table = tf.tidy(() => model.itemVectors());
  const data = (await table.data()) as Float32Array;
  table.dispose();
  const d = model.spec.dim;
  const nn = nearestNeighbours(data, n, d, NEIGHBOURS);
  const { coords: pcaCoords, explained } = pca2(data, n, d);
  const rng = Rng.derive(cfg.seed, 'umap');
  const coords = cfg.projection === 'umap' ? umap2(data, n, d, () => rng.next()) : pcaCoords;
  return {
    projection: cfg.projection,
    contentAgreement: round(neighbourAgreement(nn, n, groups.topic)),
    cfAgreement: round(neighbourAgreement(nn, n, groups.cluster)),
    chance: { content: round(chanceAgreement(groups.topic)), cf: round(chanceAgreement(groups.cluster)) },
    pca: Array.from(coords, (v) => round(v, 4)),
    explained: [round(explained[0], 4), round(explained[1], 4)],
  };
}
