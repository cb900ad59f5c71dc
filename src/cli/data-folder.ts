/** A catalogue given as a folder of the three import files, read by the runner and `npm run lessons`. */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
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
