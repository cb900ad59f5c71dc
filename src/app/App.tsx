/** Bridge Lab: the settings on the left, training and the three models' results side by side on the right. */
import { useEffect, useMemo } from 'react';
import { buildWorld } from '../engine/sim/world';
import type { RunReport } from '../engine/core/report';
import { MODEL_LABELS, MODELS } from '../engine/core/report';
import { CalibrationChart } from './charts/CalibrationChart';
import { EmbeddingChart } from './charts/EmbeddingChart';
import { downloadText } from './charts/ExportButtons';
import { LossChart } from './charts/LossChart';
import { Controls } from './panels/Controls';
import { MetricsTable } from './panels/MetricsTable';
import { AblationCompare } from './panels/AblationCompare';
import { BackendPanel } from './panels/BackendPanel';
import { LessonView } from './lesson/LessonView';
import { DataView } from './panels/DataView';
import { FindingsView } from './panels/FindingsView';
import { SweepsView } from './panels/SweepsView';
import type { View } from './store';
import { autorunFromUrl, useLab } from './store';
import { useUpdate } from './updates';

function statusText(s: ReturnType<typeof useLab.getState>): string {
  switch (s.status) {
    case 'idle': return 'ready: press Train';
    case 'starting': return s.plan?.needsConfirm ? 'waiting for your answer' : s.backend ? 'starting…' : 'measuring the backends on this world…';
    case 'training': return `training… ${s.elapsed.toFixed(0)} s`;
    case 'done': return s.stored ? `stored run (${s.stored.seeds.length} seeds, made ${s.stored.createdAt.slice(0, 10)} by ${s.stored.command}): press Train to train live` : `done in ${s.elapsed.toFixed(1)} s`;
    case 'stopped': return 'stopped: results of the models that finished are shown';
    case 'error': return `error: ${s.error}`;
  }
}

function Header() {
  const s = useLab();
  const busy = s.status === 'training' || s.status === 'starting';
  return (
    <header className="top">
      <div className="title">
        <h1>Bridge Lab</h1>
        <p>Does training one generative retriever on both search and recommendation help each task — and why?</p>
      </div>
      <div className="actions">
        <button type="button" className="primary" data-testid="train" onClick={s.train} disabled={busy}>Train</button>
        <button type="button" data-testid="stop" onClick={s.stop} disabled={!busy}>Stop</button>
        <button type="button" data-testid="reset" onClick={s.reset}>Reset</button>
        <button type="button" data-testid="export-report" disabled={!s.report} onClick={() => s.report && downloadText('report.json', JSON.stringify(s.report, null, 1))}>Export report.json</button>
      </div>
      <nav className="tabs" aria-label="Views">
        {(['lab', 'lesson', 'data', 'sweeps', 'findings'] as View[]).map((v) => (
          <button key={v} type="button" className={s.view === v ? 'tab active' : 'tab'} aria-current={s.view === v ? 'page' : undefined} data-testid={`view-${v}`} onClick={() => s.setView(v)}>
            {{ lab: 'Lab', lesson: 'Lesson', data: 'Your data', sweeps: 'Sweeps', findings: 'Findings' }[v]}
          </button>
        ))}
      </nav>
      <div className="state">
        <span data-testid="status" className={`status ${s.status}`} role="status">{statusText(s)}</span>
        <span className="backend" title={s.backend?.attempts.map((a) => `${a.name}: ${a.ok ? 'in use' : a.reason}`).join('\n')}>
          backend <strong data-testid="backend">{s.backend?.name ?? '—'}</strong>
        </span>
        <span className="tensors">live tensors in the worker after the run: <strong data-testid="tensors">{s.tensors ? s.tensors.after : '—'}</strong></span>
      </div>
    </header>
  );
}

/** "A new version is ready", once the service worker has one, and never over a run in progress. */
function UpdateBanner() {
  const { ready, apply } = useUpdate();
  const s = useLab();
  const training = [s.status, s.sweep.status].some((x) => x === 'training' || x === 'starting');
  if (!ready || training) return null;
  return (
    <div className="notice info" data-testid="update-ready" role="status">
      <p>
        A new version of Bridge Lab is ready.{' '}
        <button type="button" className="small primary" data-testid="update-reload" onClick={apply}>Reload to use it</button>
      </p>
    </div>
  );
}

function Notices() {
  const { notices, refusal, dismissNotices, backend } = useLab();
  const skipped = backend?.attempts.filter((a) => !a.ok) ?? [];
  return (
    <>
      {notices.length > 0 && (
        <div className="notice" data-testid="url-notice" role="alert">
          <strong>Some link parameters were not used:</strong>
          <ul>{notices.map((n) => <li key={n}>{n}</li>)}</ul>
          <button type="button" className="small" onClick={dismissNotices}>Dismiss</button>
        </div>
      )}
      {refusal && (
        <div className="notice" data-testid="busy-notice" role="alert">
          <p>{refusal}</p>
          <button type="button" className="small" onClick={dismissNotices}>Dismiss</button>
        </div>
      )}
      {backend && (backend.note || skipped.length > 0) && (
        <div className="notice info" data-testid="backend-notice">
          {backend.note && <p>{backend.note}</p>}
          <p>Training on <strong>{backend.name}</strong>.{skipped.length > 0 && ' Skipped: '}{skipped.map((a) => `${a.name} (${a.reason})`).join('; ')}</p>
        </div>
      )}
    </>
  );
}

function Progress() {
  const { progress, trainedConfig, config } = useLab();
  return (
    <section className="progress" aria-label="Training progress">
      <div className="bars">
        {MODELS.map((m) => {
          const p = progress[m];
          const frac = p?.finished ? 1 : p && p.totalSteps ? p.step / p.totalSteps : 0;
          return (
            <div key={m} className="bar">
              <label htmlFor={`progress-${m}`}>{MODEL_LABELS[m]}</label>
              <progress id={`progress-${m}`} data-testid={`progress-${m}`} max={1} value={frac} />
              <span>{p?.finished ? 'trained' : p ? `epoch ${p.epoch + 1}` : 'waiting'}</span>
            </div>
          );
        })}
      </div>
      <LossChart progress={progress} epochs={(trainedConfig ?? config).epochs} />
    </section>
  );
}

export function App() {
  const s = useLab();
  useEffect(() => {
    if (autorunFromUrl) useLab.getState().train();
  }, []);
  const run = s.report?.runs[0];
  const shownConfig = s.trainedConfig ?? s.config;
  // The world is a pure function of the config: rebuild it here, so each model's charts
  // can be drawn as soon as that model finishes.
  const itemInfo = useMemo<RunReport['itemInfo'] | undefined>(() => {
    if (run) return run.itemInfo;
    if (!s.trainedConfig) return undefined;
    const w = buildWorld(s.trainedConfig);
    return { topic: Array.from(w.topic), cluster: Array.from(w.cluster), pSearch: Array.from(w.pSearch), pRec: Array.from(w.pRec), trainSearch: [], trainRec: [] };
  }, [run, s.trainedConfig]);
  const stale = s.trainedConfig && s.trainedConfig !== s.config && JSON.stringify(s.trainedConfig) !== JSON.stringify(s.config);
  return (
    <div className={`app view-${s.view}${s.present ? ' present' : ''}`}>
      <Header />
      <UpdateBanner />
      <Notices />
      <BackendPanel />
      {s.view === 'lesson' ? (
        <LessonView />
      ) : s.view === 'data' ? (
        <DataView />
      ) : s.view === 'findings' ? (
        <main className="results wide"><FindingsView /></main>
      ) : s.view === 'sweeps' ? (
        <main className="layout"><Controls /><div className="results"><SweepsView /></div></main>
      ) : (
      <main className="layout">
        <Controls />
        <div className="results">
          <section className="intro">
            <p>
              Three small generative retrievers learn one simulated catalogue: <strong>Gen_S</strong> maps a query to an item ID,{' '}
              <strong>Gen_R</strong> maps a listening history to the next item ID, and <strong>Gen_R+S</strong> learns both. Change the world on the
              left, press <em>Train</em>, and compare. <strong>H1</strong>: joint training regularises the popularity the shared output layer learns.{' '}
              <strong>H2</strong>: joint training regularises each item's embedding, tying its content (search) to its co-consumption (recommendation).
            </p>
            {stale && <p className="stale">The settings changed since this run: the results below are for the previous settings.</p>}
          </section>
          <Progress />
          <section aria-label="Accuracy">
            <h2>Accuracy</h2>
            <MetricsTable models={s.models} run={run} config={shownConfig} />
          </section>
          <section aria-label="Popularity calibration">
            <h2>H1 · Popularity calibration</h2>
            <p className="caption">
              Each dot is an item: its true popularity in the task (x) against the share of the model's predictions it receives, averaged over
              the test inputs (y), log–log. Dots on the dashed diagonal mean a calibrated popularity prior; a cloud below it at the left means
              items the model never predicts. Lower KL is better; compare Gen_R's recommendation cloud with Gen_R+S's.
            </p>
            <div className="trio">
              {MODELS.map((m) => <CalibrationChart key={m} model={m} report={s.models[m]} itemInfo={itemInfo} />)}
            </div>
          </section>
          <section aria-label="Item embeddings">
            <h2>H2 · Item embeddings</h2>
            <div className="caption">
              The item-ID embeddings of each model projected to 2-D ({shownConfig.projection === 'umap' ? 'UMAP' : 'PCA'}; the <em>Embedding projection</em> knob switches). Colour by{' '}
              <span role="radiogroup" aria-label="Colour items by" className="toggle">
                <label><input type="radio" name="colorBy" checked={s.colorBy === 'topic'} onChange={() => s.setColorBy('topic')} /> content topic</label>
                <label><input type="radio" name="colorBy" checked={s.colorBy === 'cluster'} onChange={() => s.setColorBy('cluster')} /> CF cluster</label>
              </span>
              . Neighbour agreement is the share of each item's 10 nearest neighbours (cosine, in the full space) that share its topic or
              cluster. Search groups items by content, recommendation by co-consumption; the joint model is pulled towards both.
            </div>
            <div className="trio">
              {MODELS.map((m) => <EmbeddingChart key={m} model={m} report={s.models[m]} itemInfo={itemInfo} colorBy={s.colorBy} codes={run?.ids?.codes} />)}
            </div>
          </section>
          <AblationCompare report={s.report} without={s.without} config={shownConfig} />
          <footer>
            After Penha et al., <em>Bridging Search and Recommendation in Generative Retrieval: Does One Task Help the Other?</em> RecSys 2024.
            The simulation, the models and the metrics are described in docs/simulation.md, docs/models.md and docs/report.md. <span className="muted" data-testid="build-id">Version {__BUILD_ID__}</span>
          </footer>
        </div>
      </main>
      )}
    </div>
  );
}
