/** A catalogue as a folder of files: the three import files read (the runner, `npm run lessons`), and a folder written whole or not at all (--convert, --export). */
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import type { Config } from '../engine/core/config';
import { checkFileSize, dataError } from '../engine/data/csv';
import { importData, type DataFiles, type ImportedData } from '../engine/data/import';
import type { DataSource } from './seed-worker';

/** Where the real catalogues shipped with the page live (a folder each). */
export const SHIPPED_DATA_DIR = 'public/data';

/** A shipped catalogue (public/data/NAME) read and imported under `cfg`'s import settings, and the source a worker thread reads it from. */
export function shippedCatalogue(name: string, cfg: Config): { source: DataSource; imported: ImportedData } {
  const dir = resolve(SHIPPED_DATA_DIR, name);
  const source: DataSource = { dir, name, options: { vocabSize: cfg.vocabSize, queryLength: cfg.queryLength, historyLength: cfg.historyLength, seed: cfg.seed } };
  return { source, imported: importData(name, readDataFolder(dir), source.options) };
}

/** Reads DIR's three files, refusing missing or oversized ones. */
export function readDataFolder(dir: string): DataFiles {
  const read = (name: string) => {
    const file = join(dir, name);
    if (!existsSync(file)) throw dataError(name, null, `missing: ${dir} must hold items.csv, queries.csv and sessions.csv`);
    checkFileSize(name, statSync(file).size);
    return readFileSync(file, 'utf8');
  };
  return { items: read('items.csv'), queries: read('queries.csv'), sessions: read('sessions.csv') };
}

/** Writes `files` (name → text) as the folder `out`, whole or not at all: a temporary folder beside it, renamed into place. */
export function writeFolderAtomic(out: string, files: Record<string, string>, why: string): void {
  const tmp = join(dirname(out), `.${basename(out)}.${why}-${process.pid}`);
  try {
    mkdirSync(tmp, { recursive: true });
    for (const [name, text] of Object.entries(files)) writeFileSync(join(tmp, name), text);
    if (existsSync(out)) rmSync(out, { recursive: true });
    renameSync(tmp, out);
  } finally {
    if (existsSync(tmp)) rmSync(tmp, { recursive: true, force: true });
  }
}
