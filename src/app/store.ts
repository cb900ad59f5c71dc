/**
 * All app state in one zustand store, composed of slices with one job each (state/):
 * the knobs and the view, the backend, the Lab's run, sweeps, the lesson, imported data,
 * and opened results with Compare. The UI renders this state and sends commands; training
 * happens in the lab worker, whose messages are routed here to the slice they concern.
 */
import { create } from 'zustand';
import type { FromWorker } from '../worker/protocol';
import { backendSlice, onBackendMessage } from './state/backend';
import { dataSlice, onDataMessage } from './state/data';
import { initial } from './state/initial';
import { isBusy, runningJob } from './state/jobs';
import { knobsSlice } from './state/knobs';
import { lessonSlice, onLessonMessage, shrinkLessonWorlds } from './state/lesson';
import { openedSlice } from './state/opened';
import { onRunMessage, runSlice } from './state/run';
import { onSweepMessage, sweepSlice } from './state/sweep';
import type { LabState } from './state/types';
import { connectWorker } from './worker-client';

export type { LabState, ModelProgress, Status, StoredSource, SweepRequest, SweepState, View } from './state/types';

export const useLab = create<LabState>()((...a) => ({
  ...knobsSlice(...a),
  ...backendSlice(...a),
  ...runSlice(...a),
  ...sweepSlice(...a),
  ...lessonSlice(...a),
  ...dataSlice(...a),
  ...openedSlice(...a),
}));

function onWorkerMessage(m: Exclude<FromWorker, { type: 'kernelChecks' }>) {
  if (m.type === 'backend') return onBackendMessage(useLab, m);
  const s = useLab.getState();
  if (m.runId !== s.runId) return; // a message from a job the user has left
  if (isBusy(s.sweep.status)) return onSweepMessage(useLab, m);
  if (onDataMessage(useLab, m)) return;
  if (m.type === 'done' && m.runId === s.dataset.runId) useLab.setState({ dataset: { ...s.dataset, report: m.report } });
  if (s.lessonRun && (m.type === 'done' || m.type === 'error' || m.type === 'cancelled')) onLessonMessage(useLab, m);
  onRunMessage(useLab, m);
}

/** Whether the worker is on a job (a run, a sweep, the lesson's live training, an import). */
export function jobRunning(): boolean {
  return runningJob(useLab.getState()) !== null;
}

export const autorunFromUrl = initial.autorun;
export const initialLink = initial;
export { shrinkLessonWorlds };

connectWorker({ onMessage: onWorkerMessage, onError: (error) => useLab.setState({ status: 'error', error }) });
