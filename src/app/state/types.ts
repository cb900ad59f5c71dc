/**
 * The shape of the app's state: one interface per slice (state/*.ts builds each), and
 * `LabState`, their union, which is the one zustand store (store.ts).
 */
import type { StoreApi } from 'zustand';
import type { BackendAttempt, BackendName } from '../../engine/core/backends';
import type { Config, ConfigKey } from '../../engine/core/config';
import type { StoredLessonRun } from '../../engine/studies/lessons';
import type { ModelName, ModelReport, Report } from '../../engine/core/report';
import type { Sweep, Value as SweepValue } from '../../engine/studies/sweep';
import type { BackendChoice, DataSummary, FromWorker, WasmThreads } from '../../worker/protocol';

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

/** The Lab's world and what the page shows: knobs (mirrored in the URL), view, notices. */
export interface KnobsSlice {
  view: View;
  config: Config;
  preset: string;
  notices: string[];
  /** Why the last action was refused (one job at a time), until dismissed or the next job. */
  refusal: string | null;
  colorBy: 'topic' | 'cluster';
  setView: (v: View) => void;
  setKnob: (key: ConfigKey, value: Config[ConfigKey]) => void;
  applyPreset: (name: string) => void;
  setColorBy: (c: 'topic' | 'cluster') => void;
  dismissNotices: () => void;
  /** A problem with what the address asked for, found by the view that knows (e.g. a step past the lesson's last). */
  addNotice: (text: string) => void;
}

/** The worker's backend, as it reported it. */
export interface BackendSlice {
  backend: { name: BackendName; attempts: BackendAttempt[]; note?: string; choice?: BackendChoice & { cacheKey: string; cached: boolean }; wasm: WasmThreads } | null;
}

/** The Lab's run: its lifecycle, progress and results. */
export interface RunSlice {
  /** The run's expected training time on the chosen backend (and whether it waits for a yes). */
  plan: Extract<FromWorker, { type: 'plan' }> | null;
  status: Status;
  error: string | null;
  /** Numbers every job the worker is given; a message from an older job is ignored. */
  runId: number;
  /** Per model, and the bi-encoder reference (`biencoder`: it trains first). */
  progress: Partial<Record<ModelName | 'biencoder', ModelProgress>>;
  models: Partial<Record<ModelName, ModelReport>>;
  report: Report | null;
  /** With an ablation on: Gen_R+S on the same world without it. */
  without: Report | null;
  /** The config the shown results were trained with. */
  trainedConfig: Config | null;
  tensors: { after: number; before: number } | null;
  startedAt: number;
  elapsed: number;
  /** Set while the Lab shows a stored run (npm run lessons) instead of a live one. */
  stored: StoredSource | null;
  train: () => void;
  /** Answers a plan that asked before a long run. */
  confirmRun: (start: boolean) => void;
  stop: () => void;
  reset: () => void;
}

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

export interface SweepSlice {
  sweep: SweepState;
  runSweep: (r: SweepRequest) => void;
  stopSweep: () => void;
  /** Shows a finished sweep point's full results in the lab. */
  openPoint: (index: number) => void;
}

export interface LessonSlice {
  /** The lesson step shown (0-based). */
  lessonStep: number;
  /** Presenter view: no settings panel, large type. */
  present: boolean;
  /** Lesson worlds retrained live in this page, by world id (they replace the stored runs). */
  lessonLive: Record<string, Report>;
  /** The lesson's live training in progress: its worlds, in order, and which one is training. */
  lessonRun: { worlds: string[]; index: number } | null;
  setLessonStep: (step: number) => void;
  /** Retrains the given lesson worlds in the worker, one after the other. */
  trainLesson: (worlds: string[]) => void;
  /** Shows a lesson world in the Lab, with its stored or live results. */
  openWorldInLab: (world: string, stored: StoredLessonRun | null) => void;
}

export interface DataSlice {
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
}

/** Results opened from files, and the Compare view's pair. */
export interface OpenedSlice {
  /** Reports opened from files in this page (the Compare view offers them), newest last. */
  openedReports: { name: string; report: Report }[];
  /** Why the last opened file was refused. */
  openError: string | null;
  /** The Compare view's two runs: `current`, `lesson:<world>` or `file:<name>`. */
  compare: { a: string; b: string };
  setCompare: (c: { a: string; b: string }) => void;
  /** Opens a results file (report.json: the Lab; sweep.json: Sweeps), checked against the contract. */
  openResults: (name: string, text: string) => Promise<void>;
}

export type LabState = KnobsSlice & BackendSlice & RunSlice & SweepSlice & LessonSlice & DataSlice & OpenedSlice;

/** What a slice's actions and message handlers read and change: the whole store. */
export type Store = StoreApi<LabState>;
