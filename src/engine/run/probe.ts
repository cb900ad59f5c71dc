/**
 * Measuring before choosing: how long one training step of a world's joint model takes
 * on the current backend (with the same Stepper the trainer uses), and how many steps a
 * run of that world trains. The browser worker times each backend with this and trains
 * on the fastest; the page turns it into an expected time.
 */
import * as tf from '@tensorflow/tfjs';
import { semanticIds, type Config } from '../core/config';
import { Retriever, type SemanticIdSpec } from '../model/retriever';
import { MODEL_TASKS, MODELS, type ModelName } from '../core/report';
import { buildDataset, targetCounts } from '../sim/examples';
import type { RecExamples, SearchExamples } from '../core/data';
import { buildWorld, itemWords } from '../sim/world';
import { BiEncoder, towerSpec } from '../model/bi-encoder';
import type { Scorer } from '../model/scorer';
import { encodeRec, encodeSearch, tokenLayout } from '../core/encode';
import { makeStepper } from '../train/stepper';
import { epochSchedule, stepsPerEpoch } from '../train/trainer';
import { Rng } from '../core/rng';
import { biEncoderTrainings } from './biencoder';

export interface StepTiming {
  /** The last block's time per step. Blocks double, so it holds about half the timed steps:
   *  the steady state. Earlier blocks run slower while the backend warms up (in a browser
   *  WASM code tiers up in the background: its first steps are 2–3× slower). */
  msPerStep: number;
  /** Timed steps (after one untimed warm-up step, which also compiles shaders). */
  steps: number;
  /** Warm-up step, compile included. */
  warmupMs: number;
  stepper: string;
}

/** The first `n` examples of a training set: a step's cost depends on the batch's shape, not on the set's size. */
function prefix<T extends SearchExamples | RecExamples>(set: T, n: number): T {
  if (set.count <= n) return set;
  const width = 'words' in set ? set.queryLength : set.historyLength;
  const rows = (a: Int32Array) => a.slice(0, n * width);
  return ('words' in set
    ? { ...set, count: n, words: rows(set.words), target: set.target.slice(0, n) }
    : { ...set, count: n, history: rows((set as RecExamples).history), target: set.target.slice(0, n) }) as T;
}

/** The world's layout and as many encoded training examples as `steps` batches read (the
 *  probe never encodes or uploads a large world's whole training data). */
function worldSets(cfg: Config, steps: number) {
  const w = buildWorld(cfg);
  const data = buildDataset(w, cfg);
  const layout = tokenLayout(w.items, w.words, cfg.queryLength, cfg.historyLength, cfg.taskToken);
  const n = cfg.batchSize * (steps + 2);
  return { w, layout, search: encodeSearch(prefix(data.searchTrain, n), layout), rec: encodeRec(prefix(data.recTrain, n), layout) };
}

/** The shape that decides a step's cost, as a cache key (the world alone gives it). */
export function stepShapeKey(cfg: Config): string {
  const w = buildWorld(cfg);
  const layout = tokenLayout(w.items, w.words, cfg.queryLength, cfg.historyLength, cfg.taskToken);
  const ids = semanticIds(cfg) ? `-semantic${cfg.idLevels}x${cfg.idCodebook}-${cfg.idTokens}` : '';
  return `items${w.items}-words${w.words}-seq${layout.seqLen}-batch${cfg.batchSize}-dim${cfg.dim}-layers${cfg.layers}-heads${cfg.heads}-${cfg.tieEmbeddings ? 'tied' : 'untied'}-${cfg.outputBias}-${cfg.itemEmbeddings}${ids}`;
}

/**
 * Semantic IDs of the right shape for timing (a step's cost depends on the number of
 * codes and codebooks, not on which item has which): each item's index written in base
 * `idCodebook`, plus a final code where the levels cannot tell all items apart.
 */
function probeIds(cfg: Config, items: number): SemanticIdSpec {
  return syntheticIds(items, cfg.idLevels, cfg.idCodebook, cfg.idTokens === 'perTask');
}

/** Semantic IDs with the shape of real ones and no meaning (the probe and the benchmark time steps with them). */
export function syntheticIds(items: number, levels: number, codebook: number, perTask = false): SemanticIdSpec {
  const L = levels, C = codebook;
  const paths = C ** L;
  const length = items > paths ? L + 1 : L;
  const codes = new Int32Array(items * length);
  for (let i = 0; i < items; i++) {
    let x = i % paths;
    for (let l = L - 1; l >= 0; l--) { codes[i * length + l] = x % C; x = Math.floor(x / C); }
    if (length > L) codes[i * length + L] = Math.floor(i / paths);
  }
  const sizes = Array.from({ length: L }, () => C);
  if (length > L) sizes.push(Math.ceil(items / paths));
  return { codes, length, sizes, perTask };
}

type Planned = Record<ModelName, number> & { references: number; total: number };

/** Training steps a run on these training sets trains at most (every model and bi-encoder, every epoch). */
export function plannedStepsOn(data: { search: { count: number }; rec: { count: number } }, cfg: Config, items: number): Planned {
  const out = { total: 0, references: 0 } as Planned;
  // Indexing examples (run/indexing.ts) join the search set: at most cfg.indexing per item.
  const sets = { search: { count: data.search.count + cfg.indexing * items }, rec: data.rec };
  for (const m of MODELS) {
    out[m] = cfg.epochs * stepsPerEpoch(MODEL_TASKS[m].map((t) => sets[t]), cfg);
    out.total += out[m];
  }
  // The bi-encoders (run/experiment.ts): on both tasks as the reference or the ID source, on one for a one-task ID source.
  for (const { tasks } of biEncoderTrainings(cfg)) out.references += tasks.length === 2 ? out.joint : out[tasks[0]];
  out.total += out.references;
  return out;
}

/** Training steps a run of this world trains at most (every model, every epoch). */
export function plannedSteps(cfg: Config): Planned {
  // Only the training sets' sizes matter: no encoding.
  const data = buildDataset(buildWorld(cfg), cfg);
  return plannedStepsOn({ search: data.searchTrain, rec: data.recTrain }, cfg, cfg.items);
}

/**
 * Times training steps of the world's joint model (or, with `towers`, of the bi-encoder
 * reference on both tasks) on the current backend: one warm-up step, then steps until
 * `budgetMs` has passed (at least `minSteps`), or until a step is slower than `giveUpMs`
 * (a clear loser need not be timed further).
 */
export async function timeTrainingSteps(cfg: Config, opts: { budgetMs: number; minSteps?: number; maxSteps?: number; giveUpMs?: number; towers?: boolean }): Promise<StepTiming> {
  const { w, layout, search, rec } = worldSets(cfg, (opts.maxSteps ?? 32) + 1);
  const body = { items: w.items, words: w.words, dim: cfg.dim, layers: cfg.layers, heads: cfg.heads, seqLen: layout.seqLen };
  const model: Scorer = opts.towers
    ? new BiEncoder(body, towerSpec(Array.from({ length: w.items }, (_, i) => itemWords(w, i)), [search, rec].map((s) => ({ counts: targetCounts(s, w.items), share: 0.5 }))), cfg.seed)
    : new Retriever({
      ...body, tieEmbeddings: cfg.tieEmbeddings, tasks: 2, outputBias: cfg.outputBias, itemEmbeddings: cfg.itemEmbeddings,
      ids: semanticIds(cfg) ? probeIds(cfg, w.items) : undefined,
    }, cfg.seed);
  const sets = [search, rec];
  const stepper = makeStepper(model, sets, cfg);
  try {
    const schedule = epochSchedule(sets, cfg, new Rng(cfg.seed, 'probe'));
    stepper.beginEpoch(schedule);
    // Steps are queued in blocks and read back once per block, as the trainer does.
    let next = 0;
    const block = async (n: number) => {
      let last: tf.Scalar | null = null;
      for (let i = 0; i < n; i++) {
        last?.dispose();
        last = stepper.step(next++ % schedule.length);
      }
      await last!.data(); // waits for the device
      last!.dispose();
    };
    let t = performance.now();
    await block(1);
    const warmupMs = performance.now() - t;
    const min = opts.minSteps ?? 2, max = opts.maxSteps ?? 32;
    let steps = 0;
    let size = 1;
    let final = { ms: 0, steps: 1 };
    t = performance.now();
    while (steps < max) {
      const tb = performance.now();
      await block(size);
      steps += size;
      const elapsed = performance.now() - t;
      final = { ms: performance.now() - tb, steps: size };
      if (opts.giveUpMs !== undefined && elapsed / steps > opts.giveUpMs) break;
      if (steps >= min && elapsed > opts.budgetMs) break;
      size = Math.min(size * 2, max - steps);
    }
    return { msPerStep: final.ms / final.steps, steps, warmupMs, stepper: stepper.kind };
  } finally {
    stepper.dispose();
    model.dispose();
  }
}
