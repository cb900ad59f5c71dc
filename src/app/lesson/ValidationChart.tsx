/** Validation Recall@K after each epoch, for Gen_R and Gen_R+S: where early stopping stops. */
import { useRef } from 'react';
import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { MODEL_LABELS, type ModelName, type ModelReport } from '../../engine/report';
import { ExportButtons } from '../charts/ExportButtons';
import { MODEL_COLORS } from '../format';
import { inkLegend } from '../charts/legend';

export function ValidationChart({ models, name }: { models: Partial<Record<ModelName, ModelReport>>; name: string }) {
  const ref = useRef<HTMLDivElement>(null);
  const shown: ModelName[] = ['rec', 'joint'];
  return (
    <figure className="chart" ref={ref} data-testid="validation-chart" data-points={shown.reduce((n, m) => n + (models[m]?.validation.length ?? 0), 0)}>
      <figcaption>
        <strong>Validation Recall@10 per epoch</strong> (mean over the model's tasks; the best epoch is the one evaluated). <ExportButtons target={ref} name={name} />
      </figcaption>
      <ResponsiveContainer width="100%" height={230}>
        <LineChart margin={{ top: 5, right: 10, bottom: 15, left: 0 }}>
          <CartesianGrid strokeDasharray="3 3" />
          <XAxis dataKey="epoch" type="number" domain={[1, 'dataMax']} allowDecimals={false} label={{ value: 'epoch', position: 'insideBottom', offset: -8 }} />
          <YAxis width={44} tickFormatter={(v) => v.toFixed(2)} />
          <Tooltip formatter={(v) => (v as number).toFixed(3)} labelFormatter={(v) => `epoch ${v}`} />
          <Legend verticalAlign="top" height={20} formatter={inkLegend} />
          {shown.map((m) => (
            <Line key={m} data={models[m]?.validation ?? []} dataKey="score" name={MODEL_LABELS[m]} stroke={MODEL_COLORS[m]} strokeDasharray={m === 'joint' ? undefined : '5 3'} isAnimationActive={false} />
          ))}
        </LineChart>
      </ResponsiveContainer>
    </figure>
  );
}
