/** Sweeps: a built-in experiment or any knob over chosen values, trained in the worker, curves filling in. */
import { useState } from 'react';
import { ConfigError, PARAMS, resolveConfig, type ConfigKey } from '../../engine/core/config';
import { experimentConfig, parseSweepSpec, sweepCsv, SWEEP_EXPERIMENTS } from '../../engine/studies/sweep';
import { downloadText } from '../charts/ExportButtons';
import { SWEEP_METRICS, SweepChart, type SweepMetric } from '../charts/SweepChart';
import { claimOf, findingsClaims, qText, slopeText, verdictText } from '../../engine/studies/findings';
import type { Interval } from '../../engine/core/report';
import { quantityLabel } from '../../engine/studies/trends';
import { pct } from '../format';

const gainText = (g: Interval | undefined) => (g ? `${pct(g.mean)}${g.ci95 ? ` [${pct(g.ci95[0])}, ${pct(g.ci95[1])}]` : ''}` : '—');
import { useLab } from '../store';

const CUSTOM = '__custom';
/** The studies a browser can sweep: the simulated ones (a real-data study's seed trains for minutes; they are stored, in Findings). */
const BROWSER_STUDIES = SWEEP_EXPERIMENTS.filter((e) => !e.data);

export function SweepsView() {
  const { config, sweep: state, runSweep, stopSweep, openPoint, status } = useLab();
  const [choice, setChoice] = useState<string>(BROWSER_STUDIES[0].name);
  const [key, setKey] = useState<ConfigKey>('recCoverage');
  const [valuesText, setValuesText] = useState('0.2,0.6,1');
  const [seeds, setSeeds] = useState(3);
  const [metric, setMetric] = useState<SweepMetric>('gain');
  const [error, setError] = useState<string | null>(null);
  const busy = state.status === 'training' || state.status === 'starting';
  const experiment = BROWSER_STUDIES.find((e) => e.name === choice);

  const start = () => {
    try {
      if (experiment) {
        // A built-in experiment runs on its own base world (the lab's seed kept).
        const base = experimentConfig(experiment, { seed: config.seed });
        runSweep({ config: base, key: experiment.key, values: experiment.values, seeds, experiment: experiment.name });
      } else {
        const spec = parseSweepSpec(`${key}=${valuesText}`, config);
        runSweep({ config, key: spec.key, values: spec.values, seeds, experiment: null });
      }
      setError(null);
    } catch (e) {
      setError(e instanceof ConfigError ? e.message : String(e));
    }
  };
  const left = state.done > 0 && busy ? (state.elapsed / state.done) * (state.total - state.done) : null;
  const sw = state.sweep;
  // This sweep's trends are one family: each verdict called at q < 0.05 among them.
  const family = sw?.trends ? findingsClaims([sw]) : [];
  return (
    <div className="sweeps" data-testid="sweeps-view">
      <section className="sweep-form" aria-label="Sweep settings">
        <div>
          <label htmlFor="sweep-choice">Experiment</label>
          <select id="sweep-choice" data-testid="sweep-choice" value={choice} disabled={busy} onChange={(e) => setChoice(e.target.value)}>
            {BROWSER_STUDIES.map((e) => <option key={e.name} value={e.name}>{e.title}</option>)}
            <option value={CUSTOM}>Any knob… (on the lab's current world)</option>
          </select>
          <p className="help">{experiment ? `${experiment.question} Sweeps ${experiment.key} over ${experiment.values.join(', ')}.` : 'Sweeps one knob of the world set in the lab.'} The studies on real data (MovieLens) are stored in Findings: one of their seeds trains for about ten minutes, so they are made with <code>npm run findings</code>.</p>
        </div>
        {!experiment && (
          <>
            <div>
              <label htmlFor="sweep-key">Knob</label>
              <select id="sweep-key" value={key} disabled={busy} onChange={(e) => setKey(e.target.value as ConfigKey)}>
                {PARAMS.filter((p) => p.key !== 'seed' && p.group !== 'import').map((p) => <option key={p.key} value={p.key}>{p.key}</option>)}
              </select>
            </div>
            <div>
              <label htmlFor="sweep-values">Values (comma-separated)</label>
              <input id="sweep-values" data-testid="sweep-values" value={valuesText} disabled={busy} onChange={(e) => setValuesText(e.target.value)} />
            </div>
          </>
        )}
        <div>
          <label htmlFor="sweep-seeds">Seeds per value</label>
          <input id="sweep-seeds" type="number" min={1} max={20} value={seeds} disabled={busy} onChange={(e) => setSeeds(Math.max(1, Math.min(20, Math.round(Number(e.target.value)) || 1)))} />
          <p className="help">Trends and intervals come from these seeds: 3 show only strong effects; the stored findings use 10.</p>
        </div>
        <div className="sweep-actions">
          <button type="button" className="primary" data-testid="sweep-run" disabled={busy || status === 'training'} onClick={start}>Run sweep</button>
          <button type="button" data-testid="sweep-stop" disabled={!busy} onClick={stopSweep}>Stop</button>
        </div>
      </section>
      {error && <p className="problems" role="alert" data-testid="sweep-error">{error}</p>}
      {state.opened && (
        <p className="sweep-status" role="status" data-testid="sweep-status">
          opened from file {state.opened.file} ({state.opened.seeds.length} seed{state.opened.seeds.length === 1 ? '' : 's'}, {sw?.points.length ?? 0} point(s){state.opened.createdAt ? `, made ${state.opened.createdAt.slice(0, 10)}` : ''}{state.opened.command ? ` by ${state.opened.command}` : ''})
        </p>
      )}
      {state.status !== 'idle' && !state.opened && (
        <p className="sweep-status" role="status" data-testid="sweep-status">
          {busy ? 'running' : state.status}: {state.done}/{state.total} models trained, {sw?.points.length ?? 0} point(s) finished
          {left !== null && ` · about ${Math.ceil(left)} s left`}{!busy && ` · ${state.elapsed.toFixed(0)} s`}
          {state.error && ` · ${state.error}`}
          <progress max={Math.max(1, state.total)} value={state.done} aria-label="Sweep progress" />
        </p>
      )}
      {sw && sw.points.length > 0 && (
        <>
          <div className="sweep-toolbar">
            <label htmlFor="sweep-metric">Show</label>
            <select id="sweep-metric" value={metric} onChange={(e) => setMetric(e.target.value as SweepMetric)}>
              {SWEEP_METRICS.map((m) => <option key={m.id} value={m.id}>{m.label}</option>)}
            </select>
            <button type="button" className="small" onClick={() => downloadText('sweep.json', JSON.stringify(sw, null, 1))}>Export sweep.json</button>
            <button type="button" className="small" onClick={() => downloadText('sweep.csv', sweepCsv(sw), 'text/csv')}>Export CSV</button>
          </div>
          <SweepChart sweep={sw} metric={metric} onOpen={openPoint} />
          {sw.trends && sw.trends.length > 0 && (
            <ul className="verdicts" data-testid="sweep-trends" aria-label="Trends along the sweep">
              {sw.trends.map((t) => {
                const c = claimOf(family, sw.experiment ?? '', t);
                const verdict = c?.verdict ?? t.verdict;
                return (
                  <li key={`${t.x}|${t.y}`}>
                    {quantityLabel(t.y)} against {t.x}: {slopeText(t)} — <span className={`verdict ${verdict.replace(' ', '-')}`}>{verdict}</span>
                    {t.verdict === 'not shown' ? ` (${verdictText(t).replace(/^not shown: /, '')})` : ''}{c ? ` (${qText(c, family.length)})` : ''}.
                  </li>
                );
              })}
            </ul>
          )}
          <div className="table-scroll"><table className="sweep-table">
            <caption>Points (open one to see that world's full results in the lab)</caption>
            <thead><tr><th scope="col">{sw.key}</th><th scope="col">KL(p_R‖p_S)</th><th scope="col">rec gain</th><th scope="col">search gain</th><th scope="col" /></tr></thead>
            <tbody>
              {sw.points.map((p, i) => (
                <tr key={String(p.value)}>
                  <th scope="row">{String(p.value)}</th>
                  <td className="num">{p.dataStats.popularityKL.recVsSearch.toFixed(3)}</td>
                  <td className="num">{gainText(p.jointGain.rec)}</td>
                  <td className="num">{gainText(p.jointGain.search)}</td>
                  <td>{state.reports[i] ? <button type="button" className="small" onClick={() => openPoint(i)}>Open in lab</button> : <span className="muted" title="A sweep.json keeps each point's summary, not its runs">—</span>}</td>
                </tr>
              ))}
            </tbody>
          </table></div>
        </>
      )}
    </div>
  );
}
