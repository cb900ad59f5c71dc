/**
 * The worlds the classroom lesson shows, shared by `npm run lessons` (which trains them
 * and stores the reports in public/lessons/) and the app's Lesson view (which shows the
 * stored reports at once and can retrain them live). The steps' words live with the
 * view (src/app/lesson/steps.ts); here is only what is trained.
 */
import { presetConfig } from './presets';
import type { Config } from './config';
import type { Report } from './report';

export interface LessonWorld {
  id: string;
  preset: string;
  overrides: Partial<Config>;
  /** A few words for the A/B label. */
  label: string;
}

export const LESSON_SEEDS = [1, 2, 3];

export const LESSON_WORLDS: readonly LessonWorld[] = [
  { id: 'classroom', preset: 'classroom', overrides: {}, label: 'the classroom world' },
  { id: 'h1-shared', preset: 'h1-shared-popularity', overrides: {}, label: 'shared popularity' },
  { id: 'h1-conflicting', preset: 'h1-conflicting-popularity', overrides: {}, label: 'conflicting popularity' },
  { id: 'h2-aligned', preset: 'h2-aligned-structure', overrides: {}, label: 'aligned content and CF' },
  { id: 'h2-unrelated', preset: 'h2-unrelated-structure', overrides: {}, label: 'unrelated content and CF' },
  { id: 'cold', preset: 'classroom', overrides: { recCoverage: 0.3 }, label: 'recommendation sees 30 % of the items' },
  { id: 'cold-semantic', preset: 'classroom', overrides: { recCoverage: 0.3, idScheme: 'semantic' }, label: 'the same, with semantic IDs from content' },
  { id: 'plentiful', preset: 'classroom', overrides: { recTrain: 6000 }, label: 'plentiful recommendation data' },
  { id: 'overtrained', preset: 'h1-shared-popularity', overrides: { recTrain: 1000, epochs: 12, patience: 0 }, label: '12 epochs, no early stopping' },
];

export function lessonWorld(id: string): LessonWorld {
  const w = LESSON_WORLDS.find((x) => x.id === id);
  if (!w) throw new Error(`unknown lesson world "${id}"; worlds: ${LESSON_WORLDS.map((x) => x.id).join(', ')}`);
  return w;
}

/** The world's config at a seed (the first seed of a run). */
export function lessonConfig(w: LessonWorld, seed = LESSON_SEEDS[0]): Config {
  return presetConfig(w.preset, { ...w.overrides, seed });
}

/** What public/lessons/<id>.json holds. */
export interface StoredLessonRun {
  schema: 'bridge-lab/lesson-run@1';
  world: LessonWorld;
  createdAt: string;
  command: string;
  backend: string;
  report: Report;
}
