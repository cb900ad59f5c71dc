/**
 * One job runner for every host. A job is a run of the three models (with, in the app,
 * the joint model again without its ablation), a sweep, or a run on an imported
 * catalogue; the page's worker and the command-line runner build a job from their input
 * and hand it here with their host: how events, Stop and finished seeds and points reach
 * them, and — for the runner's thread pool — where a point's seeds train. Every job's
 * seeds go through the one seed loop (run/experiment.ts runSeeds).
 */
import { withoutAblations, type Config, type ConfigKey } from '../core/config';
import type { Report, RunReport } from '../core/report';
import type { ImportedData } from '../data/import';
import { importedReportConfig, importedSeedData } from '../data/seed-data';
import { runSeeds, type ExperimentEvent } from '../run/experiment';
import { runSweep, type Sweep, type Value } from './sweep';

export type Job =
  | { kind: 'run'; config: Config; seeds: number[]; /** Also train Gen_R+S without the ablation (the app's side-by-side view). */ withoutAblation?: boolean }
  | { kind: 'sweep'; config: Config; key: ConfigKey; values: Value[]; seeds: number[]; experiment: string | null }
  | { kind: 'data'; config: Config; seeds: number[]; data: ImportedData };

export interface JobHost {
  onEvent?: (e: ExperimentEvent) => void;
  shouldStop?: () => boolean;
  /** Each seed that finished whole. */
  onSeed?: (run: RunReport) => void;
  /** Each finished sweep point: the sweep so far, and the point's full report. */
  onPoint?: (sweep: Sweep, report: Report) => void;
  /** Where a run's or a point's seeds train: here, one after another, by default; the runner's thread pool runs them side by side. */
  trainSeeds?: (cfg: Config, seeds: number[]) => Promise<Report>;
}

export type JobResult =
  | { kind: 'run' | 'data'; report: Report; without: Report | null }
  | { kind: 'sweep'; sweep: Sweep };

/** A job's result: a sweep for a sweep, a report (and the run without its ablation) otherwise. */
export type ResultOf<J extends Job> = J extends { kind: 'sweep' } ? Extract<JobResult, { kind: 'sweep' }> : Extract<JobResult, { kind: 'run' | 'data' }>;

export async function runJob<J extends Job>(job: J, host: JobHost = {}): Promise<ResultOf<J>> {
  return (await run(job, host)) as ResultOf<J>;
}

async function run(job: Job, host: JobHost): Promise<JobResult> {
  const { onEvent, shouldStop, onSeed } = host;
  const train = host.trainSeeds ?? ((cfg: Config, seeds: number[]) => runSeeds(cfg, { seeds, onEvent, shouldStop, onSeed }));
  switch (job.kind) {
    case 'data': {
      const report = await runSeeds(job.config, { seeds: job.seeds, onEvent, shouldStop, onSeed }, (c) => importedSeedData(job.data, c.seed, c));
      report.config = importedReportConfig(job.config, job.data);
      return { kind: 'data', report, without: null };
    }
    case 'run': {
      const report = await train(job.config, job.seeds);
      const plain = job.withoutAblation ? withoutAblations(job.config) : null;
      const without = plain && !report.stopped ? await runSeeds(plain, { seeds: job.seeds, shouldStop, models: ['joint'] }) : null;
      return { kind: 'run', report, without };
    }
    case 'sweep': {
      let finished: Report | null = null;
      const sweep = await runSweep(job.config, job.key, job.values, {
        seeds: job.seeds, experiment: job.experiment, shouldStop,
        runPoint: async (cfg, seeds) => {
          const report = await train(cfg, seeds);
          if (!report.stopped) finished = report;
          return report;
        },
        onPoint: (s) => host.onPoint?.(s, finished!),
      });
      return { kind: 'sweep', sweep };
    }
  }
}
