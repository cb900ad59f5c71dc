/**
 * The lesson: one step at a time, each a question for the class and the charts that
 * answer it, from stored runs (npm run lessons) shown at once and marked as stored, or
 * retrained live in the worker. Contrast steps show world A and world B side by side with
 * the same chart of the joint model and its joint gain. ArrowLeft / ArrowRight move.
 */
import { useEffect, useState } from 'react';
import { effectResult, LIVE_SEEDS, lessonWorld, type EffectResult, type StoredEffects, type StoredLessonRun } from '../../engine/studies/lessons';
import { pText } from '../../engine/eval/evidence';
import type { Report } from '../../engine/core/report';
import { CalibrationChart, EmbeddingChart, ValidationChart } from '../charts/lazy';
import { pct } from '../format';
import { JointGain } from '../panels/JointGain';
import { MetricsTable } from '../panels/MetricsTable';
import { useLab } from '../store';
import { fetchStoredRun } from '../stored-runs';
import { importedDataOf } from '../../engine/core/config';
import { LESSON_STEPS, type LessonChart, type LessonStep } from './steps';
import { fillText, namedWorlds } from './fill';
import { Glossed } from '../Glossed';

function useStoredRuns(ids: string[]): Record<string, StoredLessonRun | null | undefined> {
  const [runs, setRuns] = useState<Record<string, StoredLessonRun | null>>({});
  const key = ids.join(',');
  useEffect(() => {
    for (const id of ids) if (!(id in runs)) fetchStoredRun(id).then((r) => setRuns((x) => ({ ...x, [id]: r })));
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key]);
  return runs;
}

/** The stored runs' effects as one family (public/lessons/effects.json): each one's q-value. */
function useStoredEffects(): StoredEffects | null {
  const [effects, setEffects] = useState<StoredEffects | null>(null);
  useEffect(() => {
    fetch(`${import.meta.env.BASE_URL}lessons/effects.json`).then((r) => (r.ok ? r.json() : null)).then(setEffects).catch(() => setEffects(null));
  }, []);
  return effects;
}

type FamilyEntry = StoredEffects['effects'][number] & { family: number };

const num = (x: number, percent?: boolean) => (percent ? pct(x) : `${x >= 0 ? '+' : '−'}${Math.abs(x).toFixed(3)}`);

/** One effect the step teaches, with its interval, said in words that match what the interval shows. */
function EffectLine({ r: result, stored }: { r: EffectResult; stored?: FamilyEntry }) {
  // A stored run's effect is called at q < 0.05 over the lesson's whole family; a live run's by its own interval.
  const r: EffectResult = stored ? { ...result, verdict: stored.verdict } : result;
  const e = r.evidence, p = r.effect.percent;
  const ci = e.ci95 ? `${num(e.mean, p)} [${num(e.ci95[0], p)}, ${num(e.ci95[1], p)}]` : `${num(e.mean, p)} (one seed: no interval)`;
  const seeds = `${e.n} seed${e.n === 1 ? '' : 's'}${e.method.startsWith('paired') ? ', paired' : ''}`;
  const detect = e.detectable !== null ? ` These seeds would have seen an effect of about ${num(e.detectable, p).replace('+', '±')}.` : '';
  let words: string;
  if (r.effect.expected === 'none') {
    const m = num(r.effect.margin ?? 0, p).replace('+', '±');
    const i90 = e.ci90 ? `${num(e.ci90[0], p)}, ${num(e.ci90[1], p)}` : '—';
    words = r.verdict === 'shown' ? `Shown: the effect is smaller than ${m} (its 90 % interval [${i90}] lies inside the margin: two one-sided tests at 5 %).`
      : r.verdict === 'opposite' ? 'Not as the step says: the interval excludes 0, so there is an effect here.'
        : `Not shown by these runs: the interval includes 0, but its 90 % interval [${i90}] reaches past ${m}, so the data cannot rule out an effect of that size.`;
  } else {
    words = r.verdict === 'shown' ? 'Shown: the interval excludes 0.' : r.verdict === 'opposite' ? 'The opposite: the interval excludes 0 on the other side.'
      : stored?.uncorrected ? `Not shown once the lesson's ${stored.family} effects are counted: the interval alone excludes 0, but its q-value does not pass 0.05.`
        : `Not shown by these runs: the interval includes 0, so the data do not show this effect.${detect}`;
  }
  const test = stored ? ` (${pText(stored.p ?? undefined)}, ${pText(stored.q ?? undefined, 'q')} of ${stored.family} effects)` : result.p !== undefined ? ` (${pText(result.p)}; live runs: no correction for the other effects)` : '';
  return (
    <li className={`effect ${r.verdict.replace(' ', '-')}`} data-verdict={r.verdict}>
      <span className="effect-claim"><Glossed text={r.effect.claim} />:</span> <strong>{ci}</strong> <span className="muted">({seeds})</span> — {words}<span className="muted" data-testid="effect-test">{test}</span>
    </li>
  );
}

function Effects({ step, reports, storedOnly }: { step: LessonStep; reports: Record<string, Report | undefined>; storedOnly: boolean }) {
  const family = useStoredEffects();
  const results = step.effects.map((e) => effectResult(e, reports)).filter((r): r is EffectResult => r !== null);
  if (!results.length) return null;
  // The family's entry for an effect of the stored runs (the same mean: the file and the runs agree).
  const storedOf = (r: EffectResult): FamilyEntry | undefined => {
    const f = storedOnly ? family?.effects.find((x) => x.step === step.id && x.claim === r.effect.claim && Math.abs(x.mean - r.evidence.mean) < 1e-9) : undefined;
    return f && family ? { ...f, family: family.family } : undefined;
  };
  return <ul className="lesson-effects" data-testid="lesson-effects">{results.map((r) => <EffectLine key={r.effect.claim} r={r} stored={storedOf(r)} />)}</ul>;
}

function Chart({ spec, report }: { spec: LessonChart; report: Report }) {
  const run = report.runs[0];
  const body = (() => {
    switch (spec.kind) {
      case 'metrics': return <MetricsTable models={run.models} run={run} config={report.config} traditional={false} />;
      case 'calibration': return <CalibrationChart model={spec.model} report={run.models[spec.model]} itemInfo={run.itemInfo} against={spec.against} />;
      case 'embedding': return <EmbeddingChart model={spec.model} report={run.models[spec.model]} itemInfo={run.itemInfo} colorBy={spec.colorBy} codes={run.ids?.codes} labels={spec.colorBy === 'topic' ? importedDataOf(report.config)?.categories : undefined} />;
      case 'validation': return <ValidationChart models={run.models} name={`validation-${report.config.seed}`} />;
    }
  })();
  const cls = ['lesson-chart', spec.highlight ? 'highlight' : '', spec.kind === 'metrics' ? 'wide' : ''].filter(Boolean).join(' ');
  return <div className={cls}>{spec.highlight && <span className="look">Look here</span>}{body}</div>;
}

function WorldPanel({ id, label, step, stored }: { id: string; label: string | null; step: LessonStep; stored: StoredLessonRun | null | undefined }) {
  const live = useLab((s) => s.lessonLive[id]);
  const report = live ?? stored?.report;
  const world = lessonWorld(id);
  return (
    <section className="lesson-world" data-testid={`lesson-world-${label ?? 'single'}`} data-source={live ? 'live' : stored ? 'stored' : 'none'} aria-label={label ? `World ${label}` : 'World'}>
      {label && <h3>{label} · {world.label}</h3>}
      {report ? (
        <>
          <JointGain report={report} />
          <div className={step.charts.length > 1 ? 'lesson-charts many' : 'lesson-charts'}>
            {step.charts.map((c, i) => <Chart key={i} spec={c} report={report} />)}
          </div>
        </>
      ) : (
        <p className="placeholder">{stored === undefined ? 'Loading the stored run…' : 'No stored run for this world yet (npm run lessons makes them). Train live to see it.'}</p>
      )}
    </section>
  );
}

function Source({ step, runs }: { step: LessonStep; runs: Record<string, StoredLessonRun | null | undefined> }) {
  const live = useLab((s) => s.lessonLive);
  const allLive = step.worlds.every((w) => live[w]);
  const first = runs[step.worlds[0]];
  if (allLive) return <p className="lesson-source live" data-testid="lesson-source">Trained live in this page ({LIVE_SEEDS.length} seeds: fewer than the stored runs, so intervals are wider).</p>;
  if (!first) return null;
  return (
    <p className="lesson-source" data-testid="lesson-source">
      Stored run, made {new Date(first.createdAt).toLocaleDateString(undefined, { year: 'numeric', month: 'short', day: 'numeric' })} with <code>{first.command}</code> ({first.report.seeds.length} seeds, {first.backend}). {step.worlds.some((w) => lessonWorld(w).data) ? 'A real catalogue is not retrained live here: open it in the Lab to train it.' : <><em>Train live</em> retrains {step.worlds.length > 1 ? 'both worlds' : 'it'} here.</>}
    </p>
  );
}

export function LessonView() {
  const { lessonStep, setLessonStep, trainLesson, lessonRun, status, stop, openWorldInLab, addNotice } = useLab();
  const n = LESSON_STEPS.length;
  // The address may ask for a step past the last: say so, and show the first.
  const step = LESSON_STEPS[lessonStep < n ? lessonStep : 0];
  useEffect(() => {
    if (lessonStep < n) return;
    addNotice(`step=${lessonStep + 1} is not allowed: the lesson has steps 1 to ${n}. Showing step 1.`);
    setLessonStep(0);
  }, [lessonStep, n, addNotice, setLessonStep]);
  // The step's worlds, and those its words name (their numbers are read from them: fill.ts).
  const runs = useStoredRuns([...new Set([...step.worlds, ...namedWorlds(step)])]);
  const busy = status === 'training' || status === 'starting';
  // A real catalogue's seed takes many minutes on a CPU: its step shows the stored run only.
  const realData = step.worlds.some((id) => lessonWorld(id).data);
  const go = (i: number) => setLessonStep(Math.min(n - 1, Math.max(0, i)));
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const t = e.target as HTMLElement | null;
      if (t && (t.tagName === 'INPUT' || t.tagName === 'SELECT' || t.tagName === 'TEXTAREA')) return;
      if (e.key === 'ArrowRight') go(useLab.getState().lessonStep + 1);
      else if (e.key === 'ArrowLeft') go(useLab.getState().lessonStep - 1);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  });
  const labels = step.worlds.length > 1 ? ['A', 'B'] : [null];
  const live = useLab((s) => s.lessonLive);
  const reports = Object.fromEntries(step.worlds.map((id) => [id, live[id] ?? runs[id]?.report ?? undefined]));
  return (
    <main className="layout lesson-layout">
      <aside className="controls lesson-settings" data-testid="controls" aria-label="Worlds of this step">
        <h2>This step's world{step.worlds.length > 1 ? 's' : ''}</h2>
        {step.worlds.map((id, i) => {
          const w = lessonWorld(id);
          const over = Object.entries(w.overrides);
          return (
            <div key={id} className="lesson-world-settings">
              <p><strong>{labels[i] ? `${labels[i]}: ` : ''}{w.label}</strong></p>
              <p>{w.data ? <>real data <code>{w.data}</code> (imported-data defaults)</> : <>preset <code>{w.preset}</code></>}{over.length ? <>, with {over.map(([k, v]) => <code key={k}>{k}={String(v)} </code>)}</> : null}</p>
              {w.data && <p className="help" data-testid="lesson-real-note">A seed of this catalogue trains for many minutes on a CPU, so this step shows its stored run and offers no live retrain.</p>}
              <button type="button" className="small" onClick={() => openWorldInLab(id, runs[id] ?? null)} data-testid={`lesson-open-${id}`}>Open in the Lab</button>
            </div>
          );
        })}
        <p className="help">The charts show the first seed; the joint gains and the effects are over all the run's seeds (stored runs: {runs[step.worlds[0]]?.report.seeds.length ?? '…'}; <em>Train live</em>: {LIVE_SEEDS.length}).</p>
      </aside>
      <div className="results lesson">
        <nav className="lesson-nav" aria-label="Lesson steps">
          <button type="button" data-testid="lesson-prev" onClick={() => go(lessonStep - 1)} disabled={lessonStep === 0} aria-label="Previous step">← Back</button>
          <span className="lesson-step" data-testid="lesson-step" aria-live="polite">{lessonStep + 1} / {n} · {step.title}</span>
          <button type="button" data-testid="lesson-next" onClick={() => go(lessonStep + 1)} disabled={lessonStep === n - 1} aria-label="Next step">Next →</button>
          <span className="spacer" />
          {step.charts.length > 0 && (busy && lessonRun ? (
            <button type="button" data-testid="lesson-stop" onClick={stop}>Stop ({lessonRun.index + 1} / {lessonRun.worlds.length})</button>
          ) : (
            <button type="button" data-testid="lesson-live" onClick={() => trainLesson(step.worlds)} disabled={busy || realData}
              title={realData ? 'A real catalogue takes many minutes a seed to train: this step shows its stored run. Open it in the Lab to train it there.' : undefined}>Train live</button>
          ))}
        </nav>
        <article className="lesson-step-body" aria-labelledby="lesson-title">
          <h2 id="lesson-title">{step.title}</h2>
          {step.text.map((t) => <p key={t}><Glossed text={fillText(t, runs)} /></p>)}
          <p className="question" data-testid="lesson-question"><strong>Ask the class:</strong> <Glossed text={fillText(step.question, runs)} /></p>
        </article>
        <Effects step={step} reports={reports} storedOnly={step.worlds.every((w) => !live[w])} />
        {step.charts.length > 0 && <Source step={step} runs={runs} />}
        {busy && lessonRun && <LiveProgress />}
        {step.charts.length > 0 ? (
          <div className={step.worlds.length > 1 ? 'lesson-ab' : 'lesson-single'}>
            {step.worlds.map((id, i) => <WorldPanel key={id} id={id} label={labels[i]} step={step} stored={runs[id]} />)}
          </div>
        ) : (
          <p>
            <button type="button" className="primary" data-testid="lesson-open-lab" onClick={() => openWorldInLab(step.worlds[0], runs[step.worlds[0]] ?? null)}>Open the classroom world in the Lab</button>
          </p>
        )}
      </div>
    </main>
  );
}

function LiveProgress() {
  const { progress, lessonRun, elapsed } = useLab();
  if (!lessonRun) return null;
  const world = lessonWorld(lessonRun.worlds[lessonRun.index]);
  const parts = Object.values(progress).map((p) => (p?.finished ? 1 : p && p.totalSteps ? p.step / p.totalSteps : 0));
  const frac = parts.reduce((a, b) => a + b, 0) / 3;
  return (
    <div className="lesson-progress" role="status">
      <label htmlFor="lesson-progress">Training {world.label} ({lessonRun.index + 1} of {lessonRun.worlds.length}), {LIVE_SEEDS.length} seeds · {elapsed.toFixed(0)} s</label>
      <progress id="lesson-progress" data-testid="lesson-progress" max={1} value={frac} />
    </div>
  );
}

