/** One evaluation path for models and baselines: score rows in, metrics and calibration out. */
import { klDivergence } from '../sim/stats';
import { BeyondAccuracy, MarginalAccumulator, RankingAccumulator, rankOf, type TaskEval } from './metrics';

export interface TaskResult {
  eval: TaskEval;
  /** Mean predicted distribution over items on the task's test inputs. */
  marginal: Float64Array;
  /** KL(empirical test targets ‖ marginal). */
  kl: number;
  /** Per test example, 1 for a hit in the top K: what a bootstrap over the test sample resamples. */
  hits?: Uint8Array;
}

/** What the beyond-accuracy metrics need: each item's training-target count in the task, and each test example's own popularity (metrics.ts BeyondAccuracy). */
export interface PopularityContext {
  trainCounts: ArrayLike<number>;
  own?: ArrayLike<number>;
}

export class TaskEvaluator {
  private ranking: RankingAccumulator;
  private marginalAcc: MarginalAccumulator;
  private beyond: BeyondAccuracy | null;

  constructor(k: number, bucketOf: Uint8Array, private readonly items: number, private readonly targets: Int32Array, popularity?: PopularityContext) {
    this.ranking = new RankingAccumulator(k, bucketOf, targets.length);
    this.marginalAcc = new MarginalAccumulator(items);
    this.beyond = popularity ? new BeyondAccuracy(k, popularity.trainCounts, bucketOf, popularity.own) : null;
  }

  /** Rows of scores (logits or log-probabilities), `count` rows for examples first.. */
  consume = (rows: ArrayLike<number>, first: number, count: number): void => {
    const n = this.items;
    for (let r = 0; r < count; r++) {
      const target = this.targets[first + r];
      const rank = rankOf(rows, r * n, n, target);
      this.ranking.addRank(rank, target, first + r);
      this.marginalAcc.addRow(rows, r * n);
      this.beyond?.addRow(rows, r * n, n, rank, first + r);
    }
  };

  finish(): TaskResult {
    const marginal = this.marginalAcc.marginal();
    const ev = this.ranking.result();
    if (this.beyond) for (const [name, v] of Object.entries(this.beyond.result())) ev[name] = v;
    return { eval: ev, marginal, kl: calibrationKL(this.targets, marginal), hits: this.ranking.hitsByExample ?? undefined };
  }
}

/** KL(empirical distribution of the test targets ‖ a scorer's marginal over items). */
export function calibrationKL(targets: Int32Array, marginal: Float64Array): number {
  const empirical = new Float64Array(marginal.length);
  for (const t of targets) empirical[t] += 1 / targets.length;
  return klDivergence(empirical, marginal);
}
