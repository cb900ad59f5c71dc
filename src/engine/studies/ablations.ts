/**
 * The ablation study: one world, the joint model with and without each mechanism cut,
 * summarised by what each hypothesis predicts should change.
 */
import { resolveConfig, type Config } from '../core/config';
import { contrast, interval as meanInterval, type Evidence, type PerSeed } from '../eval/evidence';
import type { Interval, Report } from '../core/report';
import { jointGainOf } from '../run/summary';
import { findPreset } from '../core/presets';

export interface AblationVariant {
  name: string;
  label: string;
  values: Partial<Config>;
}

/** The ablations' world: the aligned-structure preset (content and CF agree, shared popularity). */
export const ABLATION_PRESET = 'h2-aligned-structure';
export const ABLATION_BASE: Partial<Config> = findPreset(ABLATION_PRESET).values;

export const ABLATIONS: readonly AblationVariant[] = [
  { name: 'none', label: 'shared everything (no ablation)', values: {} },
  { name: 'perTaskBias', label: 'task-specific output bias (cuts H1)', values: { outputBias: 'perTask' } },
  { name: 'perTaskEmbeddings', label: 'separate item embeddings per task (cuts H2)', values: { itemEmbeddings: 'perTask' } },
  { name: 'popularityRemoved', label: 'search targets uniform (no added popularity)', values: { popularityRemoved: 'search' } },
];

export interface AblationSummary {
  recRecall: number;
  jointRecRecall: number;
  recGain: Interval | undefined;
  /** Gen_R's rec popularity KL minus Gen_R+S's: how much better joint calibrates. */
  klAdvantage: number;
  jointContent: number;
  jointCf: number;
  /** Gen_R+S's content agreement minus Gen_R's. */
  contentAdvantage: number;
  /** Gen_R+S's CF agreement minus Gen_S's. */
  cfAdvantage: number;
  /** Per seed (the report's seeds, in order): the relative rec gain, the pop-KL advantage and the content advantage. */
  bySeed?: { seeds: number[]; recGain: (number | null)[]; klAdvantage: number[]; contentAdvantage: number[] };
}

export interface AblationStudy {
  schema: 'bridge-lab/ablations@1';
  config: Config;
  seeds: number[];
  variants: (AblationVariant & { summary: AblationSummary; report: Report })[];
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);

export function summarizeAblation(report: Report): AblationSummary {
  const runs = report.runs;
  const emb = (m: 'search' | 'rec' | 'joint', k: 'contentAgreement' | 'cfAgreement') => mean(runs.map((r) => r.models[m]!.embedding[k]));
  const kl = (m: 'rec' | 'joint') => mean(runs.map((r) => r.models[m]!.popularity.rec!.kl));
  const recall = (m: 'rec' | 'joint') => mean(runs.map((r) => r.models[m]!.eval.rec![`recall@${report.config.k}`] as number));
  return {
    recRecall: recall('rec'),
    jointRecRecall: recall('joint'),
    recGain: report.summary.jointGain.rec ?? meanInterval([]),
    klAdvantage: kl('rec') - kl('joint'),
    jointContent: emb('joint', 'contentAgreement'),
    jointCf: emb('joint', 'cfAgreement'),
    contentAdvantage: emb('joint', 'contentAgreement') - emb('rec', 'contentAgreement'),
    cfAdvantage: emb('joint', 'cfAgreement') - emb('search', 'cfAgreement'),
    bySeed: {
      seeds: runs.map((r) => r.seed),
      recGain: runs.map((r) => jointGainOf(r, 'rec', report.config.k)),
      klAdvantage: runs.map((r) => r.models.rec!.popularity.rec!.kl - r.models.joint!.popularity.rec!.kl),
      contentAdvantage: runs.map((r) => r.models.joint!.embedding.contentAgreement - r.models.rec!.embedding.contentAgreement),
    },
  };
}

export async function runAblations(variants: readonly AblationVariant[], seeds: number[], runPoint: (cfg: Config, seeds: number[]) => Promise<Report>, base: Partial<Config> = ABLATION_BASE): Promise<AblationStudy> {
  const config = resolveConfig(base);
  const out: AblationStudy['variants'] = [];
  for (const v of variants) {
    const report = await runPoint(resolveConfig({ ...base, ...v.values }), seeds);
    out.push({ ...v, summary: summarizeAblation(report), report: { ...report, runs: report.runs.map((r) => ({ ...r, itemInfo: { topic: [], cluster: [], pSearch: [], pRec: [], trainSearch: [], trainRec: [] }, models: Object.fromEntries(Object.entries(r.models).map(([k, m]) => [k, { ...m, embedding: { ...m!.embedding, pca: [] }, popularity: {} }])) })) } as Report });
  }
  return { schema: 'bridge-lab/ablations@1', config, seeds, variants: out };
}

/** How `quantity` changes from the base variant to `variant`, paired by seed (the variants share worlds and seeds). */
export function ablationChange(base: AblationSummary, variant: AblationSummary, quantity: 'recGain' | 'klAdvantage' | 'contentAdvantage'): Evidence | null {
  if (!base.bySeed || !variant.bySeed) return null;
  const per = (s: AblationSummary): PerSeed => s.bySeed!.seeds.map((seed, i) => ({ seed, value: s.bySeed![quantity][i] }));
  return contrast(per(base), per(variant));
}
