/**
 * Popularity calibration (H1): for one model, each item's share of the model's predicted
 * distribution (mean softmax over the task's test inputs) against its true popularity
 * in that task, log–log. On the diagonal the model has learned the popularity exactly.
 */
import { memo, useRef } from 'react';
import { CartesianGrid, Legend, ReferenceLine, ResponsiveContainer, Scatter, ScatterChart, Tooltip, XAxis, YAxis } from 'recharts';
import { MODEL_LABELS, MODEL_TASKS, type ModelName, type ModelReport, type RunReport } from '../../engine/core/report';
import { fmt } from '../format';
import { ExportButtons } from './ExportButtons';
import { inkLegend } from './legend';

const TASK_COLORS = { search: '#1f77b4', rec: '#d62728' };
const FLOOR = 1e-6;

function CalibrationChartBody({ model, report, itemInfo }: { model: ModelName; report: ModelReport | undefined; itemInfo: RunReport['itemInfo'] | undefined }) {
  const ref = useRef<HTMLDivElement>(null);
  const tasks = MODEL_TASKS[model];
  const series = report && itemInfo
    ? tasks.filter((t) => report.popularity[t]).map((t) => {
        const truth = t === 'search' ? itemInfo.pSearch : itemInfo.pRec;
        const marginal = report.popularity[t]!.marginal;
        return { task: t, kl: report.popularity[t]!.kl, data: truth.map((p, i) => ({ item: i, truth: Math.max(p, FLOOR), model: Math.max(marginal[i], FLOOR) })) };
      })
    : [];
  const all = series.flatMap((s) => s.data.flatMap((d) => [d.truth, d.model]));
  const lo = all.length ? Math.min(...all) : FLOOR;
  const hi = all.length ? Math.max(...all) : 1;
  return (
    <figure className="chart" ref={ref} data-testid={`calibration-${model}`} data-points={series.reduce((s, x) => s + x.data.length, 0)}>
      <figcaption>
        <strong>{MODEL_LABELS[model]}</strong>{' '}
        {series.map((s) => <span key={s.task} className="kl">KL<sub>{s.task}</sub>(true‖model) = {fmt(s.kl)} </span>)}
        <ExportButtons target={ref} name={`calibration-${model}`} />
      </figcaption>
      {series.length ? (
        <ResponsiveContainer width="100%" height={230}>
          <ScatterChart margin={{ top: 5, right: 10, bottom: 20, left: 5 }}>
            <CartesianGrid strokeDasharray="3 3" />
            <XAxis dataKey="truth" type="number" scale="log" domain={[lo, hi]} tickFormatter={(v) => v.toExponential(0)} name="true popularity" label={{ value: 'true popularity', position: 'insideBottom', offset: -12 }} />
            <YAxis dataKey="model" type="number" scale="log" domain={[lo, hi]} tickFormatter={(v) => v.toExponential(0)} name="model's share" width={48} />
            <ReferenceLine segment={[{ x: lo, y: lo }, { x: hi, y: hi }]} stroke="#888" strokeDasharray="4 4" ifOverflow="extendDomain" />
            <Tooltip formatter={(v) => (v as number).toExponential(2)} />
            {series.length > 1 && <Legend verticalAlign="top" height={20} formatter={inkLegend} />}
            {series.map((s) => (
              <Scatter key={s.task} name={`${s.task} task`} data={s.data} fill={TASK_COLORS[s.task]} fillOpacity={0.55} shape="circle" isAnimationActive={false} />
            ))}
          </ScatterChart>
        </ResponsiveContainer>
      ) : (
        <p className="placeholder">Trains with the others; its calibration appears here.</p>
      )}
    </figure>
  );
}

/** Drawn again only when its props change (not at every training tick of the page). */
export const CalibrationChart = memo(CalibrationChartBody);
