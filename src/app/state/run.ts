/**
 * The run slice: a Lab run's lifecycle (starting, training, done, stopped, error), its
 * progress as it arrives and its results. Progress arrives every few steps; the page
 * applies it at most every 100 ms, in one state change, so that a fast backend cannot keep
 * the main thread busy re-rendering.
 */
import type { StateCreator } from 'zustand';
import { importedDataOf, type Config } from '../../engine/core/config';
import { presetValues } from '../../engine/core/presets';
import type { ExperimentEvent } from '../../engine/run/experiment';
import type { Report } from '../../engine/core/report';
import type { FromWorker } from '../../worker/protocol';
import { send } from '../worker-client';
import { backendRequest, forgetBackendChoice } from './backend';
import { isBusy, refusedOnImported, refusedWhileBusy } from './jobs';
import type { LabState, RunSlice, Store } from './types';

/** Most loss points kept per model for the live chart (older ones are thinned). */
const MAX_LOSS_POINTS = 400;

function appendLoss(losses: { step: number; loss: number }[], point: { step: number; loss: number }) {
  const next = [...losses, point];
  return next.length > MAX_LOSS_POINTS ? next.filter((_, i) => i % 2 === 0 || i === next.length - 1) : next;
}

let queuedTrain: Extract<ExperimentEvent, { type: 'train' | 'reference' }>[] = [];
let flushTimer: ReturnType<typeof setTimeout> | null = null;

/** Drops progress still queued from a run the page has left. */
export function clearQueuedProgress(): void {
  queuedTrain = [];
}

function flushTrainEvents(store: Store) {
  flushTimer = null;
  if (!queuedTrain.length) return;
  const s = store.getState();
  const progress = { ...s.progress };
  for (const event of queuedTrain) {
    // Every bi-encoder (the reference, or one trained for semantic IDs) shows as one bar; a model's first step ends it.
    const key = event.type === 'train' ? event.model : 'biencoder';
    const p = progress[key] ?? { step: 0, totalSteps: 0, epoch: 0, losses: [], finished: false };
    progress[key] = { ...p, step: event.progress.step, totalSteps: event.progress.totalSteps, epoch: event.progress.epoch, losses: appendLoss(p.losses, { step: event.progress.step, loss: event.progress.loss }) };
    if (event.type === 'train' && progress.biencoder && !progress.biencoder.finished) progress.biencoder = { ...progress.biencoder, finished: true };
  }
  queuedTrain = [];
  store.setState({ status: 'training', elapsed: (performance.now() - s.startedAt) / 1000, progress });
}

function onEvent(store: Store, event: ExperimentEvent) {
  if (event.type === 'train' || event.type === 'reference') {
    queuedTrain.push(event);
    flushTimer ??= setTimeout(() => flushTrainEvents(store), 100);
    return;
  }
  if (event.type === 'model') {
    flushTrainEvents(store);
    const s = store.getState();
    const p = s.progress[event.model];
    store.setState({
      models: { ...s.models, [event.model]: event.report },
      progress: { ...s.progress, [event.model]: { ...(p ?? { step: 0, totalSteps: 0, epoch: 0, losses: [] }), step: event.report.steps, totalSteps: p?.totalSteps ?? event.report.steps, finished: true } },
    });
  }
}

/** The worker's messages about the current run (the Lab's, the lesson's or a data run). */
export function onRunMessage(store: Store, m: FromWorker): void {
  const s = store.getState();
  if (m.type === 'plan') store.setState({ plan: m });
  else if (m.type === 'cancelled') store.setState({ status: 'idle', plan: null, trainedConfig: null });
  else if (m.type === 'event') onEvent(store, m.event);
  else if (m.type === 'done') {
    flushTrainEvents(store);
    store.setState({
      report: m.report,
      without: m.without,
      models: m.report.runs[0]?.models ?? s.models,
      status: m.report.stopped ? 'stopped' : 'done',
      tensors: { after: m.tensors, before: m.tensorsBefore },
      elapsed: (performance.now() - s.startedAt) / 1000,
    });
  } else if (m.type === 'error') {
    forgetBackendChoice(store);
    store.setState({ status: 'error', error: m.message });
  }
}

/** The results shown cleared for a new job numbered `runId`. */
export const freshRun = (runId: number): Partial<LabState> => ({ runId, status: 'starting', error: null, refusal: null, plan: null, progress: {}, models: {}, report: null, without: null, tensors: null, stored: null, startedAt: performance.now(), elapsed: 0 });

/** Starts a run of `config` for `seeds` in the worker (the Lab's Train, and the lesson's). */
export function startRun(store: Store, config: Config, seeds: number[]): void {
  const id = store.getState().runId + 1;
  clearQueuedProgress();
  store.setState({ ...freshRun(id), trainedConfig: config });
  send({ type: 'run', runId: id, config, seeds, backends: backendRequest() });
}

/** The loss curves and bars of a finished run, from its report. */
export function finishedProgress(report: Report | null, config: Config): LabState['progress'] {
  const progress: LabState['progress'] = {};
  for (const [m, r] of Object.entries(report?.runs[0]?.models ?? {})) {
    if (r) progress[m as keyof typeof progress] = { step: r.steps, totalSteps: r.epochsRun ? (r.steps / r.epochsRun) * config.epochs : r.steps, epoch: Math.max(0, r.epochsRun - 1), losses: r.losses, finished: true };
  }
  const bi = report?.runs[0]?.baselines.biencoder;
  if (bi) progress.biencoder = { step: bi.steps, totalSteps: bi.steps, epoch: Math.max(0, bi.epochsRun - 1), losses: [], finished: true };
  return progress;
}

export const runSlice: StateCreator<LabState, [], [], RunSlice> = (set, get, store) => ({
  plan: null,
  status: 'idle',
  error: null,
  runId: 0,
  progress: {},
  models: {},
  report: null,
  without: null,
  trainedConfig: null,
  tensors: null,
  startedAt: 0,
  elapsed: 0,
  stored: null,
  train: () => {
    if (refusedWhileBusy(store, 'Training')) return;
    const { config, dataset } = get();
    // A real catalogue loaded as the Lab's world trains as imported data.
    const data = importedDataOf(config);
    if (data && dataset.status === 'ready' && dataset.summary?.name === data.name) {
      get().trainData(1);
      set({ trainedConfig: get().config });
      return;
    }
    if (refusedOnImported(store, 'Training')) return;
    startRun(store, config, [config.seed]);
  },
  confirmRun: (start) => {
    const { runId, plan, sweep } = get();
    if (!plan?.needsConfirm || plan.runId !== runId) return;
    const now = performance.now();
    set({ plan: { ...plan, needsConfirm: false }, startedAt: now, sweep: isBusy(sweep.status) ? { ...sweep, startedAt: now } : sweep });
    send({ type: 'confirm', runId, start });
  },
  stop: () => {
    const { runId, status } = get();
    if (isBusy(status)) send({ type: 'stop', runId });
  },
  reset: () => {
    get().stop();
    clearQueuedProgress();
    const { preset, runId } = get();
    set({ config: presetValues(preset), runId: runId + 1, status: 'idle', error: null, progress: {}, models: {}, report: null, without: null, tensors: null, trainedConfig: null });
  },
});
