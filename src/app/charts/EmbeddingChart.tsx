/**
 * Item embeddings (H2): the 2-D PCA projection of one model's item-ID embeddings (with
 * semantic IDs, each item's sum of code embeddings), coloured by content topic or by CF
 * cluster, with neighbour agreement against chance; hovering an item shows its codes.
 */
import { ErrorBoundary } from '../ErrorBoundary';
import { memo, useRef } from 'react';
import { CartesianGrid, ResponsiveContainer, Scatter, ScatterChart, Tooltip, XAxis, YAxis } from 'recharts';
import { MODEL_LABELS, type ModelName, type ModelReport, type RunReport } from '../../engine/core/report';
import { fmt, labelStyle } from '../format';
import { ExportButtons } from './ExportButtons';

interface Point { x: number; y: number; item: number; topic: number; cluster: number; pSearch: number; pRec: number; code?: string }

function PointTip({ active, payload }: { active?: boolean; payload?: { payload: Point }[] }) {
  if (!active || !payload?.length) return null;
  const p = payload[0].payload;
  return (
    <div className="tip">
      <strong>item {p.item}</strong>{p.code && <> · codes <code>{p.code}</code></>}<br />
      topic {p.topic} · CF cluster {p.cluster}<br />
      p<sub>S</sub> {p.pSearch.toExponential(1)} · p<sub>R</sub> {p.pRec.toExponential(1)}
    </div>
  );
}

/** Most legend entries drawn; the rest are counted. */
const MAX_LEGEND = 16;

function EmbeddingChartBody({ model, report, itemInfo, colorBy, codes, labels }: {
  model: ModelName; report: ModelReport | undefined; itemInfo: RunReport['itemInfo'] | undefined; colorBy: 'topic' | 'cluster'; codes?: string[];
  /** Names of the colour groups (an imported catalogue's categories), by group index: drawn as a legend. */
  labels?: string[];
}) {
  const ref = useRef<HTMLDivElement>(null);
  const emb = report?.embedding;
  const groups = new Map<number, Point[]>();
  if (emb && itemInfo) {
    itemInfo.topic.forEach((topic, i) => {
      const label = colorBy === 'topic' ? topic : itemInfo.cluster[i];
      const pt = { x: emb.pca[2 * i], y: emb.pca[2 * i + 1], item: i, topic, cluster: itemInfo.cluster[i], pSearch: itemInfo.pSearch[i], pRec: itemInfo.pRec[i], code: codes?.[i] };
      groups.set(label, [...(groups.get(label) ?? []), pt]);
    });
  }
  return (
    <figure className="chart" ref={ref} data-testid={`embedding-${model}`} data-points={itemInfo && emb ? itemInfo.topic.length : 0}>
      <figcaption>
        <strong>{MODEL_LABELS[model]}</strong>{codes && <small> (items as sums of their code embeddings)</small>}{' '}
        {emb && (
          <span className="agreement">
            content {fmt(emb.contentAgreement, 2)} <small>(chance {fmt(emb.chance.content, 2)})</small> · CF {fmt(emb.cfAgreement, 2)} <small>(chance {fmt(emb.chance.cf, 2)})</small>
          </span>
        )}
        <ExportButtons target={ref} name={`embedding-${model}`} />
      </figcaption>
      {emb ? (
        <ResponsiveContainer width="100%" height={230}>
          <ScatterChart margin={{ top: 5, right: 10, bottom: 5, left: 5 }}>
            <CartesianGrid strokeDasharray="3 3" />
            <XAxis dataKey="x" type="number" tick={false} name="x" label={{ value: emb.projection === 'umap' ? 'UMAP 1' : `PC1 (${fmt(emb.explained[0] * 100, 0)} %)`, position: 'insideBottom', offset: 0 }} height={20} />
            <YAxis dataKey="y" type="number" tick={false} name="y" width={20} label={{ value: emb.projection === 'umap' ? 'UMAP 2' : 'PC2', angle: -90 }} />
            <Tooltip content={<PointTip />} />
            {[...groups.entries()].sort((a, b) => a[0] - b[0]).map(([label, pts]) => (
              <Scatter key={label} name={labels?.[label] ?? `${colorBy} ${label}`} data={pts} fill={labelStyle(label).fill} shape={labelStyle(label).shape} fillOpacity={0.8} isAnimationActive={false} />
            ))}
          </ScatterChart>
        </ResponsiveContainer>
      ) : null}
      {emb && labels && labels.length > 0 ? (
        <ul className="group-legend" data-testid={`embedding-legend-${model}`} aria-label="Colours">
          {[...groups.keys()].sort((a, b) => a - b).slice(0, MAX_LEGEND).map((label) => (
            <li key={label}><svg width="10" height="10" aria-hidden="true"><rect width="10" height="10" fill={labelStyle(label).fill} /></svg> {labels[label] ?? `group ${label}`}</li>
          ))}
          {groups.size > MAX_LEGEND && <li className="muted">and {groups.size - MAX_LEGEND} more</li>}
        </ul>
      ) : null}
      {!emb && <p className="placeholder">Trains with the others; its item embeddings appear here.</p>}
    </figure>
  );
}

/** Drawn again only when its props change (not at every training tick of the page). */
/** Drawn inside its own error boundary: a chart that fails names why, and the page stays. */
export const EmbeddingChart = memo((props: Parameters<typeof EmbeddingChartBody>[0]) => (
  <ErrorBoundary what={`${MODEL_LABELS[props.model]}'s embedding chart`} compact resetKey={props.report}><EmbeddingChartBody {...props} /></ErrorBoundary>
));
