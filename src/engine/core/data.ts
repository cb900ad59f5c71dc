/**
 * The data every run trains and evaluates on, whatever made it (the simulator, or files):
 * the example sets, the statistics reported about them, and one seed's whole source.
 */
/** The two tasks: search (query → item) and recommendation (history → next item). */
export type Task = 'search' | 'rec';
export const TASKS: readonly Task[] = ['search', 'rec'];

export interface SearchExamples {
  readonly count: number;
  readonly queryLength: number;
  /** count × queryLength word ids. */
  readonly words: Int32Array;
  readonly target: Int32Array;
}
export interface RecExamples {
  readonly count: number;
  readonly historyLength: number;
  /** count × historyLength item ids. */
  readonly history: Int32Array;
  readonly target: Int32Array;
}

export interface Dataset {
  searchTrain: SearchExamples;
  recTrain: RecExamples;
  searchTest: SearchExamples;
  recTest: RecExamples;
  /** Validation sets, drawn like the training sets (same coverage), for choosing the epoch. */
  searchVal: SearchExamples;
  recVal: RecExamples;
}

export interface DataStats {
  popularityKL: { recVsSearch: number; searchVsRec: number };
  popularitySpearman: number;
  /** Share of items whose CF cluster is the one their topic maps to. */
  realizedAlignment: number;
  coverage: { search: number; rec: number };
  /** Training set sizes after per-item caps. */
  trainExamples: { search: number; rec: number };
  testExamples: { search: number; rec: number };
  /** Items that appear at least once as a training target. */
  trainItems: { search: number; rec: number };
  /** KL between the two tasks' training-target distributions (what the models see). */
  trainPopularityKL: { recVsSearch: number; searchVsRec: number };
}

/**
 * What one seed trains and evaluates on, whether simulated or imported from files: the
 * encoded examples' source (a Dataset), the item groups that embedding agreement is
 * measured against, the per-item information the charts show, and the oracle when the
 * data has a known generative process. Nothing downstream asks where the data came from.
 */
export interface SeedData {
  items: number;
  words: number;
  data: Dataset;
  /** The joint model's training sets where an ablation changes them. */
  jointTrain?: { search?: SearchExamples; rec?: RecExamples };
  groups: { topic: ArrayLike<number>; cluster: ArrayLike<number> };
  /** Each item's words (its text): what content semantic IDs are built from. */
  itemWords: ArrayLike<number>[];
  /** True popularity per task (the calibration charts' x axis). */
  popularity: { search: ArrayLike<number>; rec: ArrayLike<number> };
  dataStats: DataStats;
  /** Scores the test sets with the exact posterior; null where there is none (imported data). */
  oracle: ((task: Task, consume: (rows: ArrayLike<number>, first: number, count: number) => void) => void) | null;
}
