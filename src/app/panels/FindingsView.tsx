/** Findings: the built-in experiments' curves from real runs (npm run findings), with computed verdicts. */
import { useEffect, useMemo, useState } from 'react';
import type { AblationStudy } from '../../engine/studies/ablations';
import { claimOf, findingsClaims, powerText, qText, slopeText, trendsFor, verdictText } from '../../engine/studies/findings';
import { quantityLabel } from '../../engine/studies/trends';
import { SWEEP_EXPERIMENTS, type Sweep } from '../../engine/studies/sweep';
import { SweepChart } from '../charts/SweepChart';
import { fmt, pct } from '../format';
import { SELECTION_WORDS } from '../../engine/core/report';
import { LESSON_WORLDS } from '../../engine/studies/lessons';

/** The lesson world whose stored run is a real-data study's 100 % point. */
const reusable = (data: string) => LESSON_WORLDS.find((w) => w.data === data)?.id;

export function FindingsView() {
  const [sweeps, setSweeps] = useState<Record<string, Sweep | null>>({});
  const [ablations, setAblations] = useState<AblationStudy | null>(null);
  useEffect(() => {
    const base = import.meta.env.BASE_URL;
    for (const e of SWEEP_EXPERIMENTS) {
      fetch(`${base}findings/${e.name}.json`).then((r) => (r.ok ? r.json() : null)).then((s) => setSweeps((x) => ({ ...x, [e.name]: s }))).catch(() => setSweeps((x) => ({ ...x, [e.name]: null })));
    }
    fetch(`${base}findings/ablations.json`).then((r) => (r.ok ? r.json() : null)).then(setAblations).catch(() => setAblations(null));
  }, []);
  // The findings are one family of tests: q-values once every stored study has loaded.
  const loaded = SWEEP_EXPERIMENTS.every((e) => sweeps[e.name] !== undefined);
  const claims = useMemo(() => (loaded ? findingsClaims(SWEEP_EXPERIMENTS.map((e) => sweeps[e.name]).filter((s): s is Sweep => Boolean(s))) : []), [loaded, sweeps]);
  return (
    <div className="findings" data-testid="findings-view">
      <p className="caption">
        Each curve below comes from real training runs of the three models (at least 10 seeds per point, wasm backend), made with <code>npm run findings</code>,
        which also writes <code>docs/findings.md</code>. Every verdict is computed from the per-seed values: a trend is the least-squares slope over all
        seed × value points, with a 95 % interval from a bootstrap that resamples whole seeds; it <em>agrees</em> or <em>disagrees</em> only when that
        interval excludes 0, and otherwise it is <em>not shown</em>, with the smallest slope these seeds could have detected. Between named settings
        (semantic IDs), a difference paired by seed holds when its 95 % interval excludes 0.
        {claims.length > 0 && <> The trends are one family of <span data-testid="findings-family">{claims.length}</span> tests: each verdict is called only where its
          Benjamini–Hochberg q-value is below 0.05, and {claims.filter((c) => c.verdict !== 'not shown').length} of them are.</>}
      </p>
      {SWEEP_EXPERIMENTS.map((e) => {
        const s = sweeps[e.name];
        return (
          <section key={e.name} aria-label={e.title}>
            <h2>{e.title}</h2>
            <p className="caption"><em>{e.question}</em>{e.data && <> Trained on the real catalogue shipped with the page (<code>public/data/{e.data}</code>), subsampling its logs per seed.</>}{s && <> Joint gains of Gen_R+S with {SELECTION_WORDS[(s.config as Partial<typeof s.config>).jointSelection ?? 'shared']}{(s.config as Partial<typeof s.config>).jointSelection ? '' : ' (these runs were made before per-task checkpoints were a choice)'}.</>}</p>
            {s ? (
              <>
                <div className="duo">
                  <SweepChart sweep={s} metric={e.chart.metric} testId={`finding-${e.name}`} />
                  <SweepChart sweep={s} metric={e.chart.second} testId={`finding-${e.name}-2`} />
                </div>
                {e.verdicts && (
                  <ul className="verdicts" data-testid={`verdicts-${e.name}`}>
                    {e.verdicts(s, sweeps).map((st) => (
                      <li key={st.text}>
                        {st.text} <strong>Observed:</strong> {st.observed} — <span className={`verdict ${st.verdict.replace(' ', '-')}`}>{st.verdict}</span>.
                      </li>
                    ))}
                  </ul>
                )}
                <ul className="verdicts" data-testid={`trends-${e.name}`}>
                  {trendsFor(s).map((t) => {
                    const c = claimOf(claims, e.name, t);
                    const verdict = c?.verdict ?? t.verdict;
                    const power = powerText(t, verdict);
                    return (
                      <li key={`${t.x}|${t.y}`}>
                        {t.claim} <strong>Observed:</strong> {quantityLabel(t.y)} against {t.x}: {slopeText(t)} —{' '}
                        <span className={`verdict ${verdict.replace(' ', '-')}`}>{verdict}</span>{t.verdict === 'not shown' ? ` (${verdictText(t).replace(/^not shown: /, '')})` : ''}{c ? ` (${qText(c, claims.length)})` : ''}.{power ? ` ${power}` : ''}
                      </li>
                    );
                  })}
                </ul>
              </>
            ) : (
              <p className="placeholder">{s === null ? (e.data ? `Not stored yet: npm run findings -- --only ${e.name}${reusable(e.data) ? ` --reuse public/lessons/${reusable(e.data)}.json` : ''} makes it (each of its ${e.values.length - 1} other points trains 10 seeds of about ten minutes each on a CPU).` : 'No stored run yet: run npm run findings.') : 'Loading…'}</p>
            )}
          </section>
        );
      })}
      {ablations && (
        <section aria-label="Ablations">
          <h2>Ablations: separating the two mechanisms</h2>
          <div className="table-scroll"><table className="sweep-table">
            <thead><tr><th scope="col">joint model</th><th scope="col">rec R@10 Gen_R → Gen_R+S</th><th scope="col">rec gain</th><th scope="col">pop-KL advantage</th><th scope="col">content adv. over Gen_R</th><th scope="col">CF adv. over Gen_S</th></tr></thead>
            <tbody>
              {ablations.variants.map((v) => (
                <tr key={v.name}>
                  <th scope="row">{v.label}</th>
                  <td className="num">{fmt(v.summary.recRecall)} → {fmt(v.summary.jointRecRecall)}</td>
                  <td className="num">{pct(v.summary.recGain?.mean)}{v.summary.recGain?.ci95 ? ` [${pct(v.summary.recGain.ci95[0])}, ${pct(v.summary.recGain.ci95[1])}]` : ''}</td>
                  <td className="num">{fmt(v.summary.klAdvantage)}</td>
                  <td className="num">{fmt(v.summary.contentAdvantage, 2)}</td>
                  <td className="num">{fmt(v.summary.cfAdvantage, 2)}</td>
                </tr>
              ))}
            </tbody>
          </table></div>
        </section>
      )}
    </div>
  );
}
