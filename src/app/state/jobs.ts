/**
 * One job at a time: the worker runs a Lab run, a sweep, the lesson's live training or an
 * import, never two. An action that would start or replace work while a job runs is
 * refused with a notice that says why and what to do.
 */
import { importedDataOf } from '../../engine/core/config';
import type { LabState, Status, Store } from './types';

export const isBusy = (status: Status) => status === 'training' || status === 'starting';

/** The job the worker is on, in words, or null when it is free. */
export function runningJob(s: LabState): string | null {
  if (isBusy(s.sweep.status)) return 'a sweep is running';
  if (isBusy(s.status)) return s.lessonRun ? 'the lesson is training live' : 'a run is training';
  if (s.dataset.status === 'parsing') return 'files are being imported';
  return null;
}

/** Refuses `action` while a job runs (returns true when refused). */
export function refusedWhileBusy(store: Store, action: string): boolean {
  const job = runningJob(store.getState());
  if (!job) return false;
  store.setState({ refusal: `${action} did not start: ${job}. Stop it or wait for it to finish, then try again.` });
  return true;
}

/** The settings of a run opened from a file made on imported data: there is no simulated
 *  world to train, and this page does not hold the files (returns true when refused). */
export function refusedOnImported(store: Store, action: string): boolean {
  const data = importedDataOf(store.getState().config);
  if (!data) return false;
  store.setState({ refusal: `${action} did not start: these settings come from a run on imported data ("${data.name}"), which this page does not hold. Load its files in Your data to train on them, or pick a preset for a simulated world.` });
  return true;
}
