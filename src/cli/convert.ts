/**
 * `npm run experiment -- --convert FORMAT SRC --out DIR [options]`: a public dataset's own
 * files (no download: the folder you have) → an ordinary items/queries/sessions folder
 * for `--data`, with a README.md of what was kept and dropped. The folder is written whole
 * or not at all: the files go to a temporary folder beside it, renamed at the end.
 *
 *   movielens  SRC holds movies.csv and ratings.csv (tags.csv, queries.csv optional)
 *              --min-rating R (0)  --k-core K (5)  --max-items N (20000)  --max-session N (50)  --seed S (1)
 *   kuaisar    SRC holds item_features.csv, rec_inter.csv and src_inter.csv
 *              --k-core K (5)  --max-items N (20000)  --max-session N (50)  --seed S (1)
 *   recbole    SRC holds RecBole atomic files: NAME.inter (NAME.item, NAME.query or NAME.search optional)
 *              --k-core K (5)  --max-items N (20000)  --max-session N (50)  --seed S (1)
 */
import { createReadStream, existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { ConfigError } from '../engine/core/config';
import { dataError } from '../engine/data/csv';
import { convertMovieLens, MOVIELENS_DEFAULTS } from '../engine/data/convert/movielens';
import { convertKuaiSar } from '../engine/data/convert/kuaisar';
import { convertRecBole, type RecBoleSource } from '../engine/data/convert/recbole';
import type { Lines } from '../engine/data/convert/lines';
import { flagsOf, parseFlags, parseIntFlag } from './args';
import { writeFolderAtomic } from './data-folder';
import { CONVERT_ONLY, EXPERIMENT } from './commands';

export const FORMATS = ['movielens', 'kuaisar', 'recbole'] as const;

/** A file's lines, read when first asked for (a stream opened early would lose lines while the converter reads another file). */
async function* lines(file: string): AsyncGenerator<string> {
  yield* createInterface({ input: createReadStream(file, { encoding: 'utf8' }), crlfDelay: Infinity });
}

/** A folder of RecBole atomic files: its one NAME.inter (benchmark split files aside), NAME.item, NAME.query or NAME.search. */
function recboleSource(src: string, file: (name: string, required: boolean) => Lines | undefined): RecBoleSource {
  const inters = existsSync(src) ? readdirSync(src).filter((f) => f.endsWith('.inter') && !/\.(train|valid|test)\.inter$/.test(f)) : [];
  if (inters.length !== 1) throw dataError(src, null, inters.length ? `holds ${inters.length} .inter files (${inters.join(', ')}): give a folder with one NAME.inter` : 'no NAME.inter file: a RecBole dataset folder holds NAME.inter (and NAME.item, optionally NAME.query or NAME.search)');
  const name = inters[0].slice(0, -'.inter'.length);
  const queryFile = [`${name}.query`, `${name}.search`].find((f) => existsSync(join(src, f)));
  return { name, inter: file(inters[0], true)!, item: file(`${name}.item`, false), query: queryFile ? file(queryFile, true) : undefined, queryFile };
}

export async function convert(argv: string[]): Promise<void> {
  const at = argv.indexOf('--convert');
  const [format, src] = [argv[at + 1], argv[at + 2]];
  if (!format || format.startsWith('--') || !src || src.startsWith('--')) throw new ConfigError(`--convert needs a format and a source folder: --convert ${FORMATS.join('|')} SRC --out DIR`);
  if (!(FORMATS as readonly string[]).includes(format)) throw new ConfigError(`unknown format "${format}"; formats: ${FORMATS.join(', ')}`);
  const rest = [...argv.slice(0, at), ...argv.slice(at + 3)];
  const { values } = parseFlags(rest, EXPERIMENT, flagsOf(EXPERIMENT).filter((f) => ['out', 'seed', ...CONVERT_ONLY].includes(f.name)));
  if (!values.out) throw new ConfigError('--convert needs --out DIR: the folder to write items.csv, queries.csv, sessions.csv and README.md to');
  if (format !== 'movielens' && values['min-rating'] !== undefined) throw new ConfigError(`--min-rating is for movielens: ${format === 'kuaisar' ? 'KuaiSAR has clicks' : 'RecBole interactions are taken as they are'}, not ratings`);
  const minRating = values['min-rating'] === undefined ? MOVIELENS_DEFAULTS.minRating : Number(values['min-rating']);
  if (!/^\d+(\.\d+)?$/.test(values['min-rating'] ?? '0') || minRating > 10) throw new ConfigError(`--min-rating ${JSON.stringify(values['min-rating'])} is not allowed: it must be a number from 0 to 10`);
  const opts = {
    minRating,
    kCore: values['k-core'] === undefined ? MOVIELENS_DEFAULTS.kCore : parseIntFlag('k-core', values['k-core'], 1, 1000),
    maxItems: values['max-items'] === undefined ? MOVIELENS_DEFAULTS.maxItems : parseIntFlag('max-items', values['max-items'], 2, 20000),
    maxSessionLength: values['max-session'] === undefined ? MOVIELENS_DEFAULTS.maxSessionLength : parseIntFlag('max-session', values['max-session'], 3, 10000),
    seed: values.seed === undefined ? MOVIELENS_DEFAULTS.seed : parseIntFlag('seed', values.seed, 1, 2147483647),
  };
  const file = (name: string, required: boolean) => {
    const path = join(src, name);
    if (existsSync(path)) return lines(path);
    if (required) throw dataError(name, null, format === 'kuaisar' ? `missing: ${src} must hold item_features.csv, rec_inter.csv and src_inter.csv` : `missing: ${src} must hold movies.csv and ratings.csv (tags.csv and queries.csv are optional)`);
    return undefined;
  };
  const out = resolve(values.out);
  if (existsSync(out) && readdirSync(out).length) throw new ConfigError(`--out ${values.out}: the folder exists and is not empty; give a new or empty folder`);
  const t0 = performance.now();
  const result = format === 'kuaisar'
    ? await convertKuaiSar({ items: file('item_features.csv', true)!, rec: file('rec_inter.csv', true)!, search: file('src_inter.csv', true)! }, opts)
    : format === 'recbole' ? await convertRecBole(recboleSource(src, file), opts)
      : await convertMovieLens({ movies: file('movies.csv', true)!, ratings: file('ratings.csv', true)!, tags: file('tags.csv', false), queries: file('queries.csv', false) }, opts);
  writeFolderAtomic(out, { 'items.csv': result.files.items, 'queries.csv': result.files.queries, 'sessions.csv': result.files.sessions, 'README.md': result.summary }, 'converting');
  const c = result.counts;
  process.stdout.write(`${result.summary}\nwrote ${values.out}/items.csv, queries.csv, sessions.csv and README.md (${c.items} items, ${c.users} sessions, ${c.queries} queries) in ${((performance.now() - t0) / 1000).toFixed(1)} s; train on it with: npm run experiment -- --data ${values.out}\n`);
}
