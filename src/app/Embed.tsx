/**
 * One chart of a stored run, with nothing around it, for an iframe in slides or a course
 * page: `?embed=1&world=<lesson world>&chart=<name>` (or `step=N` for that lesson step's
 * first world). Charts: metrics, gain, calibration-<model>, embedding-<model> (models:
 * search, rec, joint). It reads the stored run the service worker keeps, so it works offline.
 */
import { useEffect, useState } from 'react';
import { findLessonWorld, LESSON_WORLDS, type StoredLessonRun } from '../engine/studies/lessons';
import { MODELS, type ModelName } from '../engine/core/report';
import { CalibrationChart, EmbeddingChart } from './charts/lazy';
import { LESSON_STEPS } from './lesson/steps';
import { JointGain } from './panels/JointGain';
import { MetricsTable } from './panels/MetricsTable';
import { fetchStoredRun } from './stored-runs';

export const EMBED_CHARTS = ['metrics', 'gain', ...MODELS.map((m) => `calibration-${m}`), ...MODELS.map((m) => `embedding-${m}`)];

/** The world and chart a link asks for, or the problem with it. */
export function parseEmbed(search: string): { world: string; chart: string } | { problem: string } {
  const p = new URLSearchParams(search);
  const chart = p.get('chart') ?? '';
  if (!EMBED_CHARTS.includes(chart)) return { problem: `chart=${chart || '(none)'} is not allowed: use one of ${EMBED_CHARTS.join(', ')}` };
  const step = p.get('step');
  if (step !== null) {
    const n = Number(step);
    if (!/^\d+$/.test(step) || n < 1 || n > LESSON_STEPS.length) return { problem: `step=${step} is not allowed: the lesson has steps 1 to ${LESSON_STEPS.length}` };
    return { world: LESSON_STEPS[n - 1].worlds[0], chart };
  }
  const world = p.get('world') ?? '';
  const found = findLessonWorld(world);
  if (!found) return { problem: `world=${world || '(none)'} is not allowed: use one of ${LESSON_WORLDS.map((w) => w.id).join(', ')}, or step=1 to ${LESSON_STEPS.length}` };
  return { world: found.id, chart };
}

export function Embed({ search }: { search: string }) {
  const asked = parseEmbed(search);
  const [run, setRun] = useState<StoredLessonRun | null | undefined>(undefined);
  const world = 'world' in asked ? asked.world : null;
  useEffect(() => {
    if (world) fetchStoredRun(world).then(setRun);
  }, [world]);
  const body = (() => {
    if ('problem' in asked) return <p role="alert">{asked.problem}.</p>;
    if (run === undefined) return <p role="status">Loading…</p>;
    if (run === null) return <p role="alert">No stored run for {asked.world} (npm run lessons makes them).</p>;
    const r = run.report.runs[0];
    const [kind, model] = asked.chart.split('-') as [string, ModelName];
    if (kind === 'metrics') return <MetricsTable models={r.models} run={r} config={run.report.config} />;
    if (kind === 'gain') return <JointGain report={run.report} />;
    if (kind === 'calibration') return <CalibrationChart model={model} report={r.models[model]} itemInfo={r.itemInfo} />;
    return <EmbeddingChart model={model} report={r.models[model]} itemInfo={r.itemInfo} colorBy="topic" codes={r.ids?.codes} />;
  })();
  return <main className="embed" data-testid="embed" data-ready={run ? 'yes' : 'no'} aria-label="Bridge Lab chart">{body}</main>;
}
