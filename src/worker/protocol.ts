/** Typed messages between the page and the lab worker. */
import type { BackendAttempt, BackendName } from '../engine/core/backends';
import type { Config, ConfigKey } from '../engine/core/config';
import type { ExperimentEvent } from '../engine/run/experiment';
import type { Report } from '../engine/core/report';
import type { Sweep, Value as SweepValue } from '../engine/studies/sweep';
import type { DataFiles } from '../engine/data/import';

/** What the page shows of imported files before training. */
/** Public dataset layouts the page converts (engine/data/convert/). */
export type PublicFormat = 'movielens' | 'kuaisar';

export interface DataSummary {
  name: string;
  counts: { items: number; queries: number; sessions: number; sessionRows: number; words: number; search: { train: number; val: number; test: number }; rec: { train: number; val: number; test: number } };
  dropped: { shortSessions: number; emptyQueries: number };
  categories: number;
  /** KL between the two tasks' training-target distributions, both ways. */
  popularityKL: { recVsSearch: number; searchVsRec: number };
  coverage: { search: number; rec: number };
  /** A public dataset converted first (convert/): the converter's account of what it kept and dropped. */
  conversion?: string;
}

/** One backend's measured training step on the current world. */
export interface BackendSpeed {
  name: BackendName;
  /** null when it could not be measured (then `note` says why). */
  msPerStep: number | null;
  steps: number;
  /** What ran the step on it (`fused-webgpu`, `plain (…)`), or why it was not measured. */
  note: string;
}

/** A measured choice, cached by the page per device and step shape. */
export interface BackendChoice {
  backend: BackendName;
  speeds: BackendSpeed[];
  reason: string;
  measuredAt: string;
}

/** How the worker picks its backend for a job. */
export type BackendRequest =
  /** `backend=` in the URL: that one (or, if it cannot start, the next in `order`). */
  | { mode: 'forced'; order: BackendName[] }
  /** The default: time a few training steps of the job's world on each candidate, keep the fastest. */
  | { mode: 'measure'; cache: Record<string, BackendChoice> };

export type ToWorker =
  | { type: 'run'; runId: number; config: Config; seeds: number[]; backends: BackendRequest }
  | { type: 'sweep'; runId: number; config: Config; key: ConfigKey; values: SweepValue[]; seeds: number[]; experiment: string | null; backends: BackendRequest }
  | { type: 'stop'; runId: number }
  /** Parses a catalogue given as files (in the worker); answers with a summary or an error. */
  | { type: 'importData'; runId: number; name: string; files: DataFiles; config: Config; /** A public dataset's own files, converted first. */ convert?: { format: PublicFormat; files: Record<string, string> } }
  /** Trains the three models on the last imported catalogue. */
  | { type: 'runData'; runId: number; config: Config; seeds: number[]; backends: BackendRequest }
  /** The answer to a `plan` that needed confirmation. */
  | { type: 'confirm'; runId: number; start: boolean }
  /** Test hook: destroys the WebGPU device, as a driver reset or a lost GPU would. */
  | { type: 'loseDevice' }
  /** Test hook: checks each fused WebGPU kernel against the plain ops on this browser's WebGPU. */
  | { type: 'checkKernels' };

export interface WasmThreads {
  crossOriginIsolated: boolean;
  /** XNNPACK's threads when wasm has started, else null. */
  threads: number | null;
}

export type FromWorker =
  | {
    type: 'backend'; backend: BackendName; attempts: BackendAttempt[]; note?: string;
    /** Present when the backend was chosen by measuring (now or from the cache). */
    choice?: BackendChoice & { cacheKey: string; cached: boolean };
    wasm: WasmThreads;
  }
  /** Before a run trains: its expected training time on the chosen backend. Runs over
   *  the confirmation threshold wait for a `confirm`. */
  | { type: 'plan'; runId: number; backend: BackendName; msPerStep: number; steps: number; seconds: number; needsConfirm: boolean; /** The bi-encoders' steps and their measured time. */ reference?: { steps: number; msPerStep: number } }
  | { type: 'event'; runId: number; event: ExperimentEvent }
  /** With an ablation switched on, `without` is Gen_R+S trained on the same world without it. */
  | { type: 'done'; runId: number; report: Report; without: Report | null; tensors: number; tensorsBefore: number }
  | { type: 'cancelled'; runId: number }
  | { type: 'sweepPoint'; runId: number; sweep: Sweep; report: Report }
  | { type: 'sweepDone'; runId: number; sweep: Sweep; tensors: number; tensorsBefore: number }
  | { type: 'error'; runId: number; message: string }
  | { type: 'dataSummary'; runId: number; summary: DataSummary }
  | { type: 'dataError'; runId: number; message: string }
  | { type: 'kernelChecks'; checks: { name: string; relError: number }[] | null; error?: string };
