/** The sweep slice: a sweep trained in the worker point by point, or one opened from a file. */
import type { StateCreator } from 'zustand';
import { knobsFromReport } from '../../engine/core/config';
import { MODELS } from '../../engine/core/report';
import type { FromWorker } from '../../worker/protocol';
import { send } from '../worker-client';
import { backendRequest } from './backend';
import { isBusy, refusedOnImported, refusedWhileBusy } from './jobs';
import type { LabState, Store, SweepSlice, SweepState } from './types';

export const idleSweep: SweepState = { status: 'idle', sweep: null, reports: [], done: 0, total: 0, startedAt: 0, elapsed: 0, error: null };

/** The worker's messages while a sweep runs. */
export function onSweepMessage(store: Store, m: FromWorker): void {
  const sw = store.getState().sweep;
  const elapsed = (performance.now() - sw.startedAt) / 1000;
  const setSweep = (next: Partial<SweepState>) => store.setState({ sweep: { ...sw, ...next } });
  if (m.type === 'plan') store.setState({ plan: m });
  else if (m.type === 'cancelled') store.setState({ plan: null, sweep: { ...sw, status: 'idle' } });
  else if (m.type === 'event' && m.event.type === 'model') setSweep({ status: 'training', done: sw.done + 1, elapsed });
  else if (m.type === 'event') { if (sw.status === 'starting') setSweep({ status: 'training', elapsed }); }
  else if (m.type === 'sweepPoint') setSweep({ sweep: m.sweep, reports: [...sw.reports, m.report], elapsed });
  else if (m.type === 'sweepDone') store.setState({ sweep: { ...sw, sweep: m.sweep, status: m.sweep.complete ? 'done' : 'stopped', elapsed }, tensors: { after: m.tensors, before: m.tensorsBefore } });
  else if (m.type === 'error') setSweep({ status: 'error', error: m.message });
}

export const sweepSlice: StateCreator<LabState, [], [], SweepSlice> = (set, get, store) => ({
  sweep: idleSweep,
  runSweep: (r) => {
    if (refusedWhileBusy(store, 'The sweep') || refusedOnImported(store, 'The sweep')) return;
    const id = get().runId + 1;
    const seeds = Array.from({ length: r.seeds }, (_, i) => r.config.seed + i);
    set({ runId: id, refusal: null, sweep: { ...idleSweep, status: 'starting', total: r.values.length * r.seeds * MODELS.length, startedAt: performance.now() } });
    send({ type: 'sweep', runId: id, config: r.config, key: r.key, values: r.values, seeds, experiment: r.experiment, backends: backendRequest() });
  },
  stopSweep: () => {
    const { runId, sweep } = get();
    if (isBusy(sweep.status)) send({ type: 'stop', runId });
  },
  openPoint: (index) => {
    // Finished points open while the sweep goes on; not over a Lab run in progress.
    if (isBusy(get().status) && refusedWhileBusy(store, 'Opening a sweep point in the Lab')) return;
    const report = get().sweep.reports[index];
    if (!report) return;
    const config = knobsFromReport(report.config as unknown as Record<string, unknown>);
    set({ view: 'lab', config, trainedConfig: config, report, without: null, models: report.runs[0]?.models ?? {}, status: 'done', error: null, progress: {} });
  },
});
