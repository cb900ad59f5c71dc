/** The Lab: the world's knobs on the left; training progress and the three models' accuracy, calibration (H1) and embeddings (H2) on the right. */
import { useMemo } from 'react';
import { Glossed } from '../Glossed';
import { importedDataOf } from '../../engine/core/config';
import { MODEL_LABELS, MODELS, type RunReport } from '../../engine/core/report';
import { buildWorld } from '../../engine/sim/world';
import { Deferred } from '../charts/Deferred';
import { CalibrationChart, EmbeddingChart, LossChart } from '../charts/lazy';
import { useLab } from '../store';
import { ErrorBoundary } from '../ErrorBoundary';
import { AblationCompare } from './AblationCompare';
import { Controls } from './Controls';
import { MetricsTable } from './MetricsTable';

function Progress() {
  const { progress, trainedConfig, config, status } = useLab();
  const shown = trainedConfig ?? config;
  // The bi-encoder trains before the models: as the reference, or for its semantic IDs. A finished
  // run shows its bar only if it trained one (a stored run made without it does not wait for it).
  const finished = status === 'done' || status === 'stopped';
  const bars = [...((shown.biencoder && !finished) || progress.biencoder ? ['biencoder' as const] : []), ...MODELS];
  return (
    <section className="progress" aria-label="Training progress">
      <div className="bars">
        {bars.map((m) => {
          const p = progress[m];
          const frac = p?.finished ? 1 : p && p.totalSteps ? p.step / p.totalSteps : 0;
          return (
            <div key={m} className={`bar${m === 'biencoder' ? ' reference' : ''}`}>
              <label htmlFor={`progress-${m}`}>{m === 'biencoder' ? 'Bi-encoder (reference)' : MODEL_LABELS[m]}</label>
              <progress id={`progress-${m}`} data-testid={`progress-${m}`} max={1} value={frac} />
              <span>{p?.finished ? 'trained' : p ? `epoch ${p.epoch + 1}` : 'waiting'}</span>
            </div>
          );
        })}
      </div>
      <Deferred minHeight={230}><LossChart progress={progress} epochs={(trainedConfig ?? config).epochs} /></Deferred>
    </section>
  );
}

export function LabView() {
  const s = useLab();
  const run = s.report?.runs[0];
  const shownConfig = s.trainedConfig ?? s.config;
  // The world is a pure function of the config: rebuild it here, so each model's charts
  // can be drawn as soon as that model finishes.
  const itemInfo = useMemo<RunReport['itemInfo'] | undefined>(() => {
    if (run) return run.itemInfo;
    if (!s.trainedConfig || importedDataOf(s.trainedConfig)) return undefined;
    const w = buildWorld(s.trainedConfig);
    return { topic: Array.from(w.topic), cluster: Array.from(w.cluster), pSearch: Array.from(w.pSearch), pRec: Array.from(w.pRec), trainSearch: [], trainRec: [] };
  }, [run, s.trainedConfig]);
  const stale = s.trainedConfig && s.trainedConfig !== s.config && JSON.stringify(s.trainedConfig) !== JSON.stringify(s.config);
  return (
      <main className="layout">
        <Controls />
        <div className="results">
          <section className="intro">
            <p>
              Three small generative retrievers learn one {importedDataOf(shownConfig) ? <>catalogue, here imported (<strong>{importedDataOf(shownConfig)!.name}</strong>)</> : 'simulated catalogue'}: <strong><Glossed text="Gen_S" /></strong> maps a query to an item ID,{' '}
              <strong>Gen_R</strong> maps a listening history to the next item ID, and <strong>Gen_R+S</strong> learns both. Change the world on the
              left, press <em>Train</em>, and compare. <strong><Glossed text="H1" /></strong>: joint training regularises the popularity the shared output layer learns.{' '}
              <strong><Glossed text="H2" /></strong>: joint training regularises each item's embedding, tying its content (search) to its co-consumption (recommendation).
            </p>
            {s.stored && !s.stored.file && (
              <p className="muted" data-testid="stored-source">
                Shown: a stored run ({s.stored.seeds.length} seeds, made {s.stored.createdAt.slice(0, 10)} by <code>{s.stored.command}</code>). Press <em>Train</em> to train live.
              </p>
            )}
            {stale && <p className="stale">The settings changed since this run: the results below are for the previous settings.</p>}
          </section>
          <Progress />
          <section aria-label="Accuracy">
            <h2>Accuracy</h2>
            <ErrorBoundary what="The accuracy table" resetKey={s.report}><MetricsTable models={s.models} run={run} config={shownConfig} /></ErrorBoundary>
          </section>
          <section aria-label="Popularity calibration">
            <h2>H1 · Popularity calibration</h2>
            <p className="caption">
              Each dot is an item: its true popularity in the task (x) against the share of the model's predictions it receives, averaged over
              the test inputs (y), log–log. Dots on the dashed diagonal mean a calibrated popularity prior; a cloud below it at the left means
              items the model never predicts. Lower KL is better; compare Gen_R's recommendation cloud with Gen_R+S's.
            </p>
            <div className="trio">
              {MODELS.map((m) => <Deferred key={m}><CalibrationChart model={m} report={s.models[m]} itemInfo={itemInfo} /></Deferred>)}
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
              {MODELS.map((m) => <Deferred key={m}><EmbeddingChart model={m} report={s.models[m]} itemInfo={itemInfo} colorBy={s.colorBy} codes={run?.ids?.codes} labels={s.colorBy === 'topic' ? importedDataOf(shownConfig)?.categories : undefined} /></Deferred>)}
            </div>
          </section>
          <AblationCompare report={s.report} without={s.without} config={shownConfig} />
          <footer>
            After Penha et al., <em>Bridging Search and Recommendation in Generative Retrieval: Does One Task Help the Other?</em> RecSys 2024.
            The simulation, the models and the metrics are described in docs/simulation.md, docs/models.md and docs/report.md. <span className="muted" data-testid="build-id">Version {__BUILD_ID__}</span>
          </footer>
        </div>
      </main>
  );
}
