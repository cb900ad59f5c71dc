/** Keeps the address bar in step with the knobs, the view and the lesson step, so a link reproduces the world and the run. */
import { toQuery } from './url';
import { initialLink, useLab } from './store';

export function syncUrl(): void {
  const write = (s: ReturnType<typeof useLab.getState>) =>
    history.replaceState(null, '', `${location.pathname}${toQuery(s.config, s.preset, s.view, { step: s.lessonStep, present: s.present, compare: s.compare, backend: initialLink.backend, autorun: initialLink.autorun })}`);
  useLab.subscribe((s, prev) => {
    if (s.config !== prev.config || s.preset !== prev.preset || s.view !== prev.view || s.lessonStep !== prev.lessonStep || s.present !== prev.present || s.compare !== prev.compare) write(s);
  });
  // A lesson link names its step from the start, so the address bar can be shared as it is.
  if (useLab.getState().view === 'lesson') write(useLab.getState());
}
