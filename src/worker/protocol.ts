/** Typed messages between the page and the lab worker. */
import type { BackendAttempt, BackendName } from '../engine/backend';
import type { Config, ConfigKey } from '../engine/config';
import type { ExperimentEvent } from '../engine/experiment';
import type { Report } from '../engine/report';
import type { Sweep } from '../engine/sweep';

export type ToWorker =
  | { type: 'run'; runId: number; config: Config; seeds: number[]; backends: BackendName[] }
  | { type: 'sweep'; runId: number; config: Config; key: ConfigKey; values: Config[ConfigKey][]; seeds: number[]; experiment: string | null; backends: BackendName[] }
  | { type: 'stop'; runId: number }
  /** Test hook: destroys the WebGPU device, as a driver reset or a lost GPU would. */
  | { type: 'loseDevice' };

export type FromWorker =
  | { type: 'backend'; backend: BackendName; attempts: BackendAttempt[]; note?: string }
  | { type: 'event'; runId: number; event: ExperimentEvent }
  /** With an ablation switched on, `without` is Gen_R+S trained on the same world without it. */
  | { type: 'done'; runId: number; report: Report; without: Report | null; tensors: number; tensorsBefore: number }
  | { type: 'sweepPoint'; runId: number; sweep: Sweep; report: Report }
  | { type: 'sweepDone'; runId: number; sweep: Sweep; tensors: number; tensorsBefore: number }
  | { type: 'error'; runId: number; message: string };
