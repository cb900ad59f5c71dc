/**
 * Your data: a catalogue given as three CSV files (items, queries, sessions), parsed in
 * the worker — nothing leaves the browser — summarised before training, then the three
 * models trained on it with the same charts, coloured by category. Also the export of
 * the current simulated world in the same format.
 */
import { IMPORTED_DEFAULTS } from '../../engine/core/config';
import { useState } from 'react';
import { exportWorld } from '../../engine/data/export';
import { MODELS } from '../../engine/core/report';
import { CalibrationChart } from '../charts/CalibrationChart';
import { downloadText } from '../charts/ExportButtons';
import { EmbeddingChart } from '../charts/EmbeddingChart';
import { fmt } from '../format';
import { useLab } from '../store';
import { JointGain } from './JointGain';
import { REAL_WORLDS } from '../real-worlds';
import { MetricsTable } from './MetricsTable';

function Summary() {
  const { dataset } = useLab();
  const s = dataset.summary;
  if (!s) return null;
  const c = s.counts;
  return (
    <dl className="data-summary" data-testid="data-summary">
      <div><dt>items</dt><dd>{c.items.toLocaleString()}</dd></div>
      <div><dt>categories</dt><dd>{s.categories || '— (no category column)'}</dd></div>
      <div><dt>queries (train / val / test)</dt><dd>{c.search.train} / {c.search.val} / {c.search.test}</dd></div>
      <div><dt>sessions → examples (train / val / test)</dt><dd>{c.sessions} → {c.rec.train} / {c.rec.val} / {c.rec.test}</dd></div>
      <div><dt>vocabulary</dt><dd>{c.words} words</dd></div>
      <div><dt>dropped</dt><dd>{s.dropped.shortSessions} sessions shorter than 2, {s.dropped.emptyQueries} queries without words</dd></div>
      <div><dt>KL(p<sub>R</sub>‖p<sub>S</sub>) · KL(p<sub>S</sub>‖p<sub>R</sub>)</dt><dd>{fmt(s.popularityKL.recVsSearch)} · {fmt(s.popularityKL.searchVsRec)}</dd></div>
      <div><dt>items trained on: search · rec</dt><dd>{(s.coverage.search * 100).toFixed(0)} % · {(s.coverage.rec * 100).toFixed(0)} %</dd></div>
      {s.conversion && (
        <details className="conversion" data-testid="data-conversion">
          <summary>Converted from {s.name.replace(' (converted)', '')}: what was kept and dropped</summary>
          <pre>{s.conversion}</pre>
        </details>
      )}
    </dl>
  );
}

export function DataView() {
  const { dataset, importFiles, stopImport, trainData, stop, status, config, progress, loadRealWorld, setView } = useLab();
  const [over, setOver] = useState(false);
  const [seeds, setSeeds] = useState(3);
  const busy = status === 'training' || status === 'starting';
  const report = dataset.report;
  const run = report?.runs[0];
  const exportCurrent = () => {
    const files = exportWorld(config);
    downloadText('items.csv', files.items, 'text/csv');
    downloadText('queries.csv', files.queries, 'text/csv');
    downloadText('sessions.csv', files.sessions, 'text/csv');
  };
  return (
    <main className="results wide data-view" data-testid="data-view">
      <h2>Your data</h2>
      <p className="caption">
        Three CSV files with a header row: <code>items.csv</code> (<code>item_id,text</code>, optionally <code>category</code>), <code>queries.csv</code>{' '}
        (<code>query,item_id</code>) and <code>sessions.csv</code> (<code>session_id,item_id</code>, optionally <code>timestamp</code>). They are read and parsed
        here, in this browser: nothing is uploaded. Queries are split 80/10/10; each session's last item is a test target and the one before it a
        validation target (docs/runner.md, "Your own data"). A public dataset's own files convert here first, as the runner's <code>--convert</code> does:
        MovieLens (<code>movies.csv</code>, <code>ratings.csv</code>, optionally <code>tags.csv</code>) or KuaiSAR (<code>item_features.csv</code>,{' '}
        <code>rec_inter.csv</code>, <code>src_inter.csv</code>). Search logs rarely name every item, so the models also learn each item's own text → its ID
        (<em>indexing examples</em>, as DSI does): {IMPORTED_DEFAULTS.indexing} per item here unless the Lab's <em>Indexing examples per item</em> knob says otherwise.
      </p>
      <div
        className={over ? 'drop over' : 'drop'} data-testid="data-drop"
        onDragOver={(e) => { e.preventDefault(); setOver(true); }}
        onDragLeave={() => setOver(false)}
        onDrop={(e) => { e.preventDefault(); setOver(false); void importFiles([...e.dataTransfer.files]); }}
      >
        <label htmlFor="data-files">Drop the files here, or choose them: </label>
        <input id="data-files" data-testid="data-files" type="file" accept=".csv,text/csv" multiple onChange={(e) => void importFiles([...(e.target.files ?? [])])} />
      </div>
      <p className="examples" data-testid="data-examples">
        Or an example, shipped with the page:{' '}
        {REAL_WORLDS.map((w) => (
          <button key={w.id} type="button" className="small" data-testid={`data-example-${w.id}`} disabled={busy || dataset.status === 'parsing'} title={w.description}
            onClick={() => { void loadRealWorld(w.id); setView('data'); }}>{w.name}</button>
        ))}{' '}
        (also a world of the Lab: <em>Real · …</em>).
      </p>
      {dataset.status === 'parsing' && (
        <p role="status" data-testid="data-parsing">
          Reading the files… <button type="button" className="small" data-testid="data-stop-import" onClick={stopImport}>Stop</button>
        </p>
      )}
      {dataset.error && <p className="notice" role="alert" data-testid="data-error">{dataset.error}</p>}
      <Summary />
      <p>
        <label htmlFor="data-seeds">Seeds </label>
        <input id="data-seeds" data-testid="data-seeds" type="number" min={1} max={10} value={seeds} disabled={busy} onChange={(e) => setSeeds(Math.max(1, Math.min(10, Math.round(Number(e.target.value)) || 1)))} />{' '}
        <button type="button" className="primary" data-testid="data-train" disabled={dataset.status !== 'ready' || busy} onClick={() => trainData(seeds)}>Train on these files</button>{' '}
        <button type="button" data-testid="data-export" onClick={exportCurrent}>Export the Lab's simulated world as these three files</button>
      </p>
      {busy && (
        <p role="status" data-testid="data-progress">
          Training… {MODELS.map((m) => `${m}: ${progress[m]?.finished ? 'trained' : progress[m] ? `epoch ${progress[m]!.epoch + 1}` : 'waiting'}`).join(' · ')}{' '}
          <button type="button" className="small" data-testid="data-stop" onClick={stop}>Stop</button>
        </p>
      )}
      {report && run && (
        <section aria-label="Results on your data" data-testid="data-results">
          <p className="help">The split is drawn once; the seeds vary the models' initialisation and batch order, so the intervals say how much of a gain is the training's luck.</p>
          <JointGain report={report} />
          <MetricsTable models={run.models} run={run} config={report.config} />
          <h3>Popularity calibration</h3>
          <div className="trio">{MODELS.map((m) => <CalibrationChart key={m} model={m} report={run.models[m]} itemInfo={run.itemInfo} />)}</div>
          <h3>Item embeddings, coloured by category</h3>
          <div className="trio">{MODELS.map((m) => <EmbeddingChart key={m} model={m} report={run.models[m]} itemInfo={run.itemInfo} colorBy="topic" codes={run.ids?.codes} labels={(report.config as { data?: { categories?: string[] } }).data?.categories} />)}</div>
        </section>
      )}
    </main>
  );
}
