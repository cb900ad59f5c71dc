/** The report contract (docs/report.md): types of report.json, written by the runner and the app, and the rounding its numbers get. */
import type { Config } from './config';
import type { DataStats } from './data';
import type { Task } from './encode';

export type Bucket = 'head' | 'torso' | 'tail';
export const BUCKETS: readonly Bucket[] = ['head', 'torso', 'tail'];

export interface BucketMetrics {
  [metric: string]: number;
  count: number;
}
export interface TaskEval {
  [metric: string]: number | TaskEval['byBucket'];
  count: number;
  /** `cold` is absent in reports made before it was added. */
  byBucket: Record<Bucket, BucketMetrics> & { cold?: BucketMetrics };
}

export const REPORT_SCHEMA = 'bridge-lab/report@1';
export type ModelName = 'search' | 'rec' | 'joint';
export const MODELS: readonly ModelName[] = ['search', 'rec', 'joint'];
export const MODEL_LABELS: Record<ModelName, string> = { search: 'Gen_S', rec: 'Gen_R', joint: 'Gen_R+S' };
/** Which tasks each model is trained and evaluated on. */
export const MODEL_TASKS: Record<ModelName, Task[]> = { search: ['search'], rec: ['rec'], joint: ['search', 'rec'] };

export interface EmbeddingReport {
  contentAgreement: number;
  cfAgreement: number;
  chance: { content: number; cf: number };
  /** Which 2-D projection `pca` holds (the key name is kept for the contract). */
  projection: 'pca' | 'umap';
  /** 2-D projection of the item-ID embeddings, [x0, y0, x1, y1, ...]; PCA's variance explained. */
  pca: number[];
  explained: [number, number];
}

/** How a two-task model chose its weights (config `jointSelection`; eval/selection.ts). */
export type JointSelection = 'perTask' | 'shared';
export const JOINT_SELECTIONS: readonly JointSelection[] = ['perTask', 'shared'];
/** Each selection in words, for tables and captions. */
export const SELECTION_WORDS: Record<JointSelection, string> = { perTask: 'per-task checkpoints', shared: 'one shared checkpoint' };

/**
 * A two-task model's (Gen_R+S, the bi-encoder) evaluation under both checkpoint selections:
 * `eval` and `popularity` are `selection`'s, `alternative` the other's. Absent in reports
 * made before it was added: those used `shared`.
 */
export interface SelectionFields {
  selection?: JointSelection;
  /** Each task's best validation epoch (the perTask checkpoints). */
  bestEpochByTask?: Partial<Record<Task, number>>;
  alternative?: { selection: JointSelection; eval: Partial<Record<Task, TaskEval>>; popularity: Partial<Record<Task, { kl: number }>> };
}

/** A two-task scorer's evaluation of `task` under `selection` (undefined where the report lacks it). */
export function evalUnder(r: { eval: Partial<Record<Task, TaskEval>> } & SelectionFields, task: Task, selection: JointSelection): TaskEval | undefined {
  if ((r.selection ?? 'shared') === selection) return r.eval[task];
  return r.alternative?.selection === selection ? r.alternative.eval[task] : undefined;
}

export interface ModelReport extends SelectionFields {
  eval: Partial<Record<Task, TaskEval>>;
  /** `rows`: with semantic IDs on a large catalogue, the test inputs the distribution was computed on (absent = all). */
  popularity: Partial<Record<Task, { kl: number; marginal: number[]; rows?: number }>>;
  embedding: EmbeddingReport;
  trainSeconds: number;
  /** Seconds spent evaluating on the test sets (ranking and calibration). */
  evalSeconds?: number;
  steps: number;
  backend: string;
  /** What ran the training steps: `fused-webgpu` (the fused kernels), or `plain (why not)`. */
  stepper?: string;
  stopped: boolean;
  /** How every metric ranks: against the whole catalogue, never a sample of items (absent in older reports, which did the same). */
  ranking?: 'full catalogue';
  losses: { step: number; loss: number }[];
  /** Validation Recall@K (mean over the model's tasks) after each epoch. */
  validation: { epoch: number; step: number; score: number; byTask?: Partial<Record<Task, number>> }[];
  /** The epoch whose weights were evaluated (early stopping keeps the best). */
  bestEpoch: number;
  epochsRun: number;
}

/**
 * ID quality, measured before any generator trains (model/ids/diagnostics.ts). Per code
 * position of the first `levels`: codes used of the codebook and the entropy of their use
 * (bits; log2 of the codebook is the most). Per prefix length p (1..levels): among pairs of
 * items that co-occur in recommendation training sessions, the share whose first p codes
 * agree, against chance (the same share for pairs drawn independently from the same item
 * mass); and among pairs of items whose first p codes agree, the share in one content
 * topic, against chance (two items drawn at random).
 */
export interface IdDiagnostics {
  levels: { used: number; size: number; utilisation: number; entropy: number; maxEntropy: number }[];
  /** Share of items that share all `levels` codes with another item. */
  collisionRate: number;
  largestGroup: number;
  prefixes: { length: number; cooccurrence: number; cooccurrenceChance: number; topic: number; topicChance: number }[];
}

export interface SemanticIdsReport {
  scheme: 'semantic';
  source: 'content' | 'cf' | 'joint' | 'biencoder' | 'biencoder-search' | 'biencoder-rec';
  levels: number;
  codebook: number;
  tokens: 'shared' | 'perTask';
  /** How the final code orders colliding items (absent in reports made before it was added: index). */
  finalCode?: 'index' | 'frequency';
  /** Codes per item: levels, plus 1 when a final code tells colliding items apart. */
  length: number;
  /** Items sharing their first `levels` codes with another item; the largest such group. */
  collisions: number;
  largestGroup: number;
  /** Absent in reports made before it was added. */
  diagnostics?: IdDiagnostics;
  codes: string[];
}

export interface BaselineReport {
  eval: Record<Task, TaskEval>;
  popularity: Record<Task, { kl: number; marginal: number[] }>;
}

/** The bi-encoder reference: evaluated like the others, with what its training took. */
export interface BiEncoderReport extends BaselineReport, SelectionFields {
  trainSeconds: number;
  steps: number;
  bestEpoch: number;
  epochsRun: number;
}

/** A reference for one task only (BM25 ranks items for queries). */
export interface SearchBaselineReport {
  eval: { search: TaskEval };
  popularity: { search: { kl: number; marginal: number[] } };
}

export interface RunReport {
  seed: number;
  /** The models' initialisation seed where it differs from the world's (config `initSeed`). */
  initSeed?: number;
  /** Per task: the standard deviation of the relative joint gain over bootstrap resamples of this seed's test examples. */
  jointGainTestSd?: Partial<Record<Task, number>>;
  dataStats: DataStats;
  /** Indexing examples (item text → ID) added to the search training sets (config `indexing`; absent when 0). */
  indexingExamples?: number;
  models: Partial<Record<ModelName, ModelReport>>;
  /** `oracle` is null on imported data: there is no generative process to be exact about. */
  /** `bm25` (search only) is absent in reports made before it was added; `biencoder` (both
   *  tasks) too, and where config `biencoder` is false. */
  baselines: { popularity: BaselineReport; oracle: BaselineReport | null; bm25?: SearchBaselineReport; biencoder?: BiEncoderReport };
  /** Semantic IDs (absent with atomic IDs): how they were built, and each item's codes ("3-12-0"). */
  ids?: SemanticIdsReport;
  /** Per item: content topic, CF cluster, true popularity per task, training counts. */
  itemInfo: { topic: number[]; cluster: number[]; pSearch: number[]; pRec: number[]; trainSearch: number[]; trainRec: number[] };
}

export interface Interval {
  mean: number;
  /** 95 % t-interval over seeds; null with fewer than two seeds. */
  ci95: [number, number] | null;
  n: number;
}

/** A scorer's headline numbers on one task, mean over seeds. Recall on cold targets (no
 *  training example in the task) and on warm ones, and validRate, where the runs have them. */
export interface ScorerMeans {
  recall: number;
  ndcg: number;
  kl: number;
  coldRecall?: number;
  warmRecall?: number;
  validRate?: number;
  /** The field's measures (eval metrics.ts BeyondAccuracy) by FIELD_METRICS name, where every seed has them. */
  field?: Partial<Record<FieldMetric, number>>;
}

/** The field's measures a summary averages (in an eval: `<name>@K`, and recall@5, ndcg@5). */
export const FIELD_METRICS = ['mrr', 'recall@5', 'ndcg@5', 'coverage', 'arp', 'aplt', 'gini', 'popLift'] as const;
export type FieldMetric = (typeof FIELD_METRICS)[number];

/** Each field measure's column label, its name in a menu, and one line of meaning (docs/report.md has the definitions); K stands for the cutoff. */
export const FIELD_METRIC_INFO: Record<FieldMetric, { label: string; name: string; help: string }> = {
  mrr: { label: 'MRR@K', name: 'MRR@K', help: 'mean reciprocal rank of the target within the top K' },
  'recall@5': { label: 'Recall@5', name: 'Recall@5', help: 'share of examples with the target in the top 5' },
  'ndcg@5': { label: 'NDCG@5', name: 'NDCG@5', help: 'NDCG at 5' },
  coverage: { label: 'coverage', name: 'catalogue coverage of the top K', help: 'share of the catalogue in any top K' },
  arp: { label: 'ARP', name: 'average recommendation popularity (ARP@K)', help: 'mean training popularity (target count) of the top K\'s items' },
  aplt: { label: 'APLT', name: 'long-tail share of the top K (APLT@K)', help: 'share of the top K\'s items in the long tail (the tail bucket)' },
  gini: { label: 'Gini', name: 'Gini of how often items are recommended', help: 'Gini index of how often each item is recommended (0 = evenly, 1 = one item)' },
  popLift: { label: 'pop lift', name: 'popularity lift', help: 'ARP relative to the popularity of the example\'s own items (its history, or its query\'s target)' },
};

/** A field measure's key in a task's eval at cutoff K (`arp@10`; Recall and NDCG at 5 keep their own cutoff). */
export function fieldKey(m: FieldMetric, k: number): string {
  return m === 'recall@5' || m === 'ndcg@5' ? m : `${m}@${k}`;
}

export interface Report {
  schema: typeof REPORT_SCHEMA;
  config: Config;
  seeds: number[];
  dataStats: DataStats;
  runs: RunReport[];
  summary: {
    /** Under the config's checkpoint selection (`jointSelection`; reports without it used shared). */
    jointGain: Partial<Record<Task, Interval>>;
    /** Under each selection, where every run was evaluated under both. */
    jointGainBySelection?: Partial<Record<JointSelection, Partial<Record<Task, Interval>>>>;
    /** Mean over seeds of each scorer's headline numbers per task. */
    means: Record<string, Partial<Record<Task, ScorerMeans>>>;
  };
  stopped: boolean;
  /** How every metric ranks: against the whole catalogue, never a sample of items (absent in older reports, which did the same). */
  ranking?: 'full catalogue';
  createdAt: string;
  /** The command that made the file (the runner writes it; absent in the page's exports). */
  command?: string;
}

export function round(x: number, digits = 6): number {
  return Number.isFinite(x) ? Number(x.toPrecision(digits)) : x;
}
