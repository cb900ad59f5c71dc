/** Training loss of the three models against epochs, filling in live. */
import { useRef } from 'react';
import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { MODEL_LABELS, MODELS } from '../../engine/core/report';
import { MODEL_COLORS } from '../format';
import type { ModelProgress } from '../store';
import { ExportButtons } from './ExportButtons';
import { inkLegend } from './legend';

export function LossChart({ progress, epochs }: { progress: Partial<Record<string, ModelProgress>>; epochs: number }) {
  const ref = useRef<HTMLDivElement>(null);
  const series = MODELS.map((m) => {
    const p = progress[m];
    const perEpoch = p && p.totalSteps ? p.totalSteps / epochs : 1;
    return { m, data: (p?.losses ?? []).map((l) => ({ epoch: l.step / perEpoch, loss: l.loss })) };
  });
  return (
    <figure className="chart" ref={ref} data-testid="loss-chart">
      <figcaption>
        <strong>Training loss</strong> (cross-entropy of the item ID) per epoch. <ExportButtons target={ref} name="training-loss" />
      </figcaption>
      <ResponsiveContainer width="100%" height={200}>
        <LineChart margin={{ top: 5, right: 10, bottom: 15, left: 0 }}>
          <CartesianGrid strokeDasharray="3 3" />
          <XAxis dataKey="epoch" type="number" domain={[0, 'dataMax']} tickFormatter={(v) => v.toFixed(0)} label={{ value: 'epoch', position: 'insideBottom', offset: -8 }} />
          <YAxis width={40} tickFormatter={(v) => v.toFixed(1)} />
          <Tooltip formatter={(v) => (v as number).toFixed(3)} labelFormatter={(v) => `epoch ${(v as number).toFixed(2)}`} />
          <Legend verticalAlign="top" height={20} formatter={inkLegend} />
          {series.map(({ m, data }) => (
            <Line key={m} data={data} dataKey="loss" name={MODEL_LABELS[m]} stroke={MODEL_COLORS[m]} dot={false} isAnimationActive={false} />
          ))}
        </LineChart>
      </ResponsiveContainer>
    </figure>
  );
}
