/** With an ablation switched on: Gen_R+S with and without it, on the same world, side by side. */
import { ABLATION_KEYS, defaultConfig, type Config } from '../../engine/core/config';
import type { Report } from '../../engine/core/report';
import { fmt } from '../format';

export function AblationCompare({ report, without, config }: { report: Report | null; without: Report | null; config: Config }) {
  const d = defaultConfig();
  const active = ABLATION_KEYS.filter((k) => config[k] !== d[k]);
  if (!active.length || !report || !without) return null;
  const k = config.k;
  const withJ = report.runs[0]?.models.joint;
  const noJ = without.runs[0]?.models.joint;
  const genR = report.runs[0]?.models.rec;
  if (!withJ || !noJ) return null;
  const rows: [string, (m: NonNullable<typeof withJ>) => number | undefined, number][] = [
    [`rec Recall@${k}`, (m) => m.eval.rec?.[`recall@${k}`] as number, 3],
    [`search Recall@${k}`, (m) => m.eval.search?.[`recall@${k}`] as number, 3],
    ['rec popularity KL', (m) => m.popularity.rec?.kl, 3],
    ['content agreement', (m) => m.embedding.contentAgreement, 2],
    ['CF agreement', (m) => m.embedding.cfAgreement, 2],
  ];
  return (
    <section aria-label="Ablation side by side" data-testid="ablation-compare">
      <h2>Ablation · Gen_R+S with and without {active.map((a) => `${a}=${config[a]}`).join(', ')}</h2>
      <div className="table-scroll"><table className="sweep-table">
        <thead><tr><th scope="col">measure</th><th scope="col">without the ablation</th><th scope="col">with it</th><th scope="col">Gen_R (reference)</th></tr></thead>
        <tbody>
          {rows.map(([name, get, digits]) => (
            <tr key={name}><th scope="row">{name}</th><td className="num">{fmt(get(noJ), digits)}</td><td className="num">{fmt(get(withJ), digits)}</td><td className="num">{genR ? fmt(get(genR), digits) : '—'}</td></tr>
          ))}
        </tbody>
      </table></div>
      <p className="caption">Same world and seed; only the joint model differs. A per-task bias cuts the shared popularity channel (H1); per-task item embeddings cut the shared representation (H2).</p>
    </section>
  );
}
