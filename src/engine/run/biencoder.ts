/**
 * The bi-encoder reference (model/bi-encoder.ts): trained like the generative models —
 * the same encoder, the same training sets, epochs, batch size, learning rate, batch order
 * and early stopping on validation Recall@K — then scored by nearest neighbour over its
 * item vectors. Trained on both tasks it is `baselines.biencoder`; trained on one task or
 * both, its item vectors are the follow-up's sources of semantic IDs (idSource biencoder,
 * biencoder-search, biencoder-rec).
 */
import { semanticIds, type Config } from '../core/config';
import { BIENCODER_SOURCES } from '../model/ids/vectors';
import type { Encoded, Task } from '../core/encode';
import { validationRecall } from '../eval/score-model';
import { BiEncoder, towerSpec } from '../model/bi-encoder';
import { train, type TrainProgress, type TrainResult } from '../train/trainer';
import { targetCounts } from '../sim/examples';

export interface BiEncoderInput {
  items: number;
  words: number;
  seqLen: number;
  itemWords: ArrayLike<number>[];
  /** Training and validation sets per task, encoded with the models' token layout. */
  train: Record<Task, Encoded>;
  val: Record<Task, Encoded>;
}

/**
 * The bi-encoders a run trains, in order: the multi-task one when it is the reference or
 * idSource=biencoder's source (one model serves both), and a one-task one for
 * idSource=biencoder-search or -rec. The probe counts the same list.
 */
export function biEncoderTrainings(cfg: Pick<Config, 'biencoder' | 'idScheme' | 'idSource'>): { tasks: readonly Task[]; reference: boolean; ids: boolean }[] {
  const idTasks = semanticIds(cfg) ? BIENCODER_SOURCES[cfg.idSource as keyof typeof BIENCODER_SOURCES] : undefined;
  const out: { tasks: readonly Task[]; reference: boolean; ids: boolean }[] = [];
  if (cfg.biencoder || idTasks?.length === 2) out.push({ tasks: ['search', 'rec'], reference: cfg.biencoder, ids: idTasks?.length === 2 });
  if (idTasks?.length === 1) out.push({ tasks: idTasks, reference: false, ids: true });
  return out;
}

export interface TrainedBiEncoder {
  model: BiEncoder;
  result: TrainResult;
}

/** Trains a bi-encoder on `tasks` (the caller disposes `model`). */
export async function trainBiEncoder(cfg: Config, inp: BiEncoderInput, tasks: readonly Task[], seed: number,
  opts: { shouldStop?: () => boolean; onProgress?: (p: TrainProgress) => void } = {}): Promise<TrainedBiEncoder> {
  const sets = tasks.map((t) => inp.train[t]);
  const total = sets.reduce((s, x) => s + x.count, 0);
  // Each set's share of the batch targets: what the logQ correction divides out.
  const share = (s: Encoded) => (tasks.length === 2 && cfg.jointMixing === 'balanced' ? 0.5 : s.count / Math.max(1, total));
  const spec = towerSpec(inp.itemWords, sets.map((s) => ({ counts: targetCounts({ count: s.count, target: s.target }, inp.items), share: share(s) })));
  const model = new BiEncoder({ items: inp.items, words: inp.words, dim: cfg.dim, layers: cfg.layers, heads: cfg.heads, seqLen: inp.seqLen }, spec, seed);
  try {
    const result = await train(model, sets, cfg, {
      shouldStop: opts.shouldStop,
      onProgress: opts.onProgress,
      validate: async () => {
        const v = await validationRecall(model, tasks.map((t) => inp.val[t]), cfg.k, inp.items);
        return { score: v.mean, tasks: tasks.map((t) => v.byTask[t]!) };
      },
    });
    return { model, result };
  } catch (e) {
    model.dispose();
    throw e;
  }
}
