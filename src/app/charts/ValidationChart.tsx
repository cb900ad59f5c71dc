/**
 * Validation Recall@K on recommendation after each epoch, for Gen_R and Gen_R+S: where
 * early stopping stops, and whether the joint model over-fits the smaller task.
 */
import { memo, useRef } from 'react';
import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { MODEL_LABELS, type ModelName, type ModelReport } from '../../engine/core/report';
import { ExportButtons } from './ExportButtons';
import { inkLegend } from './legend';
import { MODEL_COLORS } from '../format';

function ValidationChartBody({ models, name }: { models: Partial<Record<ModelName, ModelReport>>; name: string }) {
  const ref = useRef<HTMLDivElement>(null);
  const shown: ModelName[] = ['rec', 'joint'];
  // Reports made before per-task validation was kept have only the mean over the model's tasks.
  const series = shown.map((m) => ({ m, data: (models[m]?.validation ?? []).map((v) => ({ epoch: v.epoch, score: v.byTask?.rec ?? v.score })) }));
  return (
    <figure className="chart" ref={ref} data-testid="validation-chart" data-points={series.reduce((n, s) => n + s.data.length, 0)}>
      <figcaption>
        <strong>Validation Recall@10 on recommendation, per epoch</strong> (early stopping evaluates each model at its best epoch). <ExportButtons target={ref} name={name} />
      </figcaption>
      <ResponsiveContainer width="100%" height={230}>
        <LineChart margin={{ top: 5, right: 10, bottom: 15, left: 4 }}>
          <CartesianGrid strokeDasharray="3 3" />
          <XAxis dataKey="epoch" type="number" domain={[1, 'dataMax']} allowDecimals={false} label={{ value: 'epoch', position: 'insideBottom', offset: -8 }} />
          <YAxis width={52} tickFormatter={(v) => v.toFixed(2)} />
          <Tooltip formatter={(v) => (v as number).toFixed(3)} labelFormatter={(v) => `epoch ${v}`} />
          <Legend verticalAlign="top" height={20} formatter={inkLegend} />
          {series.map(({ m, data }) => (
            <Line key={m} data={data} dataKey="score" name={MODEL_LABELS[m]} stroke={MODEL_COLORS[m]} strokeDasharray={m === 'joint' ? undefined : '5 3'} isAnimationActive={false} />
          ))}
        </LineChart>
      </ResponsiveContainer>
    </figure>
  );
}

/** Drawn again only when its props change (not at every training tick of the page). */
export const ValidationChart = memo(ValidationChartBody);
