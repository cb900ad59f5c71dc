/** Bridge Lab's page: the header (actions, views, status), the notices, the backend panel and the view shown. */
import { lazy, Suspense, useEffect, useRef } from 'react';
import { downloadText } from './charts/ExportButtons';
import { ErrorBoundary } from './ErrorBoundary';
import { Controls } from './panels/Controls';
import { BackendPanel } from './panels/BackendPanel';
import { LessonView } from './lesson/LessonView';
import { LabView } from './panels/LabView';
import type { View } from './store';
import { autorunFromUrl, useLab } from './store';
import { useUpdate } from './updates';

// Views a first visit rarely opens load on demand: the first load carries the Lab and the Lesson.
const DataView = lazy(() => import('./panels/DataView').then((m) => ({ default: m.DataView })));
const FindingsView = lazy(() => import('./panels/FindingsView').then((m) => ({ default: m.FindingsView })));
const SweepsView = lazy(() => import('./panels/SweepsView').then((m) => ({ default: m.SweepsView })));
const CompareView = lazy(() => import('./panels/CompareView').then((m) => ({ default: m.CompareView })));
const loading = <p className="loading" role="status">Loading…</p>;

const VIEW_NAMES: Record<View, string> = { lab: 'Lab', lesson: 'Lesson', data: 'Your data', sweeps: 'Sweeps', findings: 'Findings', compare: 'Compare' };
/** A view that failed to draw offers the Lab with its preset's world, and nothing opened. */
const BACK_TO_LAB = { label: 'Back to the Lab', onClick: () => { useLab.getState().reset(); useLab.getState().setView('lab'); } };

/** The imported catalogue's name, for a report trained on files. */
const dataName = (r: { config: object }) => (r.config as { data?: { name: string } }).data?.name;

/** The header's status, one short line (a stored run's provenance is in the Lab's intro, so that the header keeps its height when the run arrives). */
function statusText(s: ReturnType<typeof useLab.getState>): string {
  switch (s.status) {
    case 'idle': return 'ready: press Train';
    case 'starting': return s.plan?.needsConfirm ? 'waiting for your answer' : s.backend ? 'starting…' : 'measuring the backends on this world…';
    case 'training': return `training… ${s.elapsed.toFixed(0)} s`;
    case 'done': return s.stored?.file ? `opened from file ${s.stored.file} (${s.stored.seeds.length} seed${s.stored.seeds.length === 1 ? '' : 's'}${s.stored.createdAt ? `, made ${s.stored.createdAt.slice(0, 10)}` : ''}${s.stored.command ? ` by ${s.stored.command}` : ''})`
      : s.report && dataName(s.report) ? `trained on your files (${dataName(s.report)}, ${s.report.seeds.length} seed${s.report.seeds.length === 1 ? '' : 's'}): done in ${s.elapsed.toFixed(1)} s`
      : s.stored ? 'stored run: press Train to train live' : `done in ${s.elapsed.toFixed(1)} s`;
    case 'stopped': return 'stopped: results of the models that finished are shown';
    case 'error': return `error: ${s.error}`;
  }
}

/** Reads each chosen or dropped .json file and opens it (report.json in the Lab, sweep.json in Sweeps). */
async function openFiles(files: FileList | File[]): Promise<void> {
  for (const f of Array.from(files).filter((x) => x.name.toLowerCase().endsWith('.json'))) await useLab.getState().openResults(f.name, await f.text());
}

function OpenResults() {
  const input = useRef<HTMLInputElement>(null);
  // A .json file dropped anywhere on the page opens too (CSV files go to Your data's own drop zone).
  useEffect(() => {
    const isJson = (e: DragEvent) => Array.from(e.dataTransfer?.items ?? []).some((i) => i.kind === 'file' && (i.type === 'application/json' || i.type === ''));
    const over = (e: DragEvent) => { if (isJson(e)) e.preventDefault(); };
    const drop = (e: DragEvent) => {
      const files = Array.from(e.dataTransfer?.files ?? []).filter((f) => f.name.toLowerCase().endsWith('.json'));
      if (!files.length) return;
      e.preventDefault();
      void openFiles(files);
    };
    window.addEventListener('dragover', over);
    window.addEventListener('drop', drop);
    return () => { window.removeEventListener('dragover', over); window.removeEventListener('drop', drop); };
  }, []);
  return (
    <>
      <button type="button" data-testid="open-results" title="Open a report.json or sweep.json (the runner's, or one exported here); nothing is uploaded" onClick={() => input.current?.click()}>Open results…</button>
      <input ref={input} type="file" accept=".json,application/json" hidden data-testid="open-results-file" aria-label="Results file (report.json or sweep.json)"
        onChange={(e) => { if (e.target.files) void openFiles(e.target.files); e.target.value = ''; }} />
    </>
  );
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
        <OpenResults />
      </div>
      <nav className="tabs" aria-label="Views">
        {(Object.keys(VIEW_NAMES) as View[]).map((v) => (
          <button key={v} type="button" className={s.view === v ? 'tab active' : 'tab'} aria-current={s.view === v ? 'page' : undefined} data-testid={`view-${v}`} onClick={() => s.setView(v)}>
            {VIEW_NAMES[v]}
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
  const { notices, refusal, dismissNotices, backend, openError } = useLab();
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
      {openError && (
        <div className="notice" data-testid="open-error" role="alert">
          <p><strong>That file was not opened:</strong> {openError}</p>
          <button type="button" className="small" onClick={() => useLab.setState({ openError: null })}>Dismiss</button>
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

/** `autorun=1` starts one run per page load, however often the App's mount effect runs (it ran
 *  twice in the built page, and the second call met the first run: "Training did not start"). */
let autorunStarted = false;

export function App() {
  const s = useLab();
  useEffect(() => {
    if (!autorunFromUrl || autorunStarted) return;
    autorunStarted = true;
    useLab.getState().train();
  }, []);
  return (
    <div className={`app view-${s.view}${s.present ? ' present' : ''}`}>
      <Header />
      <UpdateBanner />
      <Notices />
      <BackendPanel />
      <ErrorBoundary key={s.view} what={`The ${VIEW_NAMES[s.view]} view`} back={BACK_TO_LAB} resetKey={s.view === 'sweeps' ? s.sweep.sweep : s.report}>
      {s.view === 'lesson' ? (
        <LessonView />
      ) : s.view === 'data' ? (
        <Suspense fallback={loading}><DataView /></Suspense>
      ) : s.view === 'findings' ? (
        <main className="results wide"><Suspense fallback={loading}><FindingsView /></Suspense></main>
      ) : s.view === 'compare' ? (
        <Suspense fallback={loading}><CompareView /></Suspense>
      ) : s.view === 'sweeps' ? (
        <main className="layout"><Controls /><div className="results"><Suspense fallback={loading}><SweepsView /></Suspense></div></main>
      ) : (
        <LabView />
      )}
      </ErrorBoundary>
    </div>
  );
}
