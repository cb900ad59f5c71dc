/**
 * The lesson slice: the step shown, the presenter view, and the lesson's worlds trained
 * live in this page (one after the other; they replace the stored runs). The lesson's
 * words are content the lesson view reads; this slice knows only its worlds (studies/lessons.ts).
 */
import type { StateCreator } from 'zustand';
import type { Config } from '../../engine/core/config';
import { LIVE_SEEDS, lessonConfig, lessonWorld } from '../../engine/studies/lessons';
import type { FromWorker } from '../../worker/protocol';
import { initial } from './initial';
import { refusedWhileBusy } from './jobs';
import { openedInLab } from './opened';
import { finishedProgress, startRun } from './run';
import type { LabState, LessonSlice, Store } from './types';

/** Knobs the browser tests lay over the lesson's worlds (test hook `shrinkLessonWorlds`),
 *  so that Train live runs on tiny worlds there; empty for every user. */
let lessonTestOverrides: Partial<Config> = {};
const liveLessonConfig = (world: string): Config => ({ ...lessonConfig(lessonWorld(world)), ...lessonTestOverrides });

/** Test hook: the lesson's worlds at a tiny size for Train live. */
export function shrinkLessonWorlds(o: Partial<Config>): void {
  lessonTestOverrides = o;
}

/** A lesson world finished (or failed): keep its report and start the next world. */
export function onLessonMessage(store: Store, m: FromWorker): void {
  const { lessonRun, lessonLive } = store.getState();
  if (!lessonRun) return;
  const world = lessonRun.worlds[lessonRun.index];
  if (m.type !== 'done' || m.report.stopped) {
    store.setState({ lessonRun: null });
    return;
  }
  const live = { ...lessonLive, [world]: m.report };
  const next = lessonRun.index + 1;
  if (next >= lessonRun.worlds.length) {
    store.setState({ lessonLive: live, lessonRun: null });
    return;
  }
  store.setState({ lessonLive: live, lessonRun: { ...lessonRun, index: next } });
  // After this message's own state change, train the next world.
  setTimeout(() => startRun(store, liveLessonConfig(lessonRun.worlds[next]), LIVE_SEEDS), 0);
}

export const lessonSlice: StateCreator<LabState, [], [], LessonSlice> = (set, get, store) => ({
  lessonStep: initial.step,
  present: initial.present,
  lessonLive: {},
  lessonRun: null,
  setLessonStep: (step) => set({ lessonStep: step }),
  trainLesson: (worlds) => {
    if (refusedWhileBusy(store, 'Training the lesson live') || !worlds.length || worlds.some((w) => lessonWorld(w).data)) return;
    set({ lessonRun: { worlds, index: 0 } });
    startRun(store, liveLessonConfig(worlds[0]), LIVE_SEEDS);
  },
  openWorldInLab: (world, storedRun) => {
    if (refusedWhileBusy(store, 'Opening a lesson world in the Lab')) return;
    const w = lessonWorld(world);
    if (w.data) {
      // A real catalogue: its stored run opens as a results file does; without one, the catalogue loads to train.
      if (!storedRun) { void get().loadRealWorld(w.data); return; }
      set(openedInLab(storedRun.report, { createdAt: storedRun.createdAt, command: storedRun.command, seeds: storedRun.report.seeds }));
      return;
    }
    const config = lessonConfig(w);
    const report = get().lessonLive[world] ?? storedRun?.report ?? null;
    const stored = !get().lessonLive[world] && storedRun ? { createdAt: storedRun.createdAt, command: storedRun.command, seeds: storedRun.report.seeds } : null;
    const progress = finishedProgress(report, config);
    set({ view: 'lab', preset: w.preset, config, trainedConfig: report ? config : null, report, without: null, models: report?.runs[0]?.models ?? {}, status: report ? 'done' : 'idle', stored, error: null, progress });
  },
});
