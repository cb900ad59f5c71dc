/**
 * A two-task model's checkpoint selections (config `jointSelection`), evaluated both ways:
 *
 * - `perTask`: each task is evaluated with the weights of its own best validation epoch,
 *   as multi-task evaluations select per task;
 * - `shared`: one checkpoint, the best mean of the two tasks' validation Recall, serves
 *   both, as one deployed model would.
 *
 * The model holds the shared checkpoint when training returns, and again after this.
 * The report's `eval` and `popularity` are the configured selection's; `alternative`
 * holds the other's (Recall and KL), and `bestEpochByTask` each task's best epoch.
 */
import type { Task } from '../core/encode';
import { round, type JointSelection, type SelectionFields } from '../core/report';
import type { TrainResult } from '../train/trainer';
import type { TaskResult } from './evaluate';

export async function evaluateSelections<R extends TaskResult>(tasks: readonly Task[], result: TrainResult, chosen: JointSelection,
  evaluate: (task: Task) => Promise<R>): Promise<{ chosen: Partial<Record<Task, R>>; fields: SelectionFields }> {
  const shared: Partial<Record<Task, R>> = {};
  for (const task of tasks) shared[task] = await evaluate(task);
  if (tasks.length < 2) return { chosen: shared, fields: {} };
  const perTask: Partial<Record<Task, R>> = {};
  const epochs = result.perTask?.bestEpochs ?? tasks.map(() => result.bestEpoch);
  let moved = false;
  for (let i = 0; i < tasks.length; i++) {
    if (epochs[i] === result.bestEpoch || !result.perTask) { perTask[tasks[i]] = shared[tasks[i]]; continue; }
    result.perTask.checkpoints.load(epochs[i]);
    moved = true;
    perTask[tasks[i]] = await evaluate(tasks[i]);
  }
  if (moved) result.perTask!.checkpoints.load(result.bestEpoch);
  const other = chosen === 'perTask' ? shared : perTask;
  return {
    chosen: chosen === 'perTask' ? perTask : shared,
    fields: {
      selection: chosen,
      bestEpochByTask: Object.fromEntries(tasks.map((t, i) => [t, epochs[i]])),
      alternative: {
        selection: chosen === 'perTask' ? 'shared' : 'perTask',
        eval: Object.fromEntries(tasks.map((t) => [t, other[t]!.eval])),
        popularity: Object.fromEntries(tasks.map((t) => [t, { kl: round(other[t]!.kl) }])),
      },
    },
  };
}
