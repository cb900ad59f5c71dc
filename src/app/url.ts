/**
 * The whole state of a lesson in the query string, under the config's stable key names (docs/report.md):
 * `?preset=h2-aligned-structure&items=400&seed=3`. Parsing is strict: an unknown key,
 * a value of the wrong type or out of range, or a world that cannot be built is not
 * used; it is replaced by the default and named in a notice.
 */
import { CONFIG_KEYS, parseValue, PARAM_BY_KEY, worldProblems, type Config, type ConfigKey } from '../engine/core/config';
import { PRESET_NAMES, presetValues } from '../engine/core/presets';
import { BACKENDS, type BackendName } from '../engine/core/backends';
import { findLessonWorld, LESSON_WORLDS } from '../engine/studies/lessons';

/** Query keys that are not knobs. */
const EXTRA_KEYS = ['preset', 'autorun', 'backend', 'view', 'step', 'present', 'a', 'b'] as const;
export const VIEWS = ['lab', 'lesson', 'data', 'sweeps', 'findings', 'compare'] as const;
/** The Compare view's pair when none is in the link: the lesson's H2 contrast. */
export const DEFAULT_COMPARE = { a: 'lesson:h2-aligned', b: 'lesson:h2-unrelated' };
export type ViewName = (typeof VIEWS)[number];

export interface UrlState {
  config: Config;
  preset: string;
  autorun: boolean;
  /** How the worker picks its backend: measured (the default), or forced by `backend=`
   *  (that one; if it cannot start, the next ones in order). */
  backend: BackendName | null;
  view: ViewName;
  /** The lesson step shown (0-based; `step=N` in the URL is 1-based). */
  step: number;
  /** `present=1`: the presenter view (no settings panel, large type, full-width charts). */
  present: boolean;
  /** The Compare view's two runs (`a=lesson:<world>&b=lesson:<world>`). */
  compare: { a: string; b: string };
  notices: string[];
}

export function parseUrl(search: string): UrlState {
  const params = new URLSearchParams(search);
  const notices: string[] = [];
  let preset = 'classroom';
  const presetText = params.get('preset');
  if (presetText !== null) {
    if (PRESET_NAMES.includes(presetText)) preset = presetText;
    else notices.push(`preset=${presetText} is not a preset; allowed: ${PRESET_NAMES.join(', ')}. Using classroom.`);
  }
  const base = presetValues(preset);
  const config = { ...base } as Record<string, unknown>;
  const fromUrl: ConfigKey[] = [];
  for (const [key, value] of params) {
    if ((EXTRA_KEYS as readonly string[]).includes(key)) continue;
    if (!PARAM_BY_KEY[key]) {
      notices.push(`"${key}" is not a parameter of Bridge Lab and was ignored.`);
      continue;
    }
    try {
      config[key] = parseValue(key, value);
      fromUrl.push(key as ConfigKey);
    } catch (e) {
      notices.push(`${(e as Error).message}. Using the default, ${String(base[key as ConfigKey])}.`);
    }
  }
  const problems = worldProblems(config as Config);
  if (problems.length && fromUrl.length) {
    for (const key of fromUrl) config[key] = base[key];
    notices.push(`These settings cannot be built together (${problems.join('; ')}), so ${fromUrl.join(', ')} were reset to the preset's values.`);
  }
  const autorun = params.get('autorun');
  if (autorun !== null && autorun !== '1' && autorun !== '0') notices.push(`autorun=${autorun} is not allowed: use 1 or 0.`);
  let backend: BackendName | null = null;
  const backendText = params.get('backend');
  if (backendText !== null) {
    if ((BACKENDS as readonly string[]).includes(backendText)) backend = backendText as BackendName;
    else notices.push(`backend=${backendText} is not allowed: use one of ${BACKENDS.join(', ')}. Measuring and using the fastest.`);
  }
  let view: ViewName = 'lab';
  const viewText = params.get('view');
  if (viewText !== null) {
    if ((VIEWS as readonly string[]).includes(viewText)) view = viewText as ViewName;
    else notices.push(`view=${viewText} is not allowed: use one of ${VIEWS.join(', ')}. Showing the lab.`);
  }
  let step = 0;
  const stepText = params.get('step');
  if (stepText !== null) {
    const n = Number(stepText);
    // A step number; the lesson (which holds its steps) names one past its last.
    if (/^\d+$/.test(stepText) && n >= 1) step = n - 1;
    else notices.push(`step=${stepText} is not allowed: give a step's number (1, 2, …). Showing step 1.`);
  }
  const present = params.get('present');
  if (present !== null && present !== '1' && present !== '0') notices.push(`present=${present} is not allowed: use 1 or 0.`);
  const compare = { ...DEFAULT_COMPARE };
  for (const side of ['a', 'b'] as const) {
    const text = params.get(side);
    if (text === null) continue;
    const world = text.startsWith('lesson:') ? findLessonWorld(text.slice(7)) : undefined;
    if (world) compare[side] = `lesson:${world.id}`;
    else notices.push(`${side}=${text} is not allowed: a link names stored lesson runs, lesson:<world> with one of ${LESSON_WORLDS.map((w) => w.id).join(', ')}. Showing ${DEFAULT_COMPARE[side]}.`);
  }
  return { config: config as Config, preset, autorun: autorun === '1', backend, view, step, present: present === '1', compare, notices };
}

/** The query string for a state: the view (and lesson step), presenter mode, the link's
 *  forced backend and autorun (fixed for a page load, so kept as given), the preset and
 *  every knob that differs from it. */
export function toQuery(config: Config, preset: string, view: ViewName = 'lab', extra: { step?: number; present?: boolean; compare?: { a: string; b: string }; backend?: BackendName | null; autorun?: boolean } = {}): string {
  const base = presetValues(preset);
  const params = new URLSearchParams();
  if (view !== 'lab') params.set('view', view);
  if (view === 'lesson') params.set('step', String((extra.step ?? 0) + 1));
  // A pair of stored runs can be linked; the current run or an opened file cannot.
  if (view === 'compare' && extra.compare && [extra.compare.a, extra.compare.b].every((x) => x.startsWith('lesson:'))) {
    params.set('a', extra.compare.a);
    params.set('b', extra.compare.b);
  }
  if (extra.present) params.set('present', '1');
  if (extra.backend) params.set('backend', extra.backend);
  if (extra.autorun) params.set('autorun', '1');
  if (preset !== 'classroom') params.set('preset', preset);
  for (const key of CONFIG_KEYS) if (config[key] !== base[key]) params.set(key, String(config[key]));
  const s = params.toString();
  return s ? `?${s}` : '';
}
