/** The sweep format (`bridge-lab/sweep@1`): a sweep and its points, as sweep.json holds them. */
import type { Config, ConfigKey } from '../core/config';
import type { Interval, ModelName, Report } from '../core/report';
import type { Task } from '../core/encode';
import type { Trend } from '../eval/evidence';
import type { SeedValues } from './trends';

export const SWEEP_SCHEMA = 'bridge-lab/sweep@1';
/** A point of a sweep: a value of its key, or the name of a variant (several knobs at once). */
export type Value = Config[ConfigKey] | string;

export interface SweepPoint {
  value: Value;
  seeds: number[];
  dataStats: {
    popularityKL: { recVsSearch: number; searchVsRec: number };
    popularitySpearman: number;
    realizedAlignment: number;
    coverage: { search: number; rec: number };
    trainExamples: { search: number; rec: number };
    /** KL between the training targets' popularity (what the models saw; absent in older sweeps). */
    trainPopularityKL?: { recVsSearch: number; searchVsRec: number };
  };
  jointGain: Partial<Record<Task, Interval>>;
  /** Mean over seeds, per scorer (models and baselines) and task. */
  models: Report['summary']['means'];
  embedding: Partial<Record<ModelName, { contentAgreement: number; cfAgreement: number }>>;
  /** Per seed (in `seeds` order), per model and task: Recall@K overall and on cold targets (null: none), for paired comparisons. */
  perSeed?: Partial<Record<ModelName, Partial<Record<Task, { recall: number[]; cold: (number | null)[]; warm: (number | null)[] }>>>>;
  /** Per seed (in `seeds` order): every quantity a trend or a claim uses. */
  seedValues?: SeedValues;
  /** Semantic IDs at this point: codes per item and colliding items, mean over seeds. */
  ids?: { length: number; collisions: number };
  stopped: boolean;
}

export interface Sweep {
  schema: typeof SWEEP_SCHEMA;
  experiment: string | null;
  key: ConfigKey;
  values: Value[];
  /** The base config; each point sets `key` to its value. */
  config: Config;
  seeds: number[];
  points: SweepPoint[];
  /** Slopes along the sweep from per-seed values, with seed-bootstrap intervals and verdicts (eval/evidence.ts). */
  trends?: Trend[];
  /** True once every value has its point. */
  complete: boolean;
  stopped: boolean;
  createdAt: string;
  /** The command that made the file (the runner writes it). */
  command?: string;
}

