/**
 * One experiment: for each seed, one world → Popularity and Oracle → Gen_S, Gen_R and
 * Gen_R+S trained and evaluated → a report per the contract. Runs the same in Node and
 * in the browser worker; the host picks the tfjs backend before calling it.
 */
import * as tf from '@tensorflow/tfjs';
import { scoreBm25, scoreOracleRec, scoreOracleSearch, scorePopularity } from './baselines';
import type { Config } from '../core/config';
import { TaskEvaluator, type PopularityContext, type TaskResult } from '../eval/evaluate';
import { popularityBuckets } from '../eval/metrics';
import { testSampleVariance } from '../eval/evidence';
import { analyseEmbeddings, evaluateModel, validationRecall } from '../eval/score-model';
import { buildSemanticIds, codeText, rqKMeans, type SemanticIds } from '../model/ids/rq-kmeans';
import { idDiagnostics } from '../model/ids/diagnostics';
import { biEncoderTrainings, trainBiEncoder } from './biencoder';
import { indexingExamples, withIndexing } from './indexing';
import { Retriever } from '../model/retriever';
import type { Scorer } from '../model/scorer';
import { MODEL_TASKS, MODELS, REPORT_SCHEMA, round, type BaselineReport, type BiEncoderReport, type SearchBaselineReport, type ModelName, type ModelReport, type Report, type RunReport } from '../core/report';
import { buildDataset, targetCounts, uniformTrainSet, type Dataset, type RecExamples, type SearchExamples } from '../sim/examples';
import { dataStats, type DataStats } from '../sim/stats';
import { summarize } from './summary';
import { buildWorld, itemWords } from '../sim/world';
import { encodeRec, encodeSearch, tokenLayout, type Encoded, type Task, type TokenLayout } from '../core/encode';
import { predict, train, type TrainProgress, type TrainResult } from '../train/trainer';
import { evaluateSelections } from '../eval/selection';
import type { SeedData } from '../core/data';
export type { SeedData };

export type ExperimentEvent =
  | { type: 'world'; seed: number; seedIndex: number; seeds: number }
  | { type: 'train'; seed: number; model: ModelName; progress: TrainProgress }
  | { type: 'model'; seed: number; model: ModelName; report: ModelReport }
  /** A reference that trains (the bi-encoder: on both tasks, or on one for its item vectors). */
  | { type: 'reference'; seed: number; name: string; progress: TrainProgress }
  | { type: 'run'; run: RunReport };

export interface ExperimentOptions {
  seeds?: number[];
  onEvent?: (e: ExperimentEvent) => void;
  shouldStop?: () => boolean;
  /** Each seed that finished whole (a host saves or keeps it). */
  onSeed?: (run: RunReport) => void;
  /** Which models to train (all three by default). */
  models?: readonly ModelName[];
}

/** The seed of the models' initial weights and batch order: `initSeed`, or the world's seed when it is 0. */
export function initSeedOf(cfg: Config): number {
  return cfg.initSeed || cfg.seed;
}

export function seedList(first: number, count: number): number[] {
  return Array.from({ length: count }, (_, i) => first + i);
}

/** Each test example's own popularity (training-target counts): a history's mean over its items, a query's its target's. */
function ownPopularity(set: SearchExamples | RecExamples, counts: ArrayLike<number>, items: number): Float64Array {
  return Float64Array.from({ length: set.count }, (_, e) => {
    if (!('history' in set)) return counts[set.target[e]];
    let sum = 0, n = 0;
    for (let j = 0; j < set.historyLength; j++) {
      const it = set.history[e * set.historyLength + j];
      if (it >= 0 && it < items) { sum += counts[it]; n++; }
    }
    return n ? sum / n : 0;
  });
}

/** A baseline's calibration on one task, rounded as the report keeps it. */
function calibration(r: TaskResult): { kl: number; marginal: number[] } {
  return { kl: round(r.kl), marginal: Array.from(r.marginal, (v) => round(v, 4)) };
}


/** One seed's simulated world as the data a run trains on: its examples, groups,
 *  popularity, statistics and oracle (and the ablations' changed training sets). */
export function simulatedSeedData(cfg: Config): SeedData {
  const w = buildWorld(cfg);
  const data: Dataset = buildDataset(w, cfg);
  const jointTrain: SeedData['jointTrain'] = {};
  // Ablation: the joint model's copy of one task without its popularity.
  if (cfg.popularityRemoved === 'search') jointTrain.search = uniformTrainSet(w, cfg, 'search') as SearchExamples;
  if (cfg.popularityRemoved === 'rec') jointTrain.rec = uniformTrainSet(w, cfg, 'rec') as RecExamples;
  return {
    items: w.items, words: w.words, data, jointTrain, groups: { topic: w.topic, cluster: w.cluster }, itemWords: Array.from({ length: w.items }, (_, i) => itemWords(w, i)),
    popularity: { search: w.pSearch, rec: w.pRec }, dataStats: dataStats(w, data),
    oracle: (task, consume) => (task === 'search' ? scoreOracleSearch(w, cfg, data.searchTest, consume) : scoreOracleRec(w, cfg, data.recTest, consume)),
  };
}

/** Runs one seed of the simulator: world, baselines, the three models. */
export async function runSeed(cfg: Config, opts: ExperimentOptions = {}): Promise<RunReport> {
  return runOnData(cfg, simulatedSeedData(cfg), opts);
}

/**
 * Runs one seed on any data, in five steps: build the data (counts, buckets, encoded sets),
 * train and evaluate the references (Popularity, the Oracle, BM25, the bi-encoders), cut
 * the semantic IDs, train and evaluate the three models, and assemble the seed's report.
 */
export async function runOnData(cfg: Config, src: SeedData, opts: ExperimentOptions = {}): Promise<RunReport> {
  const prepared = prepareData(cfg, src);
  const references = await trainReferences(cfg, src, prepared, opts);
  const ids = references.stopped ? null : semanticIdsOf(cfg, src, prepared, references.towerVectors);
  const trained = references.stopped ? { models: {}, hits: {} } : await trainModels(cfg, src, prepared, ids, opts);
  const run = assembleRun(cfg, src, prepared, references, ids, trained);
  opts.onEvent?.({ type: 'run', run });
  return run;
}

/** A seed's data made ready: training-target counts, popularity buckets, the test sets' own popularity, encoded sets. */
interface Prepared {
  N: number;
  counts: Record<Task, Float64Array>;
  buckets: Record<Task, ReturnType<typeof popularityBuckets>>;
  popularityContext: Record<Task, PopularityContext>;
  layout: TokenLayout;
  indexing: ReturnType<typeof indexingExamples>;
  trainSets: Record<Task, Encoded>;
  jointTrainSets: Record<Task, Encoded>;
  valSets: Record<Task, Encoded>;
  testSets: Record<Task, Encoded>;
  /** One task of a scorer, evaluated as the models are. */
  evaluate: (task: Task, score: (ev: TaskEvaluator) => void | Promise<void>) => Promise<TaskResult>;
}

function prepareData(cfg: Config, src: SeedData): Prepared {
  const { data, items: N } = src;
  const counts = { search: targetCounts(data.searchTrain, N), rec: targetCounts(data.recTrain, N) };
  const buckets = { search: popularityBuckets(counts.search), rec: popularityBuckets(counts.rec) };
  const tests = { search: data.searchTest, rec: data.recTest };
  // Beyond-accuracy metrics: popularity is the training-target count; a query's own popularity
  // is its target's, a history's the mean of its items'.
  const popularityContext: Record<Task, PopularityContext> = {
    search: { trainCounts: counts.search, own: ownPopularity(tests.search, counts.search, N) },
    rec: { trainCounts: counts.rec, own: ownPopularity(tests.rec, counts.rec, N) },
  };
  const evaluate = async (task: Task, score: (ev: TaskEvaluator) => void | Promise<void>): Promise<TaskResult> => {
    const ev = new TaskEvaluator(cfg.k, buckets[task], N, tests[task].target, popularityContext[task]);
    await score(ev);
    return ev.finish();
  };
  const layout = tokenLayout(N, src.words, cfg.queryLength, cfg.historyLength, cfg.taskToken);
  // DSI's indexing examples (run/indexing.ts): every item's text → its ID, with the training queries.
  const indexing = indexingExamples(src.itemWords, cfg.indexing, cfg.queryLength, initSeedOf(cfg));
  const trainSets = { search: encodeSearch(withIndexing(data.searchTrain, indexing), layout), rec: encodeRec(data.recTrain, layout) };
  const testSets = { search: encodeSearch(data.searchTest, layout), rec: encodeRec(data.recTest, layout) };
  const valSets = { search: encodeSearch(data.searchVal, layout), rec: encodeRec(data.recVal, layout) };
  const jointTrainSets = { ...trainSets };
  if (src.jointTrain?.search) jointTrainSets.search = encodeSearch(withIndexing(src.jointTrain.search, indexing), layout);
  if (src.jointTrain?.rec) jointTrainSets.rec = encodeRec(src.jointTrain.rec, layout);
  return { N, counts, buckets, popularityContext, layout, indexing, trainSets, jointTrainSets, valSets, testSets, evaluate };
}

interface References {
  popularity: BaselineReport;
  oracle: BaselineReport | null;
  bm25: SearchBaselineReport;
  biencoder?: BiEncoderReport;
  /** The bi-encoder's item vectors, where the semantic IDs are cut from them. */
  towerVectors: Float32Array | null;
  /** Stopped while a bi-encoder trained: no model trains after it. */
  stopped: boolean;
}

/** The reference scorers, trained (the bi-encoders, run/biencoder.ts biEncoderTrainings) and evaluated like the models. */
async function trainReferences(cfg: Config, src: SeedData, p: Prepared, opts: ExperimentOptions): Promise<References> {
  const { data } = src;
  const { N, evaluate, testSets } = p;
  const baseline = async (score: (task: Task, ev: TaskEvaluator) => void | Promise<void>): Promise<BaselineReport> => {
    const search = await evaluate('search', (ev) => score('search', ev));
    const rec = await evaluate('rec', (ev) => score('rec', ev));
    return { eval: { search: search.eval, rec: rec.eval }, popularity: { search: calibration(search), rec: calibration(rec) } };
  };
  const popularity = await baseline((task, ev) => scorePopularity(task === 'search' ? data.searchTrain : data.recTrain, (task === 'search' ? data.searchTest : data.recTest).count, N, ev.consume));
  const oracleScorer = src.oracle;
  const oracle = oracleScorer ? await baseline((task, ev) => oracleScorer(task, ev.consume)) : null;
  const bm25Result = await evaluate('search', (ev) => scoreBm25(src.itemWords, data.searchTest, ev.consume));
  const bm25: SearchBaselineReport = { eval: { search: bm25Result.eval }, popularity: { search: calibration(bm25Result) } };

  const biInput = { items: N, words: src.words, seqLen: p.layout.seqLen, itemWords: src.itemWords, train: p.trainSets, val: p.valSets };
  let biencoder: BiEncoderReport | undefined;
  let towerVectors: Float32Array | null = null;
  let stopped = false;
  for (const { tasks, reference, ids: forIds } of biEncoderTrainings(cfg)) {
    if (stopped) break;
    const name = tasks.length === 2 ? 'biencoder' : `biencoder-${tasks[0]}`;
    const { model, result } = await trainBiEncoder(cfg, biInput, tasks, initSeedOf(cfg), {
      shouldStop: opts.shouldStop, onProgress: (progress) => opts.onEvent?.({ type: 'reference', seed: cfg.seed, name, progress }),
    });
    try {
      stopped = result.stopped;
      if (stopped) break;
      if (forIds) towerVectors = await itemVectorsOf(model);
      if (reference) {
        const evaluated = await evaluateSelections(tasks, result, cfg.jointSelection, (task) => evaluate(task, (ev) => predict(model, testSets[task], 256, ev.consume)));
        biencoder = {
          eval: { search: evaluated.chosen.search!.eval, rec: evaluated.chosen.rec!.eval },
          popularity: { search: calibration(evaluated.chosen.search!), rec: calibration(evaluated.chosen.rec!) },
          ...evaluated.fields,
          trainSeconds: round(result.seconds, 4), steps: result.steps, bestEpoch: result.bestEpoch, epochsRun: result.epochsRun,
        };
      }
    } finally {
      result.perTask?.checkpoints.dispose();
      model.dispose();
    }
  }
  return { popularity, oracle, bm25, biencoder, towerVectors, stopped };
}

/** Semantic IDs (none with atomic IDs): cut once per seed from training data, shared by the three models. */
function semanticIdsOf(cfg: Config, src: SeedData, p: Prepared, towerVectors: Float32Array | null): SemanticIds | null {
  if (cfg.idScheme !== 'semantic') return null;
  const finalOrder = cfg.idFinalCode === 'frequency' ? p.counts.search.map((c, i) => c + p.counts.rec[i]) : undefined;
  return towerVectors ? rqKMeans(Float64Array.from(towerVectors), p.N, cfg.dim, cfg.idLevels, cfg.idCodebook, cfg.seed, finalOrder)
    : buildSemanticIds({ items: p.N, words: src.words, itemWords: src.itemWords, recTrain: src.data.recTrain }, cfg.idSource as 'content' | 'cf' | 'joint', cfg.idLevels, cfg.idCodebook, cfg.seed, finalOrder);
}

interface Trained {
  models: Partial<Record<ModelName, ModelReport>>;
  /** Per model and task, each test example's hit: the joint gain's bootstrap over the test sample. */
  hits: Partial<Record<ModelName, Partial<Record<Task, Uint8Array>>>>;
}

/** Gen_S, Gen_R and Gen_R+S (or `opts.models`), each trained, validated each epoch and evaluated on the test sets. */
async function trainModels(cfg: Config, src: SeedData, p: Prepared, ids: SemanticIds | null, opts: ExperimentOptions): Promise<Trained> {
  const { N, layout, trainSets, jointTrainSets, valSets, testSets, buckets, popularityContext } = p;
  const models: Trained['models'] = {};
  const hits: Trained['hits'] = {};
  for (const name of opts.models ?? MODELS) {
    if (opts.shouldStop?.()) break;
    const model = new Retriever(
      {
        items: N, words: src.words, dim: cfg.dim, layers: cfg.layers, heads: cfg.heads, seqLen: layout.seqLen, tieEmbeddings: cfg.tieEmbeddings,
        tasks: MODEL_TASKS[name].length as 1 | 2, outputBias: cfg.outputBias, itemEmbeddings: cfg.itemEmbeddings,
        ids: ids ? { codes: ids.codes, length: ids.length, sizes: ids.sizes, perTask: name === 'joint' && cfg.idTokens === 'perTask' } : undefined,
      },
      initSeedOf(cfg),
    );
    let trained: TrainResult | undefined;
    try {
      const tasks = MODEL_TASKS[name];
      const sets = name === 'joint' ? jointTrainSets : trainSets;
      const validationByTask: Partial<Record<Task, number>>[] = [];
      const result = trained = await train(model, tasks.map((t) => sets[t]), cfg, {
        shouldStop: opts.shouldStop,
        validate: async () => {
          const v = await validationRecall(model, tasks.map((t) => valSets[t]), cfg.k, N);
          validationByTask.push(v.byTask);
          return { score: v.mean, tasks: tasks.map((t) => v.byTask[t]!) };
        },
        onProgress: (progress) => opts.onEvent?.({ type: 'train', seed: cfg.seed, model: name, progress }),
      });
      const report: ModelReport = {
        eval: {},
        popularity: {},
        embedding: await analyseEmbeddings(model, N, src.groups, cfg),
        trainSeconds: round(result.seconds, 4),
        steps: result.steps,
        backend: tf.getBackend(),
        stepper: result.stepper,
        stopped: result.stopped,
        losses: result.losses.map((l) => ({ step: l.step, loss: round(l.loss, 5) })),
        validation: result.validation.map((v, i) => ({
          ...v, score: round(v.score, 5),
          byTask: Object.fromEntries(Object.entries(validationByTask[i] ?? {}).map(([t, x]) => [t, round(x, 5)])),
        })),
        bestEpoch: result.bestEpoch,
        epochsRun: result.epochsRun,
      };
      const t0 = performance.now();
      // Each task under both checkpoint selections (eval/selection.ts); the report's own are the config's.
      const evaluated = await evaluateSelections(tasks, result, cfg.jointSelection, (task) => evaluateModel(model, testSets[task], cfg.k, buckets[task], N, popularityContext[task]));
      report.evalSeconds = round((performance.now() - t0) / 1000, 4);
      for (const task of tasks) {
        const r = evaluated.chosen[task]!;
        report.eval[task] = r.eval;
        if (r.hits) (hits[name] ??= {})[task] = r.hits;
        report.popularity[task] = { kl: round(r.kl), marginal: Array.from(r.marginal, (v) => round(v, 4)), ...(r.rows !== undefined && r.rows < testSets[task].count ? { rows: r.rows } : {}) };
      }
      Object.assign(report, evaluated.fields);
      models[name] = report;
      opts.onEvent?.({ type: 'model', seed: cfg.seed, model: name, report });
      if (result.stopped) break;
    } finally {
      trained?.perTask?.checkpoints.dispose();
      model.dispose();
    }
  }
  return { models, hits };
}

/** The seed's report: the models, the references, the IDs, each item's groups and popularity, the data's statistics. */
function assembleRun(cfg: Config, src: SeedData, p: Prepared, refs: References, ids: SemanticIds | null, trained: Trained): RunReport {
  const { hits, models } = trained;
  const { N, counts, indexing } = p;
  const jointGainTestSd: RunReport['jointGainTestSd'] = {};
  for (const task of ['search', 'rec'] as Task[]) {
    const single = hits[task === 'search' ? 'search' : 'rec']?.[task], joint = hits.joint?.[task];
    const v = single && joint ? testSampleVariance(single, joint, cfg.seed) : null;
    if (v !== null) jointGainTestSd[task] = round(Math.sqrt(v));
  }
  const run: RunReport = {
    seed: cfg.seed,
    ...(cfg.initSeed ? { initSeed: cfg.initSeed } : {}),
    dataStats: src.dataStats,
    ...(indexing.count ? { indexingExamples: indexing.count } : {}),
    jointGainTestSd,
    models,
    baselines: { popularity: refs.popularity, oracle: refs.oracle, bm25: refs.bm25, ...(refs.biencoder ? { biencoder: refs.biencoder } : {}) },
    ...(ids ? { ids: {
      scheme: 'semantic' as const, source: cfg.idSource, levels: cfg.idLevels, codebook: cfg.idCodebook, tokens: cfg.idTokens, finalCode: cfg.idFinalCode,
      length: ids.length, collisions: ids.collisions, largestGroup: ids.largestGroup,
      diagnostics: idDiagnostics(ids, cfg.idLevels, src.groups, src.data.recTrain),
      codes: Array.from({ length: N }, (_, i) => codeText(ids, i)),
    } } : {}),
    itemInfo: {
      topic: Array.from(src.groups.topic),
      cluster: Array.from(src.groups.cluster),
      pSearch: Array.from(src.popularity.search, (v) => round(v, 5)),
      pRec: Array.from(src.popularity.rec, (v) => round(v, 5)),
      trainSearch: Array.from(counts.search),
      trainRec: Array.from(counts.rec),
    },
  };
  return run;
}

/** A bi-encoder's item vectors (its item tower, unit length), items × dim. */
async function itemVectorsOf(model: Scorer): Promise<Float32Array> {
  const t = tf.tidy(() => model.itemVectors());
  try {
    return (await t.data()) as Float32Array;
  } finally {
    t.dispose();
  }
}

/** The report of finished runs (in seed order). */
export function assembleReport(cfg: Config, runs: RunReport[], stopped: boolean): Report {
  const sorted = [...runs].sort((a, b) => a.seed - b.seed);
  return {
    schema: REPORT_SCHEMA,
    config: cfg,
    seeds: sorted.map((r) => r.seed),
    dataStats: sorted[0]?.dataStats ?? ((w) => dataStats(w, buildDataset(w, cfg)))(buildWorld(cfg)),
    runs: sorted,
    summary: summarize(cfg, sorted),
    stopped,
    ranking: 'full catalogue',
    createdAt: new Date().toISOString(),
  };
}

/** Whether a run was cut short (a model stopped, or not every model trained). */
export function runStopped(run: RunReport, models: readonly ModelName[] = MODELS): boolean {
  return Object.values(run.models).some((m) => m?.stopped) || Object.keys(run.models).length < models.length;
}

/**
 * The seed loop — the only one in the project: every run, sweep point, lesson world and
 * imported catalogue goes through it; hosts (the CLI, the browser worker, the batches)
 * differ only in their options: events, Stop, and what they do with each finished seed.
 * Seeds run one after another, each on `source`'s data for that seed (by default the
 * simulated world), until done or stopped; a seed cut short by Stop stays in the report
 * (its finished models are shown) and marks it stopped. `cfg.seed` is the first seed.
 */
export async function runSeeds(cfg: Config, opts: ExperimentOptions = {}, source: (seedCfg: Config) => SeedData = simulatedSeedData): Promise<Report> {
  const seeds = opts.seeds ?? [cfg.seed];
  const runs: RunReport[] = [];
  let stopped = false;
  for (let i = 0; i < seeds.length; i++) {
    if (opts.shouldStop?.()) { stopped = true; break; }
    opts.onEvent?.({ type: 'world', seed: seeds[i], seedIndex: i, seeds: seeds.length });
    const seedCfg = { ...cfg, seed: seeds[i] };
    const run = await runOnData(seedCfg, source(seedCfg), opts);
    runs.push(run);
    if (runStopped(run, opts.models)) { stopped = true; break; }
    opts.onSeed?.(run);
  }
  return assembleReport(cfg, runs, stopped);
}

/** The simulator's seeds (runSeeds on simulated worlds). */
export const runExperiment = (cfg: Config, opts: ExperimentOptions = {}): Promise<Report> => runSeeds(cfg, opts);
