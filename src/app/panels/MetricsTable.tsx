/** Per task: every model beside Popularity and Oracle, overall and per popularity bucket, and the joint gain (under both checkpoint selections where the run has them). */
import { memo } from 'react';
import { Glossed } from '../Glossed';
import { semanticIds, type Config } from '../../engine/core/config';
import { BUCKETS, type TaskEval } from '../../engine/eval/metrics';
import { FIELD_METRIC_INFO, FIELD_METRICS, fieldKey, MODEL_LABELS, SELECTION_WORDS, type ModelName, type ModelReport, type RunReport } from '../../engine/core/report';
import type { Task } from '../../engine/core/encode';
import { fmt, pct } from '../format';

const SINGLE: Record<Task, ModelName> = { search: 'search', rec: 'rec' };

/** The field's other metrics (metrics.ts BeyondAccuracy; docs/report.md defines each), one click away. */
function MoreMetrics({ task, k, rows }: { task: Task; k: number; rows: { name: string; ev?: TaskEval }[] }) {
  const withK = (t: string) => t.replace(/\bK\b/g, String(k));
  const cols = FIELD_METRICS.map((m) => ({ key: fieldKey(m, k), label: withK(FIELD_METRIC_INFO[m].label), help: withK(FIELD_METRIC_INFO[m].help) }));
  const shown = rows.filter((r) => r.ev && typeof r.ev[fieldKey('arp', k)] === 'number');
  if (!shown.length) return null;
  return (
    <details className="more-metrics" data-testid={`more-metrics-${task}`}>
      <summary>More metrics: MRR, @5, and popularity bias (coverage, ARP, APLT, Gini, lift)</summary>
      <table>
        <thead><tr><th scope="col">scorer</th>{cols.map(({ key, label, help }) => <th scope="col" key={key} title={help}>{label}</th>)}</tr></thead>
        <tbody>
          {shown.map((row) => (
            <tr key={row.name}><th scope="row">{row.name}</th>{cols.map(({ key }) => <td className="num" key={key}>{typeof row.ev![key] === 'number' ? fmt(row.ev![key] as number, key.startsWith('arp') ? 1 : 3) : '—'}</td>)}</tr>
          ))}
        </tbody>
      </table>
    </details>
  );
}

function MetricsTableBody({ models, run, config, traditional = true }: {
  models: Partial<Record<ModelName, ModelReport>>; run: RunReport | undefined; config: Config;
  /** Show BM25 and the bi-encoder (the lesson keeps to Popularity and Oracle, as its stored runs were made). */
  traditional?: boolean;
}) {
  const k = config.k;
  const r = `recall@${k}`, n = `ndcg@${k}`;
  const showTraditional = traditional && Boolean(run?.baselines.bm25 || run?.baselines.biencoder);
  const jm = models.joint;
  return (
    <div className="metrics" data-testid="metrics">
      {(['search', 'rec'] as Task[]).map((task) => {
        const rows: { name: string; ev?: TaskEval; kl?: number; kind: string }[] = [
          { name: 'Popularity', ev: run?.baselines.popularity.eval[task], kl: run?.baselines.popularity.popularity[task].kl, kind: 'baseline' },
          ...(showTraditional && task === 'search' && run?.baselines.bm25 ? [{ name: 'BM25', ev: run.baselines.bm25.eval.search, kl: run.baselines.bm25.popularity.search.kl, kind: 'baseline' }] : []),
          ...(showTraditional && run?.baselines.biencoder ? [{ name: 'Bi-encoder', ev: run.baselines.biencoder.eval[task], kl: run.baselines.biencoder.popularity[task].kl, kind: 'baseline' }] : []),
          { name: MODEL_LABELS[SINGLE[task]], ev: models[SINGLE[task]]?.eval[task], kl: models[SINGLE[task]]?.popularity[task]?.kl, kind: 'model' },
          { name: jm?.alternative ? `${MODEL_LABELS.joint} · ${SELECTION_WORDS[jm.selection ?? 'shared']}` : MODEL_LABELS.joint, ev: models.joint?.eval[task], kl: models.joint?.popularity[task]?.kl, kind: 'model' },
          ...(jm?.alternative ? [{ name: `${MODEL_LABELS.joint} · ${SELECTION_WORDS[jm.alternative.selection]}`, ev: jm.alternative.eval[task], kl: jm.alternative.popularity[task]?.kl, kind: 'model alternative' }] : []),
          { name: 'Oracle', ev: run?.baselines.oracle?.eval[task], kl: run?.baselines.oracle?.popularity[task].kl, kind: 'baseline' },
        ];
        const single = models[SINGLE[task]]?.eval[task]?.[r] as number | undefined;
        const joint = models.joint?.eval[task]?.[r] as number | undefined;
        const gain = single && joint !== undefined ? (joint - single) / single : undefined;
        const otherJoint = jm?.alternative?.eval[task]?.[r] as number | undefined;
        const otherGain = single && otherJoint !== undefined ? (otherJoint - single) / single : undefined;
        return (
          <div className="table-scroll" key={task}>
          <table>
            <caption>
              {task === 'search' ? 'Search: query → item' : 'Recommendation: history → next item'}
              <span className={`gain ${gain === undefined ? '' : gain >= 0 ? 'up' : 'down'}`} data-testid={`gain-${task}`}>joint gain {pct(gain)}{jm?.alternative && <span className="muted"> ({SELECTION_WORDS[jm.selection ?? 'shared']}; {pct(otherGain)} with {SELECTION_WORDS[jm.alternative.selection]})</span>}</span>
            </caption>
            <thead>
              <tr>
                <th scope="col">scorer</th>
                <th scope="col">{k === 10 ? <Glossed text="Recall@10" /> : `Recall@${k}`}</th>
                <th scope="col">{k === 10 ? <Glossed text="NDCG@10" /> : `NDCG@${k}`}</th>
                {BUCKETS.map((b) => <th scope="col" key={b} title={`Recall@${k} on test targets in the ${b} bucket`}>{b}</th>)}
                <th scope="col"><Glossed text="cold" /></th>
                <th scope="col"><Glossed text="pop KL" /></th>
                <th scope="col" title={`Share of the generated top-${k} IDs that are real items (1 for atomic IDs; with semantic IDs, beam search is constrained to valid IDs)`}>valid</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((row) => (
                <tr key={row.name} className={row.kind}>
                  <th scope="row">{row.name}</th>
                  <td className="num">{fmt(row.ev?.[r] as number)}</td>
                  <td className="num">{fmt(row.ev?.[n] as number)}</td>
                  {BUCKETS.map((b) => <td className="num" key={b}>{fmt(row.ev?.byBucket[b][r])}</td>)}
                  <td className="num">{row.ev?.byBucket.cold?.count ? fmt(row.ev.byBucket.cold[r]) : '—'}</td>
                  <td className="num">{fmt(row.kl)}</td>
                  <td className="num">{typeof row.ev?.validRate === 'number' ? fmt(row.ev.validRate, 2) : '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <MoreMetrics task={task} k={k} rows={rows} />
          </div>
        );
      })}
      <p className="caption">
        <strong>What to look for:</strong> every model should sit between Popularity (the floor) and Oracle (the exact posterior of the
        simulation, the ceiling).{showTraditional && ' BM25 (lexical, search only) and the bi-encoder (two towers trained on both tasks with the models\' encoder and budget, ranking by nearest neighbour) are the traditional references generative retrieval is an alternative to.'} The joint gain is Gen_R+S's relative change in Recall@{k} over the single-task model{jm?.alternative ? <>, with Gen_R+S evaluated under its configured checkpoint selection ({SELECTION_WORDS[jm.selection ?? 'shared']}); the row below it is the other selection ({SELECTION_WORDS[jm.alternative.selection]}): per-task checkpoints give each task the weights of its own best validation epoch, as the single-task models have; one shared checkpoint is what one deployed model would use</> : ''}. Buckets split the
        test targets by training frequency (head = the items making the first third of training targets; tail includes items the task never saw);
        cold is Recall on those never-seen items alone (— when there are none). Valid is the share of generated top-{k} IDs that name a real item.
        {semanticIds(config) && ` With semantic IDs, Recall and NDCG come from the top ${k} of a beam search over valid IDs (width ${Math.max(k, 10)}), and pop KL from each model's exact distribution over real items (the product of its code probabilities, renormalised over codes that continue a real item).`}
      </p>
    </div>
  );
}

/** Drawn again only when its props change (not at every training tick of the page). */
export const MetricsTable = memo(MetricsTableBody);
