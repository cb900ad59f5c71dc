/** A run's joint gain per task: the mean over seeds with its 95 % interval, the seed count, and which checkpoint selection (and the other's gains where the run has both). */
import { sign } from '../../engine/eval/evidence';
import { SELECTION_WORDS, type JointSelection, type Report } from '../../engine/core/report';
import { pct } from '../format';

export function JointGain({ report }: { report: Report }) {
  // Reports made before checkpoint selection was a knob used one shared checkpoint.
  const selection: JointSelection = report.runs[0]?.models.joint?.selection ?? 'shared';
  const otherSelection: JointSelection = selection === 'perTask' ? 'shared' : 'perTask';
  const other = report.summary.jointGainBySelection?.[otherSelection];
  return (
    <p className="lesson-gain" data-testid="lesson-gain">
      {(['rec', 'search'] as const).map((task) => {
        const g = report.summary.jointGain[task];
        return (
          <span key={task}>
            joint gain on {task === 'rec' ? 'recommendation' : 'search'}: <strong className={g && g.mean >= 0 ? 'up' : 'down'}>{pct(g?.mean)}</strong>
            {g?.ci95 ? ` [${pct(g.ci95[0])}, ${pct(g.ci95[1])}]` : ' (one seed: no interval)'}
            {g?.ci95 && sign(g) === 'includes 0' ? <span className="muted"> (includes 0)</span> : null}{' '}
          </span>
        );
      })}
      <span className="muted">over {report.seeds.length} seed{report.seeds.length === 1 ? '' : 's'}; Gen_R+S with {SELECTION_WORDS[selection]}{selection === 'shared' && !other ? ' (the only selection this run has)' : ''}</span>
      {other && (
        <span className="muted" data-testid="lesson-gain-other">
          {' '}· with {SELECTION_WORDS[otherSelection]}: {(['rec', 'search'] as const).map((task) => {
            const g = other[task];
            return <span key={task}>{task === 'rec' ? 'recommendation' : 'search'} {pct(g?.mean)}{g?.ci95 ? ` [${pct(g.ci95[0])}, ${pct(g.ci95[1])}]` : ''} </span>;
          })}
        </span>
      )}
    </p>
  );
}
