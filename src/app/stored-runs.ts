/** Stored runs (public/lessons/<world>.json, made by npm run lessons): read on demand, and the Lab's first view. */
import { lessonConfig, lessonWorld, type StoredLessonRun } from '../engine/studies/lessons';
import { initialLink, useLab } from './store';

/** A stored lesson run, or null if it cannot be read. */
export async function fetchStoredRun(world: string): Promise<StoredLessonRun | null> {
  try {
    const r = await fetch(`${import.meta.env.BASE_URL}lessons/${world}.json`);
    return r.ok ? ((await r.json()) as StoredLessonRun) : null;
  } catch {
    return null;
  }
}

/** The Lab never opens empty: with the classroom world and no run asked for, it shows the
 *  stored classroom run, labelled as stored, until the first live run replaces it. */
export function openStoredClassroom(): void {
  if (initialLink.autorun || JSON.stringify(initialLink.config) !== JSON.stringify(lessonConfig(lessonWorld('classroom')))) return;
  fetchStoredRun('classroom').then((run) => {
    const s = useLab.getState();
    if (!run || s.report || s.status !== 'idle') return;
    s.openWorldInLab('classroom', run);
    useLab.setState({ view: s.view });
  });
}
