/**
 * Compare: any two runs side by side — the current run, a stored lesson run, or a report
 * opened from a file — with the same charts and their joint gains, and the difference of
 * the gains with its interval (paired by seed where the two share seeds, Welch otherwise).
 */
import { useEffect, useState } from 'react';
import { contrast, sign, type PerSeed } from '../../engine/eval/evidence';
import { LESSON_WORLDS, type StoredLessonRun } from '../../engine/studies/lessons';
import type { Report } from '../../engine/core/report';
import type { Task } from '../../engine/core/encode';
import { jointGainOf } from '../../engine/run/summary';
import { CalibrationChart } from '../charts/CalibrationChart';
import { EmbeddingChart } from '../charts/EmbeddingChart';
import { pct } from '../format';
import { fetchStoredRun } from '../stored-runs';
import { useLab } from '../store';
import { JointGain } from './JointGain';
import { MetricsTable } from './MetricsTable';

/** A side: `current`, `lesson:<world id>` or `file:<name>`. */
export type CompareSource = string;

function sourceLabel(source: CompareSource): string {
  if (source === 'current') return 'the run in the Lab';
  if (source.startsWith('lesson:')) return `stored lesson run: ${LESSON_WORLDS.find((w) => w.id === source.slice(7))?.label ?? source.slice(7)}`;
  return `opened file ${source.slice(5)}`;
}

function useSide(source: CompareSource): { report: Report | null; note: string } {
  const current = useLab((s) => s.report);
  const live = useLab((s) => s.lessonLive);
  const opened = useLab((s) => s.openedReports);
  const [stored, setStored] = useState<Record<string, StoredLessonRun | null>>({});
  const world = source.startsWith('lesson:') ? source.slice(7) : null;
  useEffect(() => {
    if (world && !(world in stored)) fetchStoredRun(world).then((r) => setStored((x) => ({ ...x, [world]: r })));
  }, [world, stored]);
  if (source === 'current') return { report: current, note: current ? '' : 'No run in the Lab yet: train one there.' };
  if (world) {
    const report = live[world] ?? stored[world]?.report ?? null;
    return { report, note: report ? '' : world in stored ? 'No stored run for this world (npm run lessons makes them).' : 'Loading the stored run…' };
  }
  const f = opened.find((x) => `file:${x.name}` === source);
  return { report: f?.report ?? null, note: f ? '' : 'That file is not open in this page: open it with Open results….' };
}

function Side({ label, source, report, note }: { label: string; source: CompareSource; report: Report | null; note: string }) {
  const run = report?.runs[0];
  return (
    <section className="compare-side" data-testid={`compare-${label}`} data-ready={report ? 'yes' : 'no'} aria-label={`Run ${label}`}>
      <h3>{label} · {sourceLabel(source)}</h3>
      {report && run ? (
        <>
          <p className="muted">{report.seeds.length} seed{report.seeds.length === 1 ? '' : 's'}{report.createdAt ? `, made ${report.createdAt.slice(0, 10)}` : ''}{report.command ? ` by ${report.command}` : ''}; charts show the first seed.</p>
          <JointGain report={report} />
          <MetricsTable models={run.models} run={run} config={report.config} />
          <div className="compare-charts">
            <CalibrationChart model="joint" report={run.models.joint} itemInfo={run.itemInfo} />
            <EmbeddingChart model="joint" report={run.models.joint} itemInfo={run.itemInfo} colorBy="topic" codes={run.ids?.codes} />
          </div>
        </>
      ) : <p className="placeholder">{note}</p>}
    </section>
  );
}

const gains = (r: Report, task: Task): PerSeed => r.runs.map((run) => ({ seed: run.seed, value: jointGainOf(run, task, r.config.k) }));

function Difference({ a, b }: { a: Report; b: Report }) {
  return (
    <section className="compare-difference" data-testid="compare-difference" aria-label="Difference of the joint gains">
      <h3>B − A: the joint gain's difference</h3>
      <ul>
        {(['rec', 'search'] as Task[]).map((task) => {
          const d = contrast(gains(a, task), gains(b, task));
          const s = sign(d);
          return (
            <li key={task}>
              {task === 'rec' ? 'recommendation' : 'search'}: <strong>{pct(d.mean)}</strong>
              {d.ci95 ? ` [${pct(d.ci95[0])}, ${pct(d.ci95[1])}]` : ''} <span className="muted">({d.method})</span> —{' '}
              {!d.ci95 ? 'too few seeds for an interval.' : s === 'includes 0' ? 'the interval includes 0: these runs do not show a difference.' : `B's gain is ${s === 'above' ? 'higher' : 'lower'}.`}
            </li>
          );
        })}
      </ul>
    </section>
  );
}

export function CompareView() {
  const { compare, setCompare, openedReports } = useLab();
  const a = useSide(compare.a), b = useSide(compare.b);
  const options: CompareSource[] = ['current', ...LESSON_WORLDS.map((w) => `lesson:${w.id}`), ...openedReports.map((f) => `file:${f.name}`)];
  const picker = (side: 'a' | 'b') => (
    <div>
      <label htmlFor={`compare-${side}`}>{side.toUpperCase()}</label>
      <select id={`compare-${side}`} data-testid={`compare-pick-${side}`} value={compare[side]} onChange={(e) => setCompare({ ...compare, [side]: e.target.value })}>
        {(options.includes(compare[side]) ? options : [...options, compare[side]]).map((o) => <option key={o} value={o}>{sourceLabel(o)}</option>)}
      </select>
    </div>
  );
  return (
    <main className="results wide compare" data-testid="compare-view">
      <section className="compare-form" aria-label="Runs to compare">
        {picker('a')}{picker('b')}
        <p className="help">Either side: the run in the Lab, a stored lesson run, or a report opened with <em>Open results…</em>. A link keeps the pair when both are stored runs.</p>
      </section>
      {a.report && b.report && <Difference a={a.report} b={b.report} />}
      <div className="compare-sides">
        <Side label="A" source={compare.a} {...a} />
        <Side label="B" source={compare.b} {...b} />
      </div>
    </main>
  );
}
