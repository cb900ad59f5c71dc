/** A catalogue as a folder of files: the three import files read (the runner, `npm run lessons`), and a folder written whole or not at all (--convert, --export). */
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { checkFileSize, dataError } from '../engine/data/csv';
import type { DataFiles } from '../engine/data/import';

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
