/**
 * A sweep's curve: one knob (or the KL it produces) on x, the chosen quantity on y, the
 * mean over seeds as a line and its 95 % interval as a band. Clicking a point opens it.
 */
import { useRef } from 'react';
import { Area, CartesianGrid, ComposedChart, Legend, Line, ReferenceLine, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { SWEEP_EXPERIMENTS, type Sweep, type SweepMetric, type SweepPoint } from '../../engine/studies/sweep';
import { MODEL_COLORS } from '../format';
import { FIELD_METRIC_INFO, FIELD_METRICS, type FieldMetric } from '../../engine/core/report';
import { ExportButtons } from './ExportButtons';
import { inkLegend } from './legend';

export type { SweepMetric };
export const SWEEP_METRICS: { id: SweepMetric; label: string }[] = [
  { id: 'gain', label: 'joint gain (Recall@K)' },
  { id: 'recall', label: 'Recall@K of each model' },
  { id: 'cold', label: 'rec Recall@K on cold and warm items' },
  { id: 'kl', label: 'popularity KL on recommendation' },
  { id: 'agreement', label: 'embedding neighbour agreement' },
  ...FIELD_METRICS.map((id) => ({ id, label: FIELD_METRIC_INFO[id].name })),
];

/** One of the field's measures (docs/report.md) for the models and the references that rank the catalogue. */
function fieldSeries(key: FieldMetric): SeriesDef[] {
  const of = (scorer: string, task: 'search' | 'rec') => (p: SweepPoint) => p.models[scorer]?.[task]?.field?.[key];
  return [
    { key: 'genR', name: 'Gen_R (rec)', color: MODEL_COLORS.rec, get: of('rec', 'rec') },
    { key: 'jointR', name: 'Gen_R+S (rec)', color: MODEL_COLORS.joint, get: of('joint', 'rec') },
    { key: 'genS', name: 'Gen_S (search)', color: MODEL_COLORS.search, get: of('search', 'search'), dashed: true },
    { key: 'jointS', name: 'Gen_R+S (search)', color: '#9b7fc1', get: of('joint', 'search'), dashed: true },
    { key: 'pop', name: 'Popularity (rec, reference)', color: '#888', get: of('popularity', 'rec'), dashed: true, reference: true },
    { key: 'oracle', name: 'Oracle (rec, reference)', color: '#444', get: of('oracle', 'rec'), dashed: true, reference: true },
    { key: 'bi', name: 'Bi-encoder (rec, reference)', color: REFERENCE_COLOR, get: of('biencoder', 'rec'), reference: true },
  ];
}

/** References (Popularity, BM25, the bi-encoder) are drawn thin and grey-green, without dots. */
const REFERENCE_COLOR = '#5f8f6b';

interface SeriesDef { key: string; name: string; color: string; get: (p: SweepPoint) => number | undefined; band?: (p: SweepPoint) => [number, number] | undefined; dashed?: boolean; reference?: boolean }

function seriesFor(metric: SweepMetric): SeriesDef[] {
  switch (metric) {
    case 'gain':
      return [
        { key: 'rec', name: 'recommendation gain', color: MODEL_COLORS.rec, get: (p) => p.jointGain.rec?.mean, band: (p) => p.jointGain.rec?.ci95 ?? undefined },
        { key: 'search', name: 'search gain', color: MODEL_COLORS.search, get: (p) => p.jointGain.search?.mean, band: (p) => p.jointGain.search?.ci95 ?? undefined },
      ];
    case 'recall':
      return [
        { key: 'genR', name: 'Gen_R (rec)', color: MODEL_COLORS.rec, get: (p) => p.models.rec?.rec?.recall },
        { key: 'jointR', name: 'Gen_R+S (rec)', color: MODEL_COLORS.joint, get: (p) => p.models.joint?.rec?.recall },
        { key: 'genS', name: 'Gen_S (search)', color: MODEL_COLORS.search, get: (p) => p.models.search?.search?.recall, dashed: true },
        { key: 'jointS', name: 'Gen_R+S (search)', color: '#9b7fc1', get: (p) => p.models.joint?.search?.recall, dashed: true },
        { key: 'biR', name: 'Bi-encoder (rec, reference)', color: REFERENCE_COLOR, get: (p) => p.models.biencoder?.rec?.recall, reference: true },
        { key: 'biS', name: 'Bi-encoder (search, reference)', color: REFERENCE_COLOR, get: (p) => p.models.biencoder?.search?.recall, dashed: true, reference: true },
        { key: 'bm25', name: 'BM25 (search, reference)', color: '#888', get: (p) => p.models.bm25?.search?.recall, dashed: true, reference: true },
      ];
    case 'cold':
      return [
        { key: 'genRc', name: 'Gen_R cold', color: MODEL_COLORS.rec, get: (p) => p.models.rec?.rec?.coldRecall },
        { key: 'jointRc', name: 'Gen_R+S cold', color: MODEL_COLORS.joint, get: (p) => p.models.joint?.rec?.coldRecall },
        { key: 'genRw', name: 'Gen_R warm', color: MODEL_COLORS.rec, get: (p) => p.models.rec?.rec?.warmRecall, dashed: true },
        { key: 'jointRw', name: 'Gen_R+S warm', color: MODEL_COLORS.joint, get: (p) => p.models.joint?.rec?.warmRecall, dashed: true },
        { key: 'biRc', name: 'Bi-encoder cold (reference)', color: REFERENCE_COLOR, get: (p) => p.models.biencoder?.rec?.coldRecall, reference: true },
      ];
    case 'kl':
      return [
        { key: 'genR', name: 'Gen_R', color: MODEL_COLORS.rec, get: (p) => p.models.rec?.rec?.kl },
        { key: 'jointR', name: 'Gen_R+S', color: MODEL_COLORS.joint, get: (p) => p.models.joint?.rec?.kl },
        { key: 'pop', name: 'Popularity', color: '#888', get: (p) => p.models.popularity?.rec?.kl, dashed: true, reference: true },
        { key: 'bi', name: 'Bi-encoder (reference)', color: REFERENCE_COLOR, get: (p) => p.models.biencoder?.rec?.kl, dashed: true, reference: true },
      ];
    case 'agreement':
      return [
        { key: 'jc', name: 'Gen_R+S content', color: MODEL_COLORS.joint, get: (p) => p.embedding.joint?.contentAgreement },
        { key: 'jf', name: 'Gen_R+S CF', color: '#9b7fc1', get: (p) => p.embedding.joint?.cfAgreement, dashed: true },
        { key: 'rc', name: 'Gen_R content', color: MODEL_COLORS.rec, get: (p) => p.embedding.rec?.contentAgreement },
        { key: 'sf', name: 'Gen_S CF', color: MODEL_COLORS.search, get: (p) => p.embedding.search?.cfAgreement, dashed: true },
      ];
    default:
      return fieldSeries(metric);
  }
}

/** The chart's x for a point: what its experiment declares (the swept value by default). */
export function xOf(sweep: Sweep, p: SweepPoint): number {
  return experimentOf(sweep)?.chart.x === 'popularityKL.recVsSearch' ? p.dataStats.popularityKL.recVsSearch : Number(p.value);
}

const experimentOf = (sweep: Sweep) => SWEEP_EXPERIMENTS.find((e) => e.name === sweep.experiment);

/** Whether the points are named settings (an enum knob, or an experiment's variants) rather than numbers. */
export function categorical(sweep: Sweep): boolean {
  return sweep.values.some((v) => typeof v !== 'number');
}

export function SweepChart({ sweep, metric, onOpen, testId }: { sweep: Sweep; metric: SweepMetric; onOpen?: (index: number) => void; testId?: string }) {
  const ref = useRef<HTMLDivElement>(null);
  // A series no point has (a reference a sweep did not train) gets no legend entry.
  const defs = seriesFor(metric).filter((d) => sweep.points.some((p) => d.get(p) !== undefined));
  const data = sweep.points.map((p, i) => {
    const row: Record<string, unknown> = { x: categorical(sweep) ? String(p.value) : xOf(sweep, p), index: i, value: p.value };
    for (const d of defs) {
      row[d.key] = d.get(p);
      if (d.band) row[`${d.key}Band`] = d.band(p);
    }
    return row;
  });
  const percent = metric === 'gain';
  const xLabel = experimentOf(sweep)?.chart.xLabel ?? sweep.key;
  return (
    <figure className="chart sweep-chart" ref={ref} data-testid={testId ?? 'sweep-chart'} data-points={sweep.points.length}>
      <figcaption>
        <strong>{SWEEP_METRICS.find((m) => m.id === metric)!.label}</strong> against {xLabel}; mean over {sweep.seeds.length} seed(s)
        {percent && ', band = 95 % interval'}. <ExportButtons target={ref} name={`sweep-${sweep.experiment ?? sweep.key}-${metric}`} />
      </figcaption>
      {!defs.length && (
        <p className="placeholder" data-testid="sweep-chart-empty">This sweep's points have no {SWEEP_METRICS.find((m) => m.id === metric)!.label}: its runs were made before the measure was reported, or no scorer of it has one. Rerun the sweep to see it.</p>
      )}
      <ResponsiveContainer width="100%" height={280}>
        <ComposedChart data={data} margin={{ top: 5, right: 16, bottom: 20, left: 5 }}
          onClick={(state) => { const i = Number(state?.activeTooltipIndex); if (onOpen && Number.isInteger(i) && i >= 0) onOpen(i); }}>
          <CartesianGrid strokeDasharray="3 3" />
          {categorical(sweep)
            ? <XAxis dataKey="x" type="category" label={{ value: xLabel, position: 'insideBottom', offset: -10 }} />
            : <XAxis dataKey="x" type="number" domain={['dataMin', 'dataMax']} tickFormatter={(v) => String(Number(v.toPrecision(3)))} label={{ value: xLabel, position: 'insideBottom', offset: -10 }} />}
          <YAxis width={52} tickFormatter={(v) => (percent ? `${(v * 100).toFixed(0)}%` : Number(v).toFixed(2))} />
          {percent && <ReferenceLine y={0} stroke="#888" strokeDasharray="4 4" />}
          <Tooltip formatter={(v) => (Array.isArray(v) ? v.map((x) => (percent ? `${(x * 100).toFixed(1)}%` : Number(x).toFixed(3))).join(' – ') : percent ? `${((v as number) * 100).toFixed(1)}%` : Number(v).toFixed(3))}
            labelFormatter={(_, p) => `${sweep.key} = ${String(p?.[0]?.payload?.value ?? '')}${onOpen ? ' · click to open' : ''}`} />
          <Legend verticalAlign="top" formatter={inkLegend} />
          {defs.filter((d) => d.band).map((d) => (
            <Area key={`${d.key}Band`} dataKey={`${d.key}Band`} stroke="none" fill={d.color} fillOpacity={0.15} legendType="none" name={`${d.name} 95 % CI`} isAnimationActive={false} />
          ))}
          {defs.map((d) => (
            <Line key={d.key} dataKey={d.key} name={d.name} stroke={d.color} strokeWidth={d.reference ? 1.5 : 2} strokeDasharray={d.dashed ? '5 4' : undefined} isAnimationActive={false}
              dot={d.reference ? false : { r: 4 }} activeDot={{ r: d.reference ? 4 : 6 }} connectNulls />
          ))}
        </ComposedChart>
      </ResponsiveContainer>
    </figure>
  );
}
