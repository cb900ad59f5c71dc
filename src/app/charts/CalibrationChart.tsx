/**
 * Popularity calibration (H1): for one model, each item's share of the model's predicted
 * distribution (mean softmax over the task's test inputs) against its true popularity
 * in that task, log–log. On the diagonal the model has learned the popularity exactly.
 * Ticks are powers of ten (an imported catalogue's empirical popularities would otherwise
 * each get one, printed over each other). Items whose true popularity is 0 (an imported
 * catalogue's items no test target names) have no place on a log axis: they are counted in
 * the caption, with the share the model gives them, instead of piled at an arbitrary floor.
 * `against="training"` draws the same shares against each item's frequency among the task's
 * training targets instead: the prior the model could have learned (on a real catalogue, the
 * only popularity there is to compare with besides the test targets').
 */
import { ErrorBoundary } from '../ErrorBoundary';
import { memo, useRef } from 'react';
import { CartesianGrid, Legend, ReferenceLine, ResponsiveContainer, Scatter, ScatterChart, Tooltip, XAxis, YAxis } from 'recharts';
import { MODEL_LABELS, MODEL_TASKS, type ModelName, type ModelReport, type RunReport } from '../../engine/core/report';
import { fmt } from '../format';
import { ExportButtons } from './ExportButtons';
import { inkLegend } from './legend';

const TASK_COLORS = { search: '#1f77b4', rec: '#d62728' };
/** The model's share is floored here (a share of 0 cannot be drawn on a log axis). */
const FLOOR = 1e-6;

/** Powers of ten spanning [lo, hi]. */
export function decadeTicks(lo: number, hi: number): number[] {
  const out: number[] = [];
  for (let e = Math.floor(Math.log10(lo)); e <= Math.ceil(Math.log10(hi)); e++) out.push(10 ** e);
  return out;
}

/** Shares summing to 1 (all zeros stay zeros). */
function shares(counts: number[]): number[] {
  const total = counts.reduce((a, b) => a + b, 0);
  return total > 0 ? counts.map((c) => c / total) : counts.map(() => 0);
}

function CalibrationChartBody({ model, report, itemInfo, against = 'true' }: { model: ModelName; report: ModelReport | undefined; itemInfo: RunReport['itemInfo'] | undefined; against?: 'true' | 'training' }) {
  const ref = useRef<HTMLDivElement>(null);
  const tasks = MODEL_TASKS[model];
  const training = against === 'training';
  const axis = training ? 'training frequency' : 'true popularity';
  const series = report && itemInfo
    ? tasks.filter((t) => report.popularity[t]).map((t) => {
        const truth = training ? shares(t === 'search' ? itemInfo.trainSearch : itemInfo.trainRec) : t === 'search' ? itemInfo.pSearch : itemInfo.pRec;
        const marginal = report.popularity[t]!.marginal;
        const unseen = truth.map((p, i) => (p > 0 ? -1 : i)).filter((i) => i >= 0);
        return {
          task: t, kl: report.popularity[t]!.kl,
          data: truth.flatMap((p, i) => (p > 0 ? [{ item: i, truth: p, model: Math.max(marginal[i], FLOOR) }] : [])),
          unseen: { count: unseen.length, share: unseen.reduce((a, i) => a + marginal[i], 0) },
        };
      })
    : [];
  const all = series.flatMap((s) => s.data.flatMap((d) => [d.truth, d.model]));
  const lo = all.length ? Math.min(...all) : FLOOR;
  const hi = all.length ? Math.max(...all) : 1;
  const ticks = decadeTicks(lo, hi);
  const domain: [number, number] = [ticks[0], ticks[ticks.length - 1]];
  return (
    <figure className="chart" ref={ref} data-testid={`calibration-${model}`} data-against={against} data-points={series.reduce((s, x) => s + x.data.length, 0)}>
      <figcaption>
        <strong>{MODEL_LABELS[model]}</strong>{training ? ' against its training targets\' frequency ' : ' '}
        {series.map((s) => <span key={s.task} className="kl">KL<sub>{s.task}</sub>({training ? 'test targets' : 'true'}‖model) = {fmt(s.kl)} </span>)}
        <ExportButtons target={ref} name={`calibration-${model}`} />
        {series.filter((s) => s.unseen.count > 0).map((s) => (
          <span key={`unseen-${s.task}`} className="unseen" data-testid={`calibration-unseen-${model}-${s.task}`}>
            {' '}{s.unseen.count} item{s.unseen.count === 1 ? '' : 's'} with {training ? `no ${s.task} training target` : `true ${s.task} popularity 0`} (not drawn): the model gives them {(s.unseen.share * 100).toFixed(1)} % of its predictions.
          </span>
        ))}
      </figcaption>
      {series.length ? (
        <ResponsiveContainer width="100%" height={230}>
          <ScatterChart margin={{ top: 5, right: 10, bottom: 20, left: 5 }}>
            <CartesianGrid strokeDasharray="3 3" />
            <XAxis dataKey="truth" type="number" scale="log" domain={domain} ticks={ticks} tickFormatter={(v) => v.toExponential(0)} name={axis} label={{ value: axis, position: 'insideBottom', offset: -12 }} />
            <YAxis dataKey="model" type="number" scale="log" domain={domain} ticks={ticks} tickFormatter={(v) => v.toExponential(0)} name="model's share" width={48} />
            <ReferenceLine segment={[{ x: domain[0], y: domain[0] }, { x: domain[1], y: domain[1] }]} stroke="#888" strokeDasharray="4 4" ifOverflow="extendDomain" />
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
/** Drawn inside its own error boundary: a chart that fails names why, and the page stays. */
export const CalibrationChart = memo((props: Parameters<typeof CalibrationChartBody>[0]) => (
  <ErrorBoundary what={`${MODEL_LABELS[props.model]}'s calibration chart`} compact resetKey={props.report}><CalibrationChartBody {...props} /></ErrorBoundary>
));
