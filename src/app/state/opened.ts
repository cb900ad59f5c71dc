/** The opened slice: results files opened in the page (a report opens in the Lab, a sweep in Sweeps) and the Compare view's pair. */
import type { StateCreator } from 'zustand';
import { knobsFromReport } from '../../engine/core/config';
import type { Report } from '../../engine/core/report';
import { initial } from './initial';
import { refusedWhileBusy } from './jobs';
import { finishedProgress } from './run';
import { idleSweep } from './sweep';
import type { LabState, OpenedSlice, StoredSource } from './types';

/** The Lab showing a finished report that was not trained here (a results file, a stored real-data run): its own knobs, labelled by where it came from. */
export function openedInLab(report: Report, stored: StoredSource): Partial<LabState> {
  const config = knobsFromReport(report.config as unknown as Record<string, unknown>);
  return { view: 'lab', config, trainedConfig: config, report, without: null, models: report.runs[0]?.models ?? {}, status: 'done', error: null, progress: finishedProgress(report, config), stored };
}

export const openedSlice: StateCreator<LabState, [], [], OpenedSlice> = (set, get, store) => ({
  openedReports: [],
  openError: null,
  compare: initial.compare,
  setCompare: (compare) => set({ compare }),
  openResults: async (name, text) => {
    if (refusedWhileBusy(store, `Opening ${name}`)) return;
    let opened: import('../../engine/studies/open-file').ResultsFile;
    try {
      // The contract check loads on demand: a first visit does not carry it.
      const { parseResultsFile } = await import('../../engine/studies/open-file');
      opened = parseResultsFile(name, text);
    } catch (e) {
      set({ openError: e instanceof Error ? e.message : String(e) });
      return;
    }
    if (opened.kind === 'sweep') {
      const sw = opened.sweep;
      set({ view: 'sweeps', openError: null, sweep: { ...idleSweep, status: sw.stopped ? 'stopped' : 'done', sweep: sw, opened: { file: name, createdAt: sw.createdAt, command: sw.command ?? '', seeds: sw.seeds } } });
      return;
    }
    const report = opened.report;
    set({
      ...openedInLab(report, { file: name, createdAt: report.createdAt, command: report.command ?? '', seeds: report.seeds }),
      openError: null,
      openedReports: [...get().openedReports.filter((x) => x.name !== name), { name, report }],
    });
  },
});
