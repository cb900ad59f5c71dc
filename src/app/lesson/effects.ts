/**
 * The lesson's effects as one family of tests: every effect every step states, evaluated on
 * the stored runs, with Benjamini–Hochberg q-values over all of them. Stored in
 * public/lessons/effects.json (a test keeps it equal to this computation) so that the page
 * shows each stored effect's q without reading every world's run.
 */
import type { Report } from '../../engine/core/report';
import { effectFamily, effectResult, type EffectResult, type StoredEffects } from '../../engine/studies/lessons';
import { LESSON_STEPS } from './steps';

export function lessonEffects(reports: Record<string, Report | undefined>): StoredEffects {
  const found: { step: string; r: EffectResult }[] = [];
  for (const step of LESSON_STEPS) {
    for (const e of step.effects) {
      const r = effectResult(e, reports);
      if (!r) throw new Error(`${step.id}: no stored run for "${e.claim}"`);
      found.push({ step: step.id, r });
    }
  }
  const family = effectFamily(found.map((f) => f.r));
  return {
    schema: 'bridge-lab/lesson-effects@1', family: family.length,
    effects: family.map((r, i) => ({ step: found[i].step, claim: r.effect.claim, mean: r.evidence.mean, p: r.p ?? null, q: r.q ?? null, verdict: r.verdict, ...(r.uncorrected ? { uncorrected: r.uncorrected } : {}) })),
  };
}
