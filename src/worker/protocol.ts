/** Typed messages between the page and the lab worker. */
import type { BackendAttempt, BackendName } from '../engine/backend';
import type { Config } from '../engine/config';
import type { ExperimentEvent } from '../engine/experiment';
import type { Report } from '../engine/report';

export type ToWorker =
  | { type: 'run'; runId: number; config: Config; seeds: number[]; backends: BackendName[] }
  | { type: 'stop'; runId: number };

export type FromWorker =
  | { type: 'backend'; backend: BackendName; attempts: BackendAttempt[]; note?: string }
  | { type: 'event'; runId: number; event: ExperimentEvent }
  | { type: 'done'; runId: number; report: Report; tensors: number; tensorsBefore: number }
  | { type: 'error'; runId: number; message: string };
