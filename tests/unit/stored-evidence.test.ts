/**
 * What the project stores carries its claims: every lesson world has enough seeds and a
 * variance decomposition, every effect a lesson step states is evaluated on the stored
 * runs, and every "agrees" in the findings rests on a slope interval that excludes 0.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { LESSON_STEPS } from '../../src/app/lesson/steps';
import { lessonEffects } from '../../src/app/lesson/effects';
import type { Trend } from '../../src/engine/eval/evidence';
import { effectResult, LESSON_WORLDS, type StoredLessonRun } from '../../src/engine/studies/lessons';
import type { Report } from '../../src/engine/core/report';
import { importedDataOf } from '../../src/engine/core/config';
import { SWEEP_EXPERIMENTS } from '../../src/engine/studies/sweep';

const stored = (id: string) => JSON.parse(readFileSync(`public/lessons/${id}.json`, 'utf8')) as StoredLessonRun;

describe('the lesson\'s stored runs', () => {
  it('hold at least 10 seeds per world and, for each simulated world, say where the variance of the gain comes from', () => {
    for (const w of LESSON_WORLDS) {
      const s = stored(w.id);
      expect(s.report.seeds.length, w.id).toBeGreaterThanOrEqual(10);
      if (w.data) {
        // One real catalogue, one split: its seeds vary the models' initialisation alone, there is no world to decompose.
        expect(importedDataOf(s.report.config)?.name, w.id).toBe(w.data);
        expect(s.decomposition, w.id).toBeUndefined();
        continue;
      }
      expect(s.decomposition?.sources.rec, w.id).toBeDefined();
      const v = s.decomposition!.sources.rec!;
      expect(v.world + v.init + v.testSample, w.id).toBeCloseTo(v.total, 9);
    }
  });

  it('evaluate every effect a step states; "shown" means the interval excludes 0 on the expected side', () => {
    const reports: Record<string, Report> = Object.fromEntries(LESSON_WORLDS.map((w) => [w.id, stored(w.id).report]));
    for (const step of LESSON_STEPS) {
      for (const e of step.effects) {
        const r = effectResult(e, reports);
        expect(r, `${step.id}: ${e.claim}`).not.toBeNull();
        expect(r!.evidence.n, e.claim).toBeGreaterThanOrEqual(10);
        const [lo, hi] = r!.evidence.ci95!;
        if (r!.verdict === 'shown' && e.expected === 'positive') expect(lo).toBeGreaterThan(0);
        if (r!.verdict === 'shown' && e.expected === 'negative') expect(hi).toBeLessThan(0);
        if (r!.verdict === 'not shown') expect(lo <= 0 && hi >= 0).toBe(true);
        if (e.expected === 'none') {
          expect(e.margin, `${step.id}: a "none" effect states its equivalence margin`).toBeGreaterThan(0);
          if (r!.verdict === 'shown') expect(Math.max(-r!.evidence.ci90![0], r!.evidence.ci90![1])).toBeLessThan(e.margin!);
        }
      }
    }
  });
});

const EFFECTS_BEGIN = '<!-- effects: from public/lessons/*.json -->';
const EFFECTS_END = '<!-- effects end -->';
const signed = (x: number, percent?: boolean) => `${x >= 0 ? '+' : '−'}${percent ? `${Math.abs(x * 100).toFixed(1)} %` : Math.abs(x).toFixed(3)}`;

/** docs/app.md's table of every effect a step states, as the stored runs show it, with its p and its q over the lesson's family. */
function effectsTable(): string {
  const reports: Record<string, Report> = Object.fromEntries(LESSON_WORLDS.map((w) => [w.id, stored(w.id).report]));
  const family = lessonEffects(reports);
  const held = family.effects.filter((e) => e.verdict === 'shown').length;
  const rows = [`${family.family} effects tested, as one family; ${held} shown at q < 0.05 (Benjamini–Hochberg). p: two-sided t-test, or for a "no effect" claim the two one-sided tests against its margin.`, '',
    '| step | effect | 10 stored seeds: mean [95 % interval] | p | q | verdict at q < 0.05 |', '| --- | --- | --- | --- | --- | --- |'];
  let k = 0;
  LESSON_STEPS.forEach((step, i) => {
    for (const e of step.effects) {
      const r = effectResult(e, reports)!;
      const f = family.effects[k++];
      const [lo, hi] = r.evidence.ci95!;
      const ninety = e.expected === 'none' ? `; 90 %: [${signed(r.evidence.ci90![0], e.percent)}, ${signed(r.evidence.ci90![1], e.percent)}]` : '';
      const num = (x: number | null) => (x === null ? '—' : x < 0.001 ? '< 0.001' : x.toFixed(3));
      rows.push(`| ${i + 1} | ${e.claim} | ${signed(r.evidence.mean, e.percent)} [${signed(lo, e.percent)}, ${signed(hi, e.percent)}]${ninety} | ${num(f.p)} | ${num(f.q)} | ${f.verdict}${f.uncorrected ? ` (${f.uncorrected} before correction)` : ''} |`);
    }
  });
  return rows.join('\n');
}

describe('the lesson\'s effects as one family (public/lessons/effects.json)', () => {
  it('are stored as the stored runs give them (BRIDGE_WRITE_DOCS=1 rewrites the file)', () => {
    const reports: Record<string, Report> = Object.fromEntries(LESSON_WORLDS.map((w) => [w.id, stored(w.id).report]));
    const want = lessonEffects(reports);
    const file = 'public/lessons/effects.json';
    if (process.env.BRIDGE_WRITE_DOCS === '1') writeFileSync(file, `${JSON.stringify(want, null, 1)}\n`);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual(JSON.parse(JSON.stringify(want)));
    for (const e of want.effects) if (e.verdict === 'shown') expect(e.q!, e.claim).toBeLessThan(0.05);
  });
});

describe('the lesson in docs/app.md', () => {
  it('states every effect as the stored runs show it (BRIDGE_WRITE_DOCS=1 rewrites the table)', () => {
    const file = 'docs/app.md';
    const doc = readFileSync(file, 'utf8');
    const a = doc.indexOf(EFFECTS_BEGIN), b = doc.indexOf(EFFECTS_END);
    expect(a >= 0 && b > a, 'the effects block markers').toBe(true);
    const want = `${EFFECTS_BEGIN}\n\n${effectsTable()}\n\n`;
    if (process.env.BRIDGE_WRITE_DOCS === '1') writeFileSync(file, doc.slice(0, a) + want + doc.slice(b));
    expect(readFileSync(file, 'utf8').slice(a, readFileSync(file, 'utf8').indexOf(EFFECTS_END))).toBe(want);
  });
});

describe('the stored findings', () => {
  it('rest every "agrees" on a slope interval that excludes 0 in the expected direction, with at least 10 seeds', () => {
    const files = readdirSync('docs/findings').filter((f) => f.endsWith('.json'));
    // Every simulated study is stored; a real-data study (minutes a seed) is checked where it is stored.
    expect(files.filter((f) => SWEEP_EXPERIMENTS.some((e) => `${e.name}.json` === f)).length).toBe(files.length);
    expect(files).toEqual(expect.arrayContaining(SWEEP_EXPERIMENTS.filter((e) => !e.data).map((e) => `${e.name}.json`)));
    for (const f of files) {
      const s = JSON.parse(readFileSync(`docs/findings/${f}`, 'utf8')) as { trends: Trend[]; seeds: number[]; experiment: string };
      expect(s.seeds.length, f).toBeGreaterThanOrEqual(10);
      if (!SWEEP_EXPERIMENTS.find((e) => e.name === s.experiment)?.variants) {
        expect(s.trends.map((t) => t.y), f).toEqual(expect.arrayContaining(['jointGain.rec', 'jointGain.search']));
      }
      for (const t of s.trends) {
        if (t.verdict !== 'agrees') continue;
        expect(t.seeds, `${f}: ${t.claim}`).toBeGreaterThanOrEqual(10);
        if (t.expected === 'rises') expect(t.ci95![0]).toBeGreaterThan(0);
        else expect(t.ci95![1]).toBeLessThan(0);
      }
    }
    expect(existsSync('public/findings/ablations.json')).toBe(true);
  });
});
