/** A run's joint gain per task: the mean over seeds with its 95 % interval, and the seed count. */
import { sign } from '../../engine/eval/evidence';
import type { Report } from '../../engine/core/report';
import { pct } from '../format';

export function JointGain({ report }: { report: Report }) {
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
      <span className="muted">over {report.seeds.length} seed{report.seeds.length === 1 ? '' : 's'}</span>
    </p>
  );
}
