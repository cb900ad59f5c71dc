/**
 * All app state in one zustand store: the knobs (mirrored in the URL), the worker's
 * backend and progress, and the results as they arrive. The UI renders this state and
 * sends commands; training happens in the lab worker.
 */
import { create } from 'zustand';
import { BACKENDS, type BackendAttempt, type BackendName } from '../engine/backend';
import type { Config, ConfigKey } from '../engine/config';
import type { ExperimentEvent } from '../engine/experiment';
import { presetValues } from '../engine/presets';
import { MODELS, type ModelName, type ModelReport, type Report } from '../engine/report';
import type { Sweep } from '../engine/sweep';
import type { BackendChoice, BackendRequest, FromWorker, ToWorker, WasmThreads } from '../worker/protocol';
import { parseUrl, toQuery } from './url';

export type Status = 'idle' | 'starting' | 'training' | 'done' | 'stopped' | 'error';

export interface ModelProgress {
  step: number;
  totalSteps: number;
  epoch: number;
  losses: { step: number; loss: number }[];
  finished: boolean;
}

export type View = 'lab' | 'sweeps' | 'findings';

export interface SweepState {
  status: Status;
  sweep: Sweep | null;
  /** The full report of each finished point, to open it in the lab. */
  reports: Report[];
  /** Models trained so far and in all. */
  done: number;
  total: number;
  startedAt: number;
  elapsed: number;
  error: string | null;
}

export interface SweepRequest {
  config: Config;
  key: ConfigKey;
  values: Config[ConfigKey][];
  seeds: number;
  experiment: string | null;
}

export interface LabState {
  view: View;
  config: Config;
  preset: string;
  notices: string[];
  backend: { name: BackendName; attempts: BackendAttempt[]; note?: string; choice?: BackendChoice & { cached: boolean }; wasm: WasmThreads } | null;
  /** The run's expected training time on the chosen backend (and whether it waits for a yes). */
  plan: Extract<FromWorker, { type: 'plan' }> | null;
  status: Status;
  error: string | null;
  runId: number;
  progress: Partial<Record<ModelName, ModelProgress>>;
  models: Partial<Record<ModelName, ModelReport>>;
  report: Report | null;
  /** With an ablation on: Gen_R+S on the same world without it. */
  without: Report | null;
  sweep: SweepState;
  /** The config the shown results were trained with. */
  trainedConfig: Config | null;
  tensors: { after: number; before: number } | null;
  startedAt: number;
  elapsed: number;
  colorBy: 'topic' | 'cluster';
  setView: (v: View) => void;
  setKnob: (key: ConfigKey, value: Config[ConfigKey]) => void;
  runSweep: (r: SweepRequest) => void;
  stopSweep: () => void;
  /** Shows a finished sweep point's full results in the lab. */
  openPoint: (index: number) => void;
  applyPreset: (name: string) => void;
  setColorBy: (c: 'topic' | 'cluster') => void;
  dismissNotices: () => void;
  train: () => void;
  /** Answers a plan that asked before a long run. */
  confirmRun: (start: boolean) => void;
  stop: () => void;
  reset: () => void;
}

let worker: Worker | null = null;

function getWorker(): Worker {
  if (!worker) {
    worker = new Worker(new URL('../worker/lab.worker.ts', import.meta.url), { type: 'module' });
    worker.onmessage = (e: MessageEvent<FromWorker>) => onWorkerMessage(e.data);
    worker.onerror = (e) => useLab.setState({ status: 'error', error: `the training worker failed: ${e.message || 'unknown error'}` });
  }
  return worker;
}

function send(m: ToWorker) {
  getWorker().postMessage(m);
}

/** Measured backend choices, per device and step shape, kept across visits. */
const CHOICES_KEY = 'bridge-lab:backend-choices';

function storedChoices(): Record<string, BackendChoice> {
  try {
    return JSON.parse(localStorage.getItem(CHOICES_KEY) ?? '{}') as Record<string, BackendChoice>;
  } catch {
    return {};
  }
}

function storeChoice(key: string, choice: BackendChoice): void {
  try {
    localStorage.setItem(CHOICES_KEY, JSON.stringify({ ...storedChoices(), [key]: choice }));
  } catch { /* storage unavailable: measure again next time */ }
}

/** `backend=` in the URL forces one backend; otherwise the worker measures. */
function backendRequest(): BackendRequest {
  if (initial.backend) return { mode: 'forced', order: BACKENDS.slice(BACKENDS.indexOf(initial.backend)) };
  return { mode: 'measure', cache: storedChoices() };
}

/** Most loss points kept per model for the live chart (older ones are thinned). */
const MAX_LOSS_POINTS = 400;

function appendLoss(losses: { step: number; loss: number }[], point: { step: number; loss: number }) {
  const next = [...losses, point];
  return next.length > MAX_LOSS_POINTS ? next.filter((_, i) => i % 2 === 0 || i === next.length - 1) : next;
}

// Progress arrives every few steps; the page applies it at most every 100 ms, in one
// state change, so that a fast backend cannot keep the main thread busy re-rendering.
let queuedTrain: Extract<ExperimentEvent, { type: 'train' }>[] = [];
let flushTimer: ReturnType<typeof setTimeout> | null = null;

function flushTrainEvents() {
  flushTimer = null;
  if (!queuedTrain.length) return;
  const s = useLab.getState();
  const progress = { ...s.progress };
  for (const event of queuedTrain) {
    const p = progress[event.model] ?? { step: 0, totalSteps: 0, epoch: 0, losses: [], finished: false };
    progress[event.model] = { ...p, step: event.progress.step, totalSteps: event.progress.totalSteps, epoch: event.progress.epoch, losses: appendLoss(p.losses, { step: event.progress.step, loss: event.progress.loss }) };
  }
  queuedTrain = [];
  useLab.setState({ status: 'training', elapsed: (performance.now() - s.startedAt) / 1000, progress });
}

function onEvent(event: ExperimentEvent) {
  if (event.type === 'train') {
    queuedTrain.push(event);
    flushTimer ??= setTimeout(flushTrainEvents, 100);
    return;
  }
  if (event.type === 'model') {
    flushTrainEvents();
    const s = useLab.getState();
    const p = s.progress[event.model];
    useLab.setState({
      models: { ...s.models, [event.model]: event.report },
      progress: { ...s.progress, [event.model]: { ...(p ?? { step: 0, totalSteps: 0, epoch: 0, losses: [] }), step: event.report.steps, totalSteps: p?.totalSteps ?? event.report.steps, finished: true } },
    });
  }
}

function onWorkerMessage(m: FromWorker) {
  const s = useLab.getState();
  if (m.type === 'backend') {
    if (m.choice && !m.choice.cached) storeChoice(m.choice.cacheKey, m.choice);
    useLab.setState({ backend: { name: m.backend, attempts: m.attempts, note: m.note, choice: m.choice, wasm: m.wasm } });
    return;
  }
  if (m.runId !== s.runId) return; // a message from a run the user has left
  if (s.sweep.status === 'training' || s.sweep.status === 'starting') return onSweepMessage(m);
  if (m.type === 'plan') useLab.setState({ plan: m });
  else if (m.type === 'cancelled') useLab.setState({ status: 'idle', plan: null, trainedConfig: null });
  else if (m.type === 'event') onEvent(m.event);
  else if (m.type === 'done') {
    flushTrainEvents();
    useLab.setState({
      report: m.report,
      without: m.without,
      models: m.report.runs[0]?.models ?? s.models,
      status: m.report.stopped ? 'stopped' : 'done',
      tensors: { after: m.tensors, before: m.tensorsBefore },
      elapsed: (performance.now() - s.startedAt) / 1000,
    });
  } else if (m.type === 'error') useLab.setState({ status: 'error', error: m.message });
}

function onSweepMessage(m: FromWorker) {
  const sw = useLab.getState().sweep;
  const elapsed = (performance.now() - sw.startedAt) / 1000;
  if (m.type === 'event' && m.event.type === 'model') useLab.setState({ sweep: { ...sw, status: 'training', done: sw.done + 1, elapsed } });
  else if (m.type === 'event') { if (sw.status === 'starting') useLab.setState({ sweep: { ...sw, status: 'training', elapsed } }); }
  else if (m.type === 'sweepPoint') useLab.setState({ sweep: { ...sw, sweep: m.sweep, reports: [...sw.reports, m.report], elapsed } });
  else if (m.type === 'sweepDone') useLab.setState({ sweep: { ...sw, sweep: m.sweep, status: m.sweep.complete ? 'done' : 'stopped', elapsed }, tensors: { after: m.tensors, before: m.tensorsBefore } });
  else if (m.type === 'error') useLab.setState({ sweep: { ...sw, status: 'error', error: m.message } });
}

const idleSweep: SweepState = { status: 'idle', sweep: null, reports: [], done: 0, total: 0, startedAt: 0, elapsed: 0, error: null };

const initial = parseUrl(typeof location === 'undefined' ? '' : location.search);

export const useLab = create<LabState>((set, get) => ({
  view: initial.view,
  config: initial.config,
  preset: initial.preset,
  notices: initial.notices,
  backend: null,
  plan: null,
  status: 'idle',
  error: null,
  runId: 0,
  progress: {},
  models: {},
  report: null,
  without: null,
  sweep: idleSweep,
  trainedConfig: null,
  tensors: null,
  startedAt: 0,
  elapsed: 0,
  colorBy: 'topic',
  setView: (view) => set({ view }),
  setKnob: (key, value) => set({ config: { ...get().config, [key]: value } }),
  runSweep: (r) => {
    const { runId, sweep, status } = get();
    if (['training', 'starting'].includes(sweep.status) || ['training', 'starting'].includes(status)) return;
    const id = runId + 1;
    const seeds = Array.from({ length: r.seeds }, (_, i) => r.config.seed + i);
    set({ runId: id, sweep: { ...idleSweep, status: 'starting', total: r.values.length * r.seeds * MODELS.length, startedAt: performance.now() } });
    send({ type: 'sweep', runId: id, config: r.config, key: r.key, values: r.values, seeds, experiment: r.experiment, backends: backendRequest() });
  },
  stopSweep: () => {
    const { runId, sweep } = get();
    if (sweep.status === 'training' || sweep.status === 'starting') send({ type: 'stop', runId });
  },
  openPoint: (index) => {
    const { sweep } = get();
    const report = sweep.reports[index];
    if (!report) return;
    const config = { ...report.config };
    set({ view: 'lab', config, trainedConfig: config, report, without: null, models: report.runs[0]?.models ?? {}, status: 'done', error: null, progress: {} });
  },
  applyPreset: (name) => set({ preset: name, config: { ...presetValues(name), seed: get().config.seed } }),
  setColorBy: (colorBy) => set({ colorBy }),
  dismissNotices: () => set({ notices: [] }),
  train: () => {
    const { config, runId, status } = get();
    if (status === 'training' || status === 'starting') return;
    const id = runId + 1;
    if (get().sweep.status === 'training' || get().sweep.status === 'starting') return;
    queuedTrain = [];
    set({ runId: id, status: 'starting', error: null, plan: null, progress: {}, models: {}, report: null, without: null, tensors: null, trainedConfig: config, startedAt: performance.now(), elapsed: 0 });
    send({ type: 'run', runId: id, config, seeds: [config.seed], backends: backendRequest() });
  },
  confirmRun: (start) => {
    const { runId, plan } = get();
    if (!plan?.needsConfirm || plan.runId !== runId) return;
    set({ plan: { ...plan, needsConfirm: false }, startedAt: performance.now() });
    send({ type: 'confirm', runId, start });
  },
  stop: () => {
    const { runId, status } = get();
    if (status === 'training' || status === 'starting') send({ type: 'stop', runId });
  },
  reset: () => {
    get().stop();
    queuedTrain = [];
    const { preset, runId } = get();
    set({ config: presetValues(preset), runId: runId + 1, status: 'idle', error: null, progress: {}, models: {}, report: null, without: null, tensors: null, trainedConfig: null });
  },
}));

// Keep the URL in step with the knobs, so a link reproduces the world and the run.
useLab.subscribe((s, prev) => {
  if (typeof history === 'undefined') return;
  if (s.config !== prev.config || s.preset !== prev.preset || s.view !== prev.view) history.replaceState(null, '', `${location.pathname}${toQuery(s.config, s.preset, s.view)}`);
});

export const autorunFromUrl = initial.autorun;

// Test hooks (used by the browser tests): simulate a lost WebGPU device in the worker;
// read the last report.
if (typeof window !== 'undefined') {
  (window as unknown as { __bridgeLab: unknown }).__bridgeLab = { loseDevice: () => send({ type: 'loseDevice' }), report: () => useLab.getState().report };
}
