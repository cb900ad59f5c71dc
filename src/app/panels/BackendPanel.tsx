/**
 * What the worker measured before training: each backend's milliseconds per training
 * step on this world, which one won and why, whether WASM runs threaded, the run's
 * expected training time, and the question before a long run.
 */
import type { BackendName } from '../../engine/core/backends';
import { semanticIds } from '../../engine/core/config';
import { useEffect, useState } from 'react';
import { forgetChoice } from '../backend-cache';
import { useLab } from '../store';

const LABEL: Record<BackendName, string> = { webgpu: 'WebGPU', webgl: 'WebGL', wasm: 'WASM', cpu: 'CPU' };

function duration(seconds: number): string {
  if (seconds < 90) return `${seconds.toFixed(seconds < 10 ? 1 : 0)} s`;
  const m = seconds / 60;
  return m < 90 ? `${m.toFixed(1)} min` : `${(m / 60).toFixed(1)} h`;
}

export function BackendPanel() {
  const { backend, plan, confirmRun, status, sweep, trainedConfig, runId } = useLab();
  const [forgotten, setForgotten] = useState(false);
  const busy = status === 'training' || status === 'starting';
  const measuredAt = backend?.choice?.measuredAt;
  useEffect(() => setForgotten(false), [measuredAt]);
  if (!backend) return null;
  const { choice, wasm } = backend;
  // A Lab run, a run on your files, a lesson world or a sweep: each asks here before a long job.
  const waiting = plan?.needsConfirm && plan.runId === runId && (status === 'starting' || sweep.status === 'starting');
  return (
    <section className="notice info backend-panel" aria-label="Backend">
      {choice && (
        <div data-testid="backend-speeds">
          <p>
            <strong>Measured on this device</strong> ({choice.cached ? `remembered from ${new Date(choice.measuredAt).toLocaleString()}` : 'just now'}; a few
            training steps of this world's joint model on each backend):
          </p>
          <ul>
            {choice.speeds.map((s) => (
              <li key={s.name} data-backend={s.name}>
                <strong>{LABEL[s.name]}</strong>: {s.msPerStep === null ? 'not measured' : `${s.msPerStep.toFixed(1)} ms per step`}{' '}
                <span className="muted">({s.note})</span>
              </li>
            ))}
          </ul>
          <p data-testid="backend-reason">
            {choice.reason}{' '}
            <button type="button" className="small" data-testid="measure-again" disabled={busy} onClick={() => { forgetChoice(null); setForgotten(true); }}>
              {forgotten ? 'Forgotten: the next run measures again' : 'Measure again'}
            </button>
          </p>
        </div>
      )}
      <p data-testid="wasm-threads">
        {wasm.crossOriginIsolated
          ? `WASM can run threaded: the page is cross-origin isolated${wasm.threads ? ` (${wasm.threads} thread${wasm.threads === 1 ? "" : "s"})` : ''}.`
          : 'WASM runs on one thread: this page is not cross-origin isolated (its server does not send the COOP/COEP headers; see docs/app.md, "Serving it yourself").'}
      </p>
      {plan && (
        <p data-testid="cost-estimate" data-seconds={plan.seconds.toFixed(1)}>
          Expected training time on {LABEL[plan.backend]}: about <strong>{duration(plan.seconds)}</strong> ({plan.steps.toLocaleString()} steps at most ×{' '}
          {plan.msPerStep.toFixed(1)} ms{plan.reference && `, and the bi-encoder's ${plan.reference.steps.toLocaleString()} × ${plan.reference.msPerStep.toFixed(1)} ms`}; early stopping often ends sooner, and evaluation adds {trainedConfig && semanticIds(trainedConfig) ? 'more: semantic IDs validate and evaluate by beam search' : 'a little'}).
        </p>
      )}
      {waiting && (
        <div className="confirm" role="alertdialog" aria-label="Start a long run?" data-testid="confirm-run">
          <p>This run is expected to take about {duration(plan!.seconds)}. Start it?</p>
          <button type="button" className="primary" data-testid="confirm-start" onClick={() => confirmRun(true)}>Start</button>{' '}
          <button type="button" data-testid="confirm-cancel" onClick={() => confirmRun(false)}>Cancel</button>
        </div>
      )}
    </section>
  );
}
