/**
 * The data slice (Your data): a catalogue read from the user's files or shipped with the
 * page (real-worlds.ts), parsed in the worker, and its runs.
 */
import type { StateCreator } from 'zustand';
import { defaultConfig, withImportedDefaults, type Config } from '../../engine/core/config';
import { checkFileSize } from '../../engine/data/csv';
import type { FromWorker } from '../../worker/protocol';
import { realWorld } from '../real-worlds';
import { replaceWorker, send } from '../worker-client';
import { backendRequest } from './backend';
import { refusedWhileBusy } from './jobs';
import { clearQueuedProgress, freshRun } from './run';
import type { DataSlice, LabState, Store } from './types';

/** Public dataset layouts the page recognises by their file names. */
const PUBLIC_LAYOUTS: { format: 'movielens' | 'kuaisar'; required: string[]; optional: string[] }[] = [
  { format: 'movielens', required: ['movies.csv', 'ratings.csv'], optional: ['tags.csv', 'queries.csv'] },
  { format: 'kuaisar', required: ['item_features.csv', 'rec_inter.csv', 'src_inter.csv'], optional: [] },
];

type Dataset = LabState['dataset'];
const failed = (runId: number, error: string): Dataset => ({ status: 'error', summary: null, report: null, runId, error });

/** The worker's answer to an import (returns true when `m` was one). */
export function onDataMessage(store: Store, m: FromWorker): boolean {
  if (m.type !== 'dataSummary' && m.type !== 'dataError') return false;
  const { dataset } = store.getState();
  if (m.runId === dataset.runId) {
    store.setState({ dataset: m.type === 'dataSummary' ? { ...dataset, status: 'ready', summary: m.summary, error: null, report: null } : failed(dataset.runId, m.message) });
  }
  return true;
}

export const dataSlice: StateCreator<LabState, [], [], DataSlice> = (set, get, store) => ({
  dataset: { status: 'idle', summary: null, error: null, report: null, runId: 0 },
  importFiles: async (files) => {
    if (refusedWhileBusy(store, 'Importing files')) return;
    const byName = (n: string) => files.find((f) => f.name.toLowerCase() === n);
    const id = get().runId + 1;
    // A public dataset's own files (MovieLens, KuaiSAR) are converted in the worker first, as the runner's --convert does.
    const layout = PUBLIC_LAYOUTS.find((l) => l.required.every((n) => byName(n)));
    const names = layout ? [...layout.required, ...layout.optional.filter((n) => byName(n))] : ['items.csv', 'queries.csv', 'sessions.csv'];
    const missing = names.filter((n) => !byName(n));
    if (missing.length) {
      set({ runId: id, dataset: failed(id, `missing ${missing.join(', ')}: choose the three files items.csv, queries.csv and sessions.csv, or a public dataset's own files (${PUBLIC_LAYOUTS.map((l) => `${l.format}: ${l.required.join(', ')}`).join('; ')}); got ${files.map((f) => f.name).join(', ') || 'none'}`) });
      return;
    }
    // Sizes are checked in bytes before anything is read.
    try {
      for (const n of names) checkFileSize(n, byName(n)!.size);
    } catch (e) {
      set({ runId: id, dataset: failed(id, `${(e as Error).message}${layout ? ' (a larger dump converts with the runner: npm run experiment -- --convert, then open its folder here)' : ''}`) });
      return;
    }
    set({ runId: id, dataset: { status: 'parsing', summary: null, error: null, report: null, runId: id } });
    const texts = await Promise.all(names.map((n) => byName(n)!.text()));
    const config = get().config;
    if (layout) send({ type: 'importData', runId: id, name: `${layout.format} (converted)`, files: { items: '', queries: '', sessions: '' }, config, convert: { format: layout.format, files: Object.fromEntries(names.map((n, i) => [n, texts[i]])) } });
    else send({ type: 'importData', runId: id, name: 'your data', files: { items: texts[0], queries: texts[1], sessions: texts[2] }, config });
  },
  stopImport: () => {
    if (get().dataset.status !== 'parsing') return;
    replaceWorker(); // the next job starts a fresh worker (its backend choice is remembered)
    const runId = get().runId + 1;
    set({ runId, backend: null, dataset: { status: 'idle', summary: null, error: 'Import stopped: no catalogue is loaded.', report: null, runId } });
  },
  loadRealWorld: async (id) => {
    const world = realWorld(id);
    if (!world || refusedWhileBusy(store, `Loading ${world?.name ?? id}`)) return;
    const names = ['items.csv', 'queries.csv', 'sessions.csv'] as const;
    const runId = get().runId + 1;
    const base = { ...get().config } as Record<string, unknown>;
    delete base.data;
    // The simulation's knobs are set aside (disabled) while a real catalogue is the world.
    const config = { ...withImportedDefaults(base as unknown as Config, () => false), data: { name: world.name } } as unknown as Config;
    set({ view: 'lab', runId, config, report: null, without: null, models: {}, progress: {}, status: 'idle', trainedConfig: null, stored: null, error: null,
      dataset: { status: 'parsing', summary: null, error: null, report: null, runId } });
    let texts: string[];
    try {
      texts = await Promise.all(names.map(async (n) => {
        const r = await fetch(`${world.folder}${n}`);
        if (!r.ok) throw new Error(`${world.folder}${n}: ${r.status} ${r.statusText}`);
        return r.text();
      }));
    } catch (e) {
      set({ dataset: failed(runId, `${world.name} could not be loaded (${e instanceof Error ? e.message : e}); the page needs to be served with its data/ folder`) });
      return;
    }
    if (get().runId !== runId) return; // left meanwhile
    send({ type: 'importData', runId, name: world.name, files: { items: texts[0], queries: texts[1], sessions: texts[2] }, config });
  },
  trainData: (seeds = 1) => {
    const { config, dataset } = get();
    if (refusedWhileBusy(store, 'Training on your files') || dataset.status !== 'ready') return;
    const id = get().runId + 1;
    clearQueuedProgress();
    set({ ...freshRun(id), dataset: { ...dataset, report: null, runId: id } });
    // Imported catalogues' own defaults (core/config.ts IMPORTED_DEFAULTS), unless the knob was moved.
    const dataConfig = withImportedDefaults(config, (k) => config[k] !== defaultConfig()[k]);
    send({ type: 'runData', runId: id, config: dataConfig, seeds: Array.from({ length: seeds }, (_, i) => config.seed + i), backends: backendRequest() });
  },
});
