/**
 * The lab worker: trains in a module Web Worker so the page stays responsive. For each
 * job it picks a backend (measured, or as the URL forces), says what a run will cost and
 * waits for a yes on long ones, runs one job at a time (a run, a sweep, a run on files:
 * the engine's job runner, studies/jobs.ts, runs it), stops on
 * request, and if the WebGPU device is lost it falls back to the next backend, says so,
 * and runs again. It also parses catalogues given as files and keeps the last one: the
 * data never leaves the browser.
 */
import * as tf from '@tensorflow/tfjs';
import { BACKENDS, type BackendName } from '../engine/core/backends';
import { withoutAblations, type Config } from '../engine/core/config';
import { importData, type DataFiles, type ImportedData } from '../engine/data/import';
import { importedSeedData } from '../engine/data/seed-data';
import type { ExperimentEvent } from '../engine/run/experiment';
import { runJob, type Job as EngineJob } from '../engine/studies/jobs';
import { checkFusedCodeKernels, checkFusedKernels } from '../engine/train/check-kernels';
import { plannedSteps, plannedStepsOn, timeTrainingSteps } from '../engine/run/probe';
import { cacheKey, measureBackends, switchTo, wasmThreads } from './backend-choice';
import { chooseBrowserBackend, destroyDevice, deviceLost } from './browser-backends';
import type { BackendRequest, FromWorker, ToWorker } from './protocol';

/** WebGPU errors that mean the device is gone (a destroyed device unmaps its buffers, fails its maps). */
const GPU_FAILURE = /GPUBuffer|GPUDevice|mapAsync|device (was |is )?(lost|destroyed)/i;

/** Runs expected to train longer than this ask first. */
const CONFIRM_SECONDS = 120;

const post = (m: FromWorker) => (self as unknown as Worker).postMessage(m);
let stopRequested = -1;
let lost: string | null = null;
let lostSignal: Promise<string> = new Promise(() => {});
/** ms per step measured for the backend in use, by step shape (for the cost estimate). */
let measured: { key: string; backend: BackendName; msPerStep: number } | null = null;
const confirmations = new Map<number, (start: boolean) => void>();

function watchDevice(): void {
  lost = null;
  lostSignal = deviceLost();
  lostSignal.then((why) => { lost = why; });
}

/** Picks the job's backend; returns it and the order to fall back along. */
async function prepare(req: BackendRequest, cfg: Config, note?: string): Promise<{ backend: BackendName; rest: BackendName[] }> {
  if (req.mode === 'forced') {
    const { backend, attempts } = await chooseBrowserBackend(req.order);
    post({ type: 'backend', backend, attempts, note, wasm: wasmThreads() });
    watchDevice();
    // Time a few steps anyway, for the cost estimate (the shaders it compiles are reused).
    const t = await timeTrainingSteps(cfg, { budgetMs: 1500, minSteps: 3, maxSteps: 128 });
    measured = { key: '', backend, msPerStep: t.msPerStep };
    return { backend, rest: req.order.slice(req.order.indexOf(backend) + 1) };
  }
  const key = await cacheKey(cfg);
  const hit = req.cache[key];
  let choice = hit && (await switchTo(hit.backend)) ? hit : null;
  const cached = choice !== null;
  choice ??= await measureBackends(cfg);
  const best = choice.speeds.find((s) => s.name === choice!.backend);
  measured = { key, backend: choice.backend, msPerStep: best?.msPerStep ?? NaN };
  post({ type: 'backend', backend: choice.backend, attempts: [{ name: choice.backend, ok: true }], note, choice: { ...choice, cacheKey: key, cached }, wasm: wasmThreads() });
  watchDevice();
  return { backend: choice.backend, rest: BACKENDS.slice(BACKENDS.indexOf(choice.backend) + 1).filter((b) => b !== 'webgl' || choice!.backend === 'webgpu') };
}

/** Training steps a job trains at most: every model, seed and sweep point, and the joint
 *  model again without the ablation where one is on; apart, the bi-encoders' steps. */
function jobSteps(msg: Job): { models: number; references: number } {
  const seeds = msg.seeds.length;
  const split = (p: { total: number; references: number }) => ({ models: (p.total - p.references) * seeds, references: p.references * seeds });
  if (msg.type === 'runData') {
    if (!imported) return { models: 0, references: 0 };
    return split(plannedStepsOn({ search: imported.data.searchTrain, rec: imported.data.recTrain }, msg.config, imported.items));
  }
  if (msg.type === 'sweep') {
    return msg.values.map((v) => split(plannedSteps({ ...msg.config, [msg.key]: v } as Config)))
      .reduce((a, b) => ({ models: a.models + b.models, references: a.references + b.references }), { models: 0, references: 0 });
  }
  const plain = withoutAblations(msg.config);
  const s = split(plannedSteps(msg.config));
  return { models: s.models + (plain ? plannedSteps(plain).joint * seeds : 0), references: s.references };
}

/** Says what the job will cost (at the step times measured on its first world: the joint
 *  model's, and the bi-encoder's where one trains, timed here); on long jobs waits for the
 *  page's answer. */
async function planRun(runId: number, steps: { models: number; references: number }, backend: BackendName, cfg: Config): Promise<boolean> {
  if (!measured || measured.backend !== backend || !Number.isFinite(measured.msPerStep)) return true;
  // The bi-encoder never takes the fused kernels: its step costs what it costs, measured briefly.
  const referenceMs = steps.references ? (await timeTrainingSteps(cfg, { budgetMs: 400, minSteps: 3, maxSteps: 32, towers: true })).msPerStep : 0;
  const seconds = (steps.models * measured.msPerStep + steps.references * referenceMs) / 1000;
  const needsConfirm = seconds > CONFIRM_SECONDS;
  post({ type: 'plan', runId, backend, msPerStep: measured.msPerStep, steps: steps.models, seconds, needsConfirm, ...(steps.references ? { reference: { steps: steps.references, msPerStep: referenceMs } } : {}) });
  if (!needsConfirm) return true;
  return new Promise((resolve) => confirmations.set(runId, resolve));
}

type Job = Extract<ToWorker, { type: 'run' | 'sweep' | 'runData' }>;

/** The last catalogue imported from files (it never leaves this worker). */
let imported: ImportedData | null = null;

/** A public dataset's files → the import format, as the runner's --convert does (the files as lines). */
async function convertFiles(conv: NonNullable<Extract<ToWorker, { type: 'importData' }>['convert']>): Promise<{ files: DataFiles; summary: string }> {
  const lines = (name: string) => (conv.files[name] === undefined ? undefined : conv.files[name].split('\n'));
  if (conv.format === 'kuaisar') {
    const { convertKuaiSar } = await import('../engine/data/convert/kuaisar');
    return convertKuaiSar({ items: lines('item_features.csv')!, rec: lines('rec_inter.csv')!, search: lines('src_inter.csv')! });
  }
  const { convertMovieLens } = await import('../engine/data/convert/movielens');
  return convertMovieLens({ movies: lines('movies.csv')!, ratings: lines('ratings.csv')!, tags: lines('tags.csv'), queries: lines('queries.csv') });
}

async function importFiles(msg: Extract<ToWorker, { type: 'importData' }>): Promise<void> {
  try {
    const c = msg.config;
    const converted = msg.convert ? await convertFiles(msg.convert) : null;
    imported = importData(msg.name, converted?.files ?? msg.files, { vocabSize: c.vocabSize, queryLength: c.queryLength, historyLength: c.historyLength, seed: c.seed });
    const stats = importedSeedData(imported, c.seed).dataStats;
    post({
      type: 'dataSummary', runId: msg.runId,
      summary: { name: imported.name, counts: imported.counts, dropped: imported.dropped, categories: imported.categories.length, popularityKL: stats.trainPopularityKL, coverage: stats.coverage, ...(converted ? { conversion: converted.summary } : {}) },
    });
  } catch (e) {
    imported = null;
    post({ type: 'dataError', runId: msg.runId, message: e instanceof Error ? e.message : String(e) });
  }
}

/** The job a message asks for, run by the engine's one job runner; its results posted back. */
async function execute(msg: Job, stop: () => boolean): Promise<void> {
  if (msg.type === 'runData' && !imported) throw new Error('no catalogue is loaded: choose the three files first');
  const tensorsBefore = tf.memory().numTensors;
  const onEvent = (event: ExperimentEvent) => post({ type: 'event', runId: msg.runId, event });
  const job: EngineJob = msg.type === 'runData' ? { kind: 'data', config: msg.config, seeds: msg.seeds, data: imported! }
    : msg.type === 'run' ? { kind: 'run', config: msg.config, seeds: msg.seeds, withoutAblation: true }
    : { kind: 'sweep', config: msg.config, key: msg.key, values: msg.values, seeds: msg.seeds, experiment: msg.experiment };
  const result = await runJob(job, {
    onEvent, shouldStop: stop,
    onPoint: (sweep, report) => post({ type: 'sweepPoint', runId: msg.runId, sweep, report }),
  });
  if (lost !== null) return; // the run restarts on the next backend
  if (result.kind === 'sweep') post({ type: 'sweepDone', runId: msg.runId, sweep: result.sweep, tensors: tf.memory().numTensors, tensorsBefore });
  else post({ type: 'done', runId: msg.runId, report: result.report, without: result.without, tensors: tf.memory().numTensors, tensorsBefore });
}

async function run(msg: Job): Promise<void> {
  // For imported data the probe times a simulated world of the same catalogue size.
  const probeConfig = msg.type === 'runData' && imported ? { ...msg.config, items: Math.min(20000, Math.max(2 * msg.config.topics, imported.items)) } : msg.config;
  let { backend, rest } = await prepare(msg.backends, probeConfig);
  if (!(await planRun(msg.runId, jobSteps(msg), backend, probeConfig))) {
    post({ type: 'cancelled', runId: msg.runId });
    return;
  }
  for (;;) {
    try {
      await execute(msg, () => stopRequested === msg.runId || lost !== null);
      if (lost === null) return;
    } catch (e) {
      // A failed GPU call can surface before the device's lost promise settles, which can
      // wait until the work already queued has drained (seconds on a software adapter, far
      // longer on a loaded machine). A WebGPU error that names a buffer or the device is a
      // lost device too, whether or not the promise has settled yet.
      if (lost === null && backend === 'webgpu') {
        lost = await Promise.race([lostSignal, new Promise<null>((r) => setTimeout(() => r(null), 10000))]);
        const message = e instanceof Error ? e.message : String(e);
        if (lost === null && GPU_FAILURE.test(message)) lost = message;
      }
      if (lost === null) throw e;
    }
    // The GPU device was lost mid-run: fall back to the next backend and run again.
    const why = lost;
    if (!rest.length) throw new Error(`the ${backend} device was lost (${why}) and no other backend is left to try`);
    ({ backend, rest } = await prepare({ mode: 'forced', order: rest }, msg.config, `WebGPU device lost (${why}); fell back and restarted the run`));
  }
}

// One job at a time: a new one waits until the previous one (stopped or not) has ended.
let queue: Promise<void> = Promise.resolve();

self.onmessage = (e: MessageEvent<ToWorker>) => {
  const msg = e.data;
  if (msg.type === 'stop') {
    stopRequested = msg.runId;
    confirmations.get(msg.runId)?.(false);
  } else if (msg.type === 'confirm') {
    confirmations.get(msg.runId)?.(msg.start);
    confirmations.delete(msg.runId);
  } else if (msg.type === 'loseDevice') destroyDevice();
  else if (msg.type === 'importData') queue = queue.then(() => importFiles(msg));
  else if (msg.type === 'checkKernels') {
    queue = queue.then(async () => {
      try {
        if (!(await switchTo('webgpu'))) throw new Error('WebGPU cannot start in this browser');
        const codes = (await checkFusedCodeKernels()).map((c) => ({ ...c, name: `semantic ${c.name}` }));
        post({ type: 'kernelChecks', checks: [...(await checkFusedKernels()), ...codes] });
      } catch (e) {
        post({ type: 'kernelChecks', checks: null, error: e instanceof Error ? e.message : String(e) });
      }
    });
  }
  else queue = queue.then(() => run(msg).catch((err) => post({ type: 'error', runId: msg.runId, message: err instanceof Error ? err.message : String(err) })));
};
