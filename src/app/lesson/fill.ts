/**
 * The numbers in the lesson's words, read from the worlds instead of typed: `{world:name}`
 * in a step's text or question is a setting of that world (lessonConfig) or a measure of
 * its stored run, so that a changed world or a new run can never leave the text behind.
 */
import { importedDataOf, PARAMS, type Config } from '../../engine/core/config';
import { lessonConfig, lessonWorld, type StoredLessonRun } from '../../engine/studies/lessons';
import type { LessonStep } from './steps';

const PLACEHOLDER = /\{([a-z0-9-]+):([A-Za-z]+)(%?)\}/g;

/** Measures of a stored run that a text may name (the rest are settings). */
export const RUN_MEASURES = {
  users: 'the users (sessions) of a real catalogue',
  searchItems: 'the share of items a training query names, mean over the stored seeds',
  recItems: 'the share of items a recommendation training example names, mean over the stored seeds',
  seeds: 'the stored run\'s seeds',
} as const;

export type StoredRuns = Record<string, StoredLessonRun | null | undefined>;

export interface Placeholder { world: string; name: string; percent: boolean; text: string }

/** Every `{world:name}` in a text. */
export function placeholders(text: string): Placeholder[] {
  return [...text.matchAll(PLACEHOLDER)].map((m) => ({ world: m[1], name: m[2], percent: m[3] === '%', text: m[0] }));
}

/** The worlds a step's words name (their stored runs are needed for the measures). */
export function namedWorlds(step: LessonStep): string[] {
  return [...new Set([...step.text, step.question].flatMap((t) => placeholders(t).map((p) => p.world)))];
}

const shareNamed = (counts: number[]) => counts.filter((c) => c > 0).length / Math.max(1, counts.length);

/** The value a placeholder stands for; null while a stored run it needs has not loaded (or does not exist). */
export function placeholderValue(p: Pick<Placeholder, 'world' | 'name'>, runs: StoredRuns): number | null {
  const world = lessonWorld(p.world);
  const report = runs[p.world]?.report;
  const mean = (f: (r: NonNullable<typeof report>['runs'][number]) => number) => (report && report.runs.length ? report.runs.reduce((s, r) => s + f(r), 0) / report.runs.length : null);
  switch (p.name) {
    case 'users': return report ? importedDataOf(report.config)?.counts?.sessions ?? null : null;
    case 'searchItems': return mean((r) => shareNamed(r.itemInfo.trainSearch));
    case 'recItems': return mean((r) => shareNamed(r.itemInfo.trainRec));
    case 'seeds': return report ? report.seeds.length : null;
  }
  if (!PARAMS.some((x) => x.key === p.name)) throw new Error(`{${p.world}:${p.name}}: "${p.name}" is neither a setting nor a run measure (${Object.keys(RUN_MEASURES).join(', ')})`);
  // A real catalogue's size is the catalogue's, not the preset's.
  if (world.data && p.name === 'items') return report ? report.config.items : null;
  const v = lessonConfig(world)[p.name as keyof Config];
  return typeof v === 'number' ? v : null;
}

const format = (v: number, percent: boolean) => (percent ? `${Math.round(v * 100)} %` : v.toLocaleString('en-US'));

/** The text with every placeholder filled ("…" where a stored run has not loaded yet). */
export function fillText(text: string, runs: StoredRuns): string {
  return text.replace(PLACEHOLDER, (_, world: string, name: string, percent: string) => {
    const v = placeholderValue({ world, name }, runs);
    return v === null ? '…' : format(v, percent === '%');
  });
}
