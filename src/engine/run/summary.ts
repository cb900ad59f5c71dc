/**
 * A report's summary over seeds: the joint gain per task with its 95 % interval, and each
 * scorer's mean metrics (Recall, NDCG, popularity KL; Recall on cold and warm targets and
 * validRate where the runs have them; the field's measures under `field`).
 */
import type { Config } from '../core/config';
import { interval as meanInterval } from '../eval/evidence';
import type { TaskEval } from '../eval/metrics';
import { evalUnder, FIELD_METRICS, fieldKey, JOINT_SELECTIONS, MODELS, round, type JointSelection, type ModelReport, type Report, type RunReport } from '../core/report';
import type { Task } from '../core/encode';

export function recallKey(k: number): string {
  return `recall@${k}`;
}

/** Relative Recall@K gain of the joint model over the single-task model on `task`: under
 *  the report's own checkpoint selection, or under `selection` where the run has it. */
export function jointGainOf(run: RunReport, task: Task, k: number, selection?: JointSelection): number | null {
  const single = run.models[task === 'search' ? 'search' : 'rec']?.eval[task];
  const jm = run.models.joint;
  const joint = jm && (selection ? evalUnder(jm, task, selection) : jm.eval[task]);
  if (!single || !joint) return null;
  const s = single[recallKey(k)] as number;
  const j = joint[recallKey(k)] as number;
  return s > 0 ? (j - s) / s : null;
}

/** Recall@K on cold targets (no training example in the task) and on the others; null where a side has no target. */
export function coldWarm(e: TaskEval, k: number): { cold: number | null; warm: number | null } {
  const c = e.byBucket.cold;
  const n = e.count, r = e[recallKey(k)] as number;
  if (!c) return { cold: null, warm: null };
  const cr = c[recallKey(k)];
  return { cold: c.count ? cr : null, warm: n > c.count ? (r * n - cr * c.count) / (n - c.count) : null };
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

/** The field's measures (metrics.ts BeyondAccuracy), averaged over seeds where every seed has them. */
function fieldMeans(evals: TaskEval[], k: number): { field?: Record<string, number> } {
  const out: Record<string, number> = {};
  for (const key of FIELD_METRICS) {
    const name = fieldKey(key, k);
    if (evals.every((e) => typeof e[name] === 'number')) out[key] = round(mean(evals.map((e) => e[name] as number)));
  }
  return Object.keys(out).length ? { field: out } : {};
}

export function summarize(cfg: Config, runs: RunReport[]): Report['summary'] {
  const jointGain: Report['summary']['jointGain'] = {};
  for (const task of ['search', 'rec'] as Task[]) {
    const gains = runs.map((r) => jointGainOf(r, task, cfg.k)).filter((g): g is number => g !== null);
    if (gains.length) jointGain[task] = meanInterval(gains);
  }
  // Both checkpoint selections, where every run has both (eval/selection.ts).
  const bySelection: NonNullable<Report['summary']['jointGainBySelection']> = {};
  if (runs.length && runs.every((r) => r.models.joint?.alternative)) {
    for (const sel of JOINT_SELECTIONS) {
      for (const task of ['search', 'rec'] as Task[]) {
        const gains = runs.map((r) => jointGainOf(r, task, cfg.k, sel));
        if (gains.every((g) => g !== null)) (bySelection[sel] ??= {})[task] = meanInterval(gains as number[]);
      }
    }
  }
  const means: Report['summary']['means'] = {};
  const scorers: [string, (r: RunReport) => { eval: Partial<Record<Task, Record<string, unknown>>>; popularity: Partial<Record<Task, { kl: number }>> } | undefined][] = [
    ...MODELS.map((m) => [m, (r: RunReport) => r.models[m]] as [string, (r: RunReport) => ModelReport | undefined]),
    ['popularity', (r) => r.baselines.popularity],
    ['oracle', (r) => r.baselines.oracle ?? undefined],
    ['bm25', (r) => r.baselines.bm25],
    ['biencoder', (r) => r.baselines.biencoder],
  ];
  for (const [name, get] of scorers) {
    means[name] = {};
    for (const task of ['search', 'rec'] as Task[]) {
      const rs = runs.map(get).filter((x) => x?.eval[task]);
      if (!rs.length) continue;
      const evals = rs.map((x) => x!.eval[task] as TaskEval);
      const split = evals.map((e) => coldWarm(e, cfg.k));
      means[name][task] = {
        recall: round(mean(evals.map((e) => e[recallKey(cfg.k)] as number))),
        ndcg: round(mean(evals.map((e) => e[`ndcg@${cfg.k}`] as number))),
        kl: round(mean(rs.map((x) => x!.popularity[task]!.kl))),
        ...(split.every((c) => c.cold !== null) ? { coldRecall: round(mean(split.map((c) => c.cold!))) } : {}),
        ...(split.every((c) => c.warm !== null) ? { warmRecall: round(mean(split.map((c) => c.warm!))) } : {}),
        ...(evals.every((e) => typeof e.validRate === 'number') ? { validRate: round(mean(evals.map((e) => e.validRate as number))) } : {}),
        ...fieldMeans(evals, cfg.k),
      };
    }
  }
  return { jointGain, ...(Object.keys(bySelection).length ? { jointGainBySelection: bySelection } : {}), means };
}

