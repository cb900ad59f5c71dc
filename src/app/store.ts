/**
 * All app state in one zustand store: the knobs (mirrored in the URL), the worker's
 * backend and progress, and the results as they arrive. The UI renders this state and
 * sends commands; training happens in the lab worker.
 */
import { create } from 'zustand';
import { BACKENDS, type BackendAttempt, type BackendName } from '../engine/core/backends';
import { defaultConfig, importedDataOf, knobsFromReport, withImportedDefaults, type Config, type ConfigKey } from '../engine/core/config';
import type { ExperimentEvent } from '../engine/run/experiment';
import { presetValues } from '../engine/core/presets';
import { checkFileSize } from '../engine/data/csv';
import { forgetChoice, readChoices, rememberChoice } from './backend-cache';
import { LIVE_SEEDS, lessonConfig, lessonWorld, type StoredLessonRun } from '../engine/studies/lessons';
import { MODELS, type ModelName, type ModelReport, type Report } from '../engine/core/report';
import type { Sweep, Value as SweepValue } from '../engine/studies/sweep';
import type { BackendChoice, BackendRequest, DataSummary, FromWorker, ToWorker, WasmThreads } from '../worker/protocol';
import { realWorld } from './real-worlds';
import { parseUrl } from './url';
import { connectWorker, replaceWorker, send } from './worker-client';

export type Status = 'idle' | 'starting' | 'training' | 'done' | 'stopped' | 'error';

export interface ModelProgress {
  step: number;
  totalSteps: number;
  epoch: number;
  losses: { step: number; loss: number }[];
  finished: boolean;
}

export type View = 'lab' | 'lesson' | 'data' | 'sweeps' | 'findings' | 'compare';

/** Where results shown came from when they were not trained in this page. */
export interface StoredSource { createdAt: string; command: string; seeds: number[]; /** Set when opened from a file: its name. */ file?: string }

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
  /** Set when the sweep shown was opened from a file. */
  opened?: StoredSource;
}

export interface SweepRequest {
  config: Config;
  key: ConfigKey;
  values: SweepValue[];
  seeds: number;
  experiment: string | null;
}

export interface LabState {
  view: View;
  config: Config;
  preset: string;
  notices: string[];
  /** Why the last action was refused (one job at a time), until dismissed or the next job. */
  refusal: string | null;
  backend: { name: BackendName; attempts: BackendAttempt[]; note?: string; choice?: BackendChoice & { cacheKey: string; cached: boolean }; wasm: WasmThreads } | null;
  /** The run's expected training time on the chosen backend (and whether it waits for a yes). */
  plan: Extract<FromWorker, { type: 'plan' }> | null;
  status: Status;
  error: string | null;
  runId: number;
  /** Per model, and the bi-encoder reference (`biencoder`: it trains first). */
  progress: Partial<Record<ModelName | 'biencoder', ModelProgress>>;
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
  /** The lesson step shown (0-based). */
  lessonStep: number;
  /** Presenter view: no settings panel, large type. */
  present: boolean;
  /** Set while the Lab shows a stored run (npm run lessons) instead of a live one. */
  stored: StoredSource | null;
  /** Lesson worlds retrained live in this page, by world id (they replace the stored runs). */
  lessonLive: Record<string, Report>;
  /** Reports opened from files in this page (the Compare view offers them), newest last. */
  openedReports: { name: string; report: Report }[];
  /** Why the last opened file was refused. */
  openError: string | null;
  /** The Compare view's two runs: `current`, `lesson:<world>` or `file:<name>`. */
  compare: { a: string; b: string };
  setCompare: (c: { a: string; b: string }) => void;
  /** The lesson's live training in progress: its worlds, in order, and which one is training. */
  lessonRun: { worlds: string[]; index: number } | null;
  /** Your data: the catalogue loaded from files (parsed in the worker), and its run. */
  dataset: { status: 'idle' | 'parsing' | 'ready' | 'error'; summary: DataSummary | null; error: string | null; report: Report | null; runId: number };
  /** Reads the three files and has the worker parse them. */
  importFiles: (files: File[]) => Promise<void>;
  /** Stops an import in progress: the worker is replaced (parsing cannot be interrupted). */
  stopImport: () => void;
  /** Trains the three models on the loaded catalogue. */
  trainData: (seeds?: number) => void;
  /** Loads a real catalogue shipped with the page (real-worlds.ts) as the Lab's world. */
  loadRealWorld: (id: string) => Promise<void>;
  setView: (v: View) => void;
  setLessonStep: (step: number) => void;
  /** Retrains the given lesson worlds in the worker, one after the other. */
  trainLesson: (worlds: string[]) => void;
  /** Shows a lesson world in the Lab, with its stored or live results. */
  openWorldInLab: (world: string, stored: StoredLessonRun | null) => void;
  setKnob: (key: ConfigKey, value: Config[ConfigKey]) => void;
  runSweep: (r: SweepRequest) => void;
  stopSweep: () => void;
  /** Shows a finished sweep point's full results in the lab. */
  openPoint: (index: number) => void;
  /** Opens a results file (report.json: the Lab; sweep.json: Sweeps), checked against the contract. */
  openResults: (name: string, text: string) => Promise<void>;
  applyPreset: (name: string) => void;
  setColorBy: (c: 'topic' | 'cluster') => void;
  dismissNotices: () => void;
  /** A problem with what the address asked for, found by the view that knows (e.g. a step past the lesson's last). */
  addNotice: (text: string) => void;
  train: () => void;
  /** Answers a plan that asked before a long run. */
  confirmRun: (start: boolean) => void;
  stop: () => void;
  reset: () => void;
}

/** `backend=` in the URL forces one backend; otherwise the worker measures. */
function backendRequest(): BackendRequest {
  if (initial.backend) return { mode: 'forced', order: BACKENDS.slice(BACKENDS.indexOf(initial.backend)) };
  return { mode: 'measure', cache: readChoices() };
}

/** Most loss points kept per model for the live chart (older ones are thinned). */
const MAX_LOSS_POINTS = 400;

function appendLoss(losses: { step: number; loss: number }[], point: { step: number; loss: number }) {
  const next = [...losses, point];
  return next.length > MAX_LOSS_POINTS ? next.filter((_, i) => i % 2 === 0 || i === next.length - 1) : next;
}

// Progress arrives every few steps; the page applies it at most every 100 ms, in one
// state change, so that a fast backend cannot keep the main thread busy re-rendering.
let queuedTrain: Extract<ExperimentEvent, { type: 'train' | 'reference' }>[] = [];
let flushTimer: ReturnType<typeof setTimeout> | null = null;

function flushTrainEvents() {
  flushTimer = null;
  if (!queuedTrain.length) return;
  const s = useLab.getState();
  const progress = { ...s.progress };
  for (const event of queuedTrain) {
    // Every bi-encoder (the reference, or one trained for semantic IDs) shows as one bar; a model's first step ends it.
    const key = event.type === 'train' ? event.model : 'biencoder';
    const p = progress[key] ?? { step: 0, totalSteps: 0, epoch: 0, losses: [], finished: false };
    progress[key] = { ...p, step: event.progress.step, totalSteps: event.progress.totalSteps, epoch: event.progress.epoch, losses: appendLoss(p.losses, { step: event.progress.step, loss: event.progress.loss }) };
    if (event.type === 'train' && progress.biencoder && !progress.biencoder.finished) progress.biencoder = { ...progress.biencoder, finished: true };
  }
  queuedTrain = [];
  useLab.setState({ status: 'training', elapsed: (performance.now() - s.startedAt) / 1000, progress });
}

function onEvent(event: ExperimentEvent) {
  if (event.type === 'train' || event.type === 'reference') {
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

function onWorkerMessage(m: Exclude<FromWorker, { type: 'kernelChecks' }>) {
  const s = useLab.getState();
  if (m.type === 'backend') {
    if (m.choice && !m.choice.cached) rememberChoice(m.choice.cacheKey, m.choice);
    // A fallback (a lost device, a backend that failed) makes the remembered choice suspect.
    const before = s.backend?.choice?.cacheKey;
    if (m.note && before) forgetChoice(before);
    useLab.setState({ backend: { name: m.backend, attempts: m.attempts, note: m.note, choice: m.choice, wasm: m.wasm } });
    return;
  }
  if (m.runId !== s.runId) return; // a message from a run the user has left
  if (s.sweep.status === 'training' || s.sweep.status === 'starting') return onSweepMessage(m);
  if (m.type === 'dataSummary' || m.type === 'dataError') {
    if (m.runId !== s.dataset.runId) return;
    useLab.setState({ dataset: { ...s.dataset, status: m.type === 'dataSummary' ? 'ready' : 'error', summary: m.type === 'dataSummary' ? m.summary : null, error: m.type === 'dataError' ? m.message : null, report: null } });
    return;
  }
  if (m.type === 'done' && m.runId === s.dataset.runId) useLab.setState({ dataset: { ...s.dataset, report: m.report } });
  if (s.lessonRun && (m.type === 'done' || m.type === 'error' || m.type === 'cancelled')) onLessonMessage(m);
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
  } else if (m.type === 'error') {
    if (s.backend?.choice?.cacheKey) forgetChoice(s.backend.choice.cacheKey); // measure again next time
    useLab.setState({ status: 'error', error: m.message });
  }
}

/** Knobs the browser tests lay over the lesson's worlds (test hook `shrinkLessonWorlds`),
 *  so that Train live runs on tiny worlds there; empty for every user. */
let lessonTestOverrides: Partial<Config> = {};
const liveLessonConfig = (world: string): Config => ({ ...lessonConfig(lessonWorld(world)), ...lessonTestOverrides });

/** A lesson world finished (or failed): keep its report and start the next world. */
function onLessonMessage(m: FromWorker) {
  const { lessonRun, lessonLive } = useLab.getState();
  if (!lessonRun) return;
  const world = lessonRun.worlds[lessonRun.index];
  if (m.type !== 'done' || m.report.stopped) {
    useLab.setState({ lessonRun: null });
    return;
  }
  const live = { ...lessonLive, [world]: m.report };
  const next = lessonRun.index + 1;
  if (next >= lessonRun.worlds.length) {
    useLab.setState({ lessonLive: live, lessonRun: null });
    return;
  }
  useLab.setState({ lessonLive: live, lessonRun: { ...lessonRun, index: next } });
  // After this message's own state change, train the next world.
  setTimeout(() => startRun(liveLessonConfig(lessonRun.worlds[next]), LIVE_SEEDS), 0);
}

/** Starts a run of `config` for `seeds` in the worker (the Lab's Train, and the lesson's). */
function startRun(config: Config, seeds: number[]) {
  const { runId } = useLab.getState();
  const id = runId + 1;
  queuedTrain = [];
  useLab.setState({ runId: id, status: 'starting', error: null, refusal: null, plan: null, progress: {}, models: {}, report: null, without: null, tensors: null, trainedConfig: config, stored: null, startedAt: performance.now(), elapsed: 0 });
  send({ type: 'run', runId: id, config, seeds, backends: backendRequest() });
}

function onSweepMessage(m: FromWorker) {
  const sw = useLab.getState().sweep;
  const elapsed = (performance.now() - sw.startedAt) / 1000;
  if (m.type === 'plan') useLab.setState({ plan: m });
  else if (m.type === 'cancelled') useLab.setState({ plan: null, sweep: { ...sw, status: 'idle' } });
  else if (m.type === 'event' && m.event.type === 'model') useLab.setState({ sweep: { ...sw, status: 'training', done: sw.done + 1, elapsed } });
  else if (m.type === 'event') { if (sw.status === 'starting') useLab.setState({ sweep: { ...sw, status: 'training', elapsed } }); }
  else if (m.type === 'sweepPoint') useLab.setState({ sweep: { ...sw, sweep: m.sweep, reports: [...sw.reports, m.report], elapsed } });
  else if (m.type === 'sweepDone') useLab.setState({ sweep: { ...sw, sweep: m.sweep, status: m.sweep.complete ? 'done' : 'stopped', elapsed }, tensors: { after: m.tensors, before: m.tensorsBefore } });
  else if (m.type === 'error') useLab.setState({ sweep: { ...sw, status: 'error', error: m.message } });
}

const isBusy = (status: Status) => status === 'training' || status === 'starting';

/** The job the worker is on, in words, or null when it is free. */
function runningJob(s: LabState): string | null {
  if (isBusy(s.sweep.status)) return 'a sweep is running';
  if (isBusy(s.status)) return s.lessonRun ? 'the lesson is training live' : 'a run is training';
  if (s.dataset.status === 'parsing') return 'files are being imported';
  return null;
}

/** Whether the worker is on a job (a run, a sweep, the lesson's live training, an import). */
export function jobRunning(): boolean {
  return runningJob(useLab.getState()) !== null;
}

/** One job at a time: an action that would start or replace work while a job runs is
 *  refused with a notice that says why and what to do (returns true when refused). */
function refusedWhileBusy(action: string): boolean {
  const s = useLab.getState();
  const job = runningJob(s);
  if (!job) return false;
  useLab.setState({ refusal: `${action} did not start: ${job}. Stop it or wait for it to finish, then try again.` });
  return true;
}

/** The settings of a run opened from a file made on imported data: there is no simulated
 *  world to train, and this page does not hold the files (returns true when refused). */
function refusedOnImported(action: string): boolean {
  const data = importedDataOf(useLab.getState().config);
  if (!data) return false;
  useLab.setState({ refusal: `${action} did not start: these settings come from a run on imported data ("${data.name}"), which this page does not hold. Load its files in Your data to train on them, or pick a preset for a simulated world.` });
  return true;
}

/** The Lab showing a finished report that was not trained here (a results file, a stored real-data run): its own knobs, labelled by where it came from. */
function openedInLab(report: Report, stored: StoredSource): Partial<LabState> {
  const config = knobsFromReport(report.config as unknown as Record<string, unknown>);
  return { view: 'lab', config, trainedConfig: config, report, without: null, models: report.runs[0]?.models ?? {}, status: 'done', error: null, progress: finishedProgress(report, config), stored };
}

/** The loss curves and bars of a finished run, from its report. */
function finishedProgress(report: Report | null, config: Config): LabState['progress'] {
  const progress: LabState['progress'] = {};
  for (const [m, r] of Object.entries(report?.runs[0]?.models ?? {})) {
    if (r) progress[m as ModelName] = { step: r.steps, totalSteps: r.epochsRun ? (r.steps / r.epochsRun) * config.epochs : r.steps, epoch: Math.max(0, r.epochsRun - 1), losses: r.losses, finished: true };
  }
  const bi = report?.runs[0]?.baselines.biencoder;
  if (bi) progress.biencoder = { step: bi.steps, totalSteps: bi.steps, epoch: Math.max(0, bi.epochsRun - 1), losses: [], finished: true };
  return progress;
}

/** Public dataset layouts the page recognises by their file names. */
const PUBLIC_LAYOUTS: { format: 'movielens' | 'kuaisar'; required: string[]; optional: string[] }[] = [
  { format: 'movielens', required: ['movies.csv', 'ratings.csv'], optional: ['tags.csv', 'queries.csv'] },
  { format: 'kuaisar', required: ['item_features.csv', 'rec_inter.csv', 'src_inter.csv'], optional: [] },
];

const idleSweep: SweepState = { status: 'idle', sweep: null, reports: [], done: 0, total: 0, startedAt: 0, elapsed: 0, error: null };

const initial = parseUrl(typeof location === 'undefined' ? '' : location.search);

export const useLab = create<LabState>((set, get) => ({
  view: initial.view,
  config: initial.config,
  preset: initial.preset,
  notices: initial.notices,
  refusal: null,
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
  lessonStep: initial.step,
  present: initial.present,
  stored: null,
  lessonLive: {},
  openedReports: [],
  openError: null,
  compare: initial.compare,
  setCompare: (compare) => set({ compare }),
  lessonRun: null,
  dataset: { status: 'idle', summary: null, error: null, report: null, runId: 0 },
  importFiles: async (files) => {
    if (refusedWhileBusy('Importing files')) return;
    const byName = (n: string) => files.find((f) => f.name.toLowerCase() === n);
    const id = get().runId + 1;
    // A public dataset's own files (MovieLens, KuaiSAR) are converted in the worker first, as the runner's --convert does.
    const layout = PUBLIC_LAYOUTS.find((l) => l.required.every((n) => byName(n)));
    const names = layout ? [...layout.required, ...layout.optional.filter((n) => byName(n))] : ['items.csv', 'queries.csv', 'sessions.csv'];
    const missing = names.filter((n) => !byName(n));
    if (missing.length) {
      set({ runId: id, dataset: { status: 'error', summary: null, report: null, runId: id, error: `missing ${missing.join(', ')}: choose the three files items.csv, queries.csv and sessions.csv, or a public dataset's own files (${PUBLIC_LAYOUTS.map((l) => `${l.format}: ${l.required.join(', ')}`).join('; ')}); got ${files.map((f) => f.name).join(', ') || 'none'}` } });
      return;
    }
    // Sizes are checked in bytes before anything is read.
    try {
      for (const n of names) checkFileSize(n, byName(n)!.size);
    } catch (e) {
      set({ runId: id, dataset: { status: 'error', summary: null, report: null, runId: id, error: `${(e as Error).message}${layout ? ' (a larger dump converts with the runner: npm run experiment -- --convert, then open its folder here)' : ''}` } });
      return;
    }
    set({ runId: id, dataset: { status: 'parsing', summary: null, error: null, report: null, runId: id } });
    const texts = await Promise.all(names.map((n) => byName(n)!.text()));
    const config = get().config;
    if (layout) send({ type: 'importData', runId: id, name: `${layout.format} (converted)`, files: { items: '', queries: '', sessions: '' }, config, convert: { format: layout.format, files: Object.fromEntries(names.map((n, i) => [n, texts[i]])) } });
    else send({ type: 'importData', runId: id, name: 'your data', files: { items: texts[0], queries: texts[1], sessions: texts[2] }, config });
  },
  stopImport: () => {
    if (get().dataset.status !== 'parsing') return;
    replaceWorker(); // the next job starts a fresh worker (its backend choice is remembered)
    const runId = get().runId + 1;
    set({ runId, backend: null, dataset: { status: 'idle', summary: null, error: 'Import stopped: no catalogue is loaded.', report: null, runId } });
  },
  loadRealWorld: async (id) => {
    const world = realWorld(id);
    if (!world || refusedWhileBusy(`Loading ${world?.name ?? id}`)) return;
    const names = ['items.csv', 'queries.csv', 'sessions.csv'] as const;
    const runId = get().runId + 1;
    const base = { ...get().config } as Record<string, unknown>;
    delete base.data;
    // The simulation's knobs are set aside (disabled) while a real catalogue is the world.
    const config = { ...withImportedDefaults(base as unknown as Config, () => false), data: { name: world.name } } as unknown as Config;
    set({ view: 'lab', runId, config, report: null, without: null, models: {}, progress: {}, status: 'idle', trainedConfig: null, stored: null, error: null,
      dataset: { status: 'parsing', summary: null, error: null, report: null, runId } });
    let texts: string[];
    try {
      texts = await Promise.all(names.map(async (n) => {
        const r = await fetch(`${world.folder}${n}`);
        if (!r.ok) throw new Error(`${world.folder}${n}: ${r.status} ${r.statusText}`);
        return r.text();
      }));
    } catch (e) {
      set({ dataset: { status: 'error', summary: null, report: null, runId, error: `${world.name} could not be loaded (${e instanceof Error ? e.message : e}); the page needs to be served with its data/ folder` } });
      return;
    }
    if (get().runId !== runId) return; // left meanwhile
    send({ type: 'importData', runId, name: world.name, files: { items: texts[0], queries: texts[1], sessions: texts[2] }, config });
  },
  trainData: (seeds = 1) => {
    const { config, dataset } = get();
    if (refusedWhileBusy('Training on your files') || dataset.status !== 'ready') return;
    const id = get().runId + 1;
    queuedTrain = [];
    set({ runId: id, status: 'starting', error: null, refusal: null, plan: null, progress: {}, models: {}, report: null, without: null, tensors: null, stored: null, startedAt: performance.now(), elapsed: 0, dataset: { ...dataset, report: null, runId: id } });
    // Imported catalogues' own defaults (core/config.ts IMPORTED_DEFAULTS), unless the knob was moved.
    const dataConfig = withImportedDefaults(config, (k) => config[k] !== defaultConfig()[k]);
    send({ type: 'runData', runId: id, config: dataConfig, seeds: Array.from({ length: seeds }, (_, i) => config.seed + i), backends: backendRequest() });
  },
  setView: (view) => set({ view }),
  setLessonStep: (step) => set({ lessonStep: step }),
  trainLesson: (worlds) => {
    if (refusedWhileBusy('Training the lesson live') || !worlds.length || worlds.some((w) => lessonWorld(w).data)) return;
    set({ lessonRun: { worlds, index: 0 } });
    startRun(liveLessonConfig(worlds[0]), LIVE_SEEDS);
  },
  openWorldInLab: (world, storedRun) => {
    if (refusedWhileBusy('Opening a lesson world in the Lab')) return;
    const w = lessonWorld(world);
    if (w.data) {
      // A real catalogue: its stored run opens as a results file does; without one, the catalogue loads to train.
      if (!storedRun) { void get().loadRealWorld(w.data); return; }
      set(openedInLab(storedRun.report, { createdAt: storedRun.createdAt, command: storedRun.command, seeds: storedRun.report.seeds }));
      return;
    }
    const config = lessonConfig(w);
    const report = get().lessonLive[world] ?? storedRun?.report ?? null;
    const stored = !get().lessonLive[world] && storedRun ? { createdAt: storedRun.createdAt, command: storedRun.command, seeds: storedRun.report.seeds } : null;
    const progress = finishedProgress(report, config);
    set({ view: 'lab', preset: w.preset, config, trainedConfig: report ? config : null, report, without: null, models: report?.runs[0]?.models ?? {}, status: report ? 'done' : 'idle', stored, error: null, progress });
  },
  setKnob: (key, value) => set({ config: { ...get().config, [key]: value } }),
  runSweep: (r) => {
    if (refusedWhileBusy('The sweep') || refusedOnImported('The sweep')) return;
    const { runId } = get();
    const id = runId + 1;
    const seeds = Array.from({ length: r.seeds }, (_, i) => r.config.seed + i);
    set({ runId: id, refusal: null, sweep: { ...idleSweep, status: 'starting', total: r.values.length * r.seeds * MODELS.length, startedAt: performance.now() } });
    send({ type: 'sweep', runId: id, config: r.config, key: r.key, values: r.values, seeds, experiment: r.experiment, backends: backendRequest() });
  },
  stopSweep: () => {
    const { runId, sweep } = get();
    if (sweep.status === 'training' || sweep.status === 'starting') send({ type: 'stop', runId });
  },
  openPoint: (index) => {
    // Finished points open while the sweep goes on; not over a Lab run in progress.
    if (isBusy(get().status) && refusedWhileBusy('Opening a sweep point in the Lab')) return;
    const report = get().sweep.reports[index];
    if (!report) return;
    const config = knobsFromReport(report.config as unknown as Record<string, unknown>);
    set({ view: 'lab', config, trainedConfig: config, report, without: null, models: report.runs[0]?.models ?? {}, status: 'done', error: null, progress: {} });
  },
  openResults: async (name, text) => {
    if (refusedWhileBusy(`Opening ${name}`)) return;
    let opened: import('../engine/studies/open-file').ResultsFile;
    try {
      // The contract check loads on demand: a first visit does not carry it.
      const { parseResultsFile } = await import('../engine/studies/open-file');
      opened = parseResultsFile(name, text);
    } catch (e) {
      set({ openError: e instanceof Error ? e.message : String(e) });
      return;
    }
    if (opened.kind === 'sweep') {
      const sw = opened.sweep;
      set({ view: 'sweeps', openError: null, sweep: { ...idleSweep, status: sw.stopped ? 'stopped' : 'done', sweep: sw, opened: { file: name, createdAt: sw.createdAt, command: sw.command ?? '', seeds: sw.seeds } } });
      return;
    }
    const report = opened.report;
    set({
      ...openedInLab(report, { file: name, createdAt: report.createdAt, command: report.command ?? '', seeds: report.seeds }),
      openError: null,
      openedReports: [...get().openedReports.filter((x) => x.name !== name), { name, report }],
    });
  },
  applyPreset: (name) => set({ preset: name, config: { ...presetValues(name), seed: get().config.seed } }),
  setColorBy: (colorBy) => set({ colorBy }),
  dismissNotices: () => set({ notices: [], refusal: null }),
  addNotice: (text) => set((s) => ({ notices: [...s.notices, text] })),
  train: () => {
    if (refusedWhileBusy('Training')) return;
    const { config, dataset } = get();
    // A real catalogue loaded as the Lab's world trains as imported data.
    const data = importedDataOf(config);
    if (data && dataset.status === 'ready' && dataset.summary?.name === data.name) {
      get().trainData(1);
      set({ trainedConfig: get().config });
      return;
    }
    if (refusedOnImported('Training')) return;
    startRun(config, [config.seed]);
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
    if (status === 'training' || status === 'starting') send({ type: 'stop', runId });
  },
  reset: () => {
    get().stop();
    queuedTrain = [];
    const { preset, runId } = get();
    set({ config: presetValues(preset), runId: runId + 1, status: 'idle', error: null, progress: {}, models: {}, report: null, without: null, tensors: null, trainedConfig: null });
  },
}));

export const autorunFromUrl = initial.autorun;
export const initialLink = initial;

connectWorker({ onMessage: onWorkerMessage, onError: (error) => useLab.setState({ status: 'error', error }) });

/** Test hooks: the lesson's worlds at a tiny size for Train live. */
export function shrinkLessonWorlds(o: Partial<Config>): void {
  lessonTestOverrides = o;
}
