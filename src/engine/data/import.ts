/**
 * A catalogue given as files (docs/runner.md: "Your own data") → the same Dataset the simulator
 * yields, so the rest of the engine trains and evaluates it unchanged.
 *
 *   items.csv     item_id,text[,category]        one row per item; IDs unique
 *   queries.csv   query,item_id                   split 80/10/10 (seeded) into train, validation, test
 *   sessions.csv  session_id,item_id[,timestamp]  in timestamp order where given, else file order;
 *                 leave-last-out: the last item is a test target, the one before it a
 *                 validation target, every earlier item (after the first) a training target,
 *                 each with the up to `historyLength` items before it; sessions shorter than 2
 *                 are dropped and counted
 *
 * An optional `split` column (train, val, test) in queries.csv and sessions.csv fixes the
 * split instead: a session row then belongs to a session that is one example, its last
 * item the target (the export of a simulated world writes it, so a round trip trains on
 * the same examples).
 *
 * Words are lowercase letter/digit tokens of item texts and training queries; the
 * `vocabSize` − 1 most frequent are kept and the rest become the unknown word (word 0).
 */
import type { Dataset, RecExamples, SearchExamples } from '../sim/examples';
import { MAX_VOCABULARY, PARAM_BY_KEY, type IntParam } from '../core/config';
import { Rng } from '../core/rng';

/** Imported catalogues meet the limits simulated worlds meet (config.ts). */
const MAX_ITEMS = (PARAM_BY_KEY.items as IntParam).max;
const MAX_EXAMPLES = (PARAM_BY_KEY.searchTrain as IntParam).max;
import { dataError, parseCsv, type CsvRow } from './csv';

export interface DataFiles { items: string; queries: string; sessions: string }

export interface ImportOptions { vocabSize: number; queryLength: number; historyLength: number; seed: number }

export interface ImportedData {
  name: string;
  items: number;
  itemIds: string[];
  /** Category index per item (−1 without a category column). */
  category: Int32Array;
  categories: string[];
  /** Word id → token; word 0 is the unknown word. */
  vocab: string[];
  /** Each item's text as word ids (words outside the vocabulary are the unknown word 0). */
  itemWords: Int32Array[];
  data: Dataset;
  /** Per recommendation training example, the index of the session it came from (subsampling keeps whole users). */
  recTrainSession: Int32Array;
  counts: {
    items: number; queries: number; sessions: number; sessionRows: number; words: number; search: { train: number; val: number; test: number }; rec: { train: number; val: number; test: number };
    /** Share of word tokens outside the vocabulary (they become the unknown word): in item texts and in each split's queries; and the distinct words seen. */
    outOfVocabulary: { itemTexts: number; queries: { train: number; val: number; test: number }; distinctWords: number };
  };
  dropped: { shortSessions: number; emptyQueries: number };
}

export const UNKNOWN_WORD = '<unk>';
const SPLITS = ['train', 'val', 'test'] as const;
type Split = (typeof SPLITS)[number];

export function tokenize(text: string): string[] {
  return text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
}

function splitOf(file: string, row: CsvRow): Split | null {
  if (!('split' in row.values)) return null;
  const v = row.values.split.trim().toLowerCase();
  if (!(SPLITS as readonly string[]).includes(v)) throw dataError(file, row.line, `split "${row.values.split}" is not allowed: use train, val or test`);
  return v as Split;
}

function readItems(text: string): { ids: string[]; index: Map<string, number>; texts: string[]; category: Int32Array; categories: string[] } {
  const rows = parseCsv('items.csv', text, ['item_id', 'text']);
  const index = new Map<string, number>();
  const ids: string[] = [], texts: string[] = [];
  const hasCategory = 'category' in rows[0].values;
  const catIndex = new Map<string, number>();
  const category = new Int32Array(rows.length).fill(-1);
  for (const r of rows) {
    const id = r.values.item_id.trim();
    if (!id) throw dataError('items.csv', r.line, 'item_id is empty');
    if (index.has(id)) throw dataError('items.csv', r.line, `item_id "${id}" appears twice (first on line ${rows[index.get(id)!].line})`);
    index.set(id, ids.length);
    if (hasCategory) {
      const c = r.values.category.trim();
      if (!catIndex.has(c)) catIndex.set(c, catIndex.size);
      category[ids.length] = catIndex.get(c)!;
    }
    ids.push(id);
    texts.push(r.values.text);
  }
  if (ids.length < 2) throw dataError('items.csv', null, 'needs at least 2 items');
  if (ids.length > MAX_ITEMS) throw dataError('items.csv', null, `has ${ids.length.toLocaleString('en')} items, more than the ${MAX_ITEMS.toLocaleString('en')} a catalogue may have (the limit of simulated worlds too)`);
  return { ids, index, texts, category, categories: [...catIndex.keys()] };
}

function itemOf(file: string, row: CsvRow, index: Map<string, number>): number {
  const id = row.values.item_id.trim();
  const i = index.get(id);
  if (i === undefined) throw dataError(file, row.line, `unknown item_id "${id}" (not in items.csv)`);
  return i;
}

function searchExamples(rows: { words: string[]; item: number }[], L: number, wordId: (w: string) => number): SearchExamples {
  const words = new Int32Array(rows.length * L).fill(-1);
  const target = new Int32Array(rows.length);
  rows.forEach((r, e) => {
    r.words.slice(0, L).forEach((w, j) => { words[e * L + j] = wordId(w); });
    target[e] = r.item;
  });
  return { count: rows.length, queryLength: L, words, target };
}

function recExamples(rows: { history: number[]; item: number }[], H: number): RecExamples {
  const history = new Int32Array(rows.length * H).fill(-1);
  const target = new Int32Array(rows.length);
  rows.forEach((r, e) => {
    r.history.slice(-H).forEach((it, j) => { history[e * H + j] = it; });
    target[e] = r.item;
  });
  return { count: rows.length, historyLength: H, history, target };
}

export function importData(name: string, files: DataFiles, opts: ImportOptions): ImportedData {
  const items = readItems(files.items);
  // Queries: tokens, item, split.
  const queryRows = parseCsv('queries.csv', files.queries, ['query', 'item_id']);
  let emptyQueries = 0;
  const queries: { words: string[]; item: number; split: Split | null }[] = [];
  for (const r of queryRows) {
    const item = itemOf('queries.csv', r, items.index);
    const words = tokenize(r.values.query);
    if (!words.length) { emptyQueries++; continue; }
    queries.push({ words, item, split: splitOf('queries.csv', r) });
  }
  const fixedQuerySplit = queries.length > 0 && queries[0].split !== null;
  const querySplit: Split[] = new Array(queries.length);
  if (fixedQuerySplit) queries.forEach((q, i) => { querySplit[i] = q.split!; });
  else {
    const order = new Rng(opts.seed, 'import/queries').permutation(queries.length);
    const nTrain = Math.floor(0.8 * queries.length), nVal = Math.floor(0.1 * queries.length);
    order.forEach((q, rank) => { querySplit[q] = rank < nTrain ? 'train' : rank < nTrain + nVal ? 'val' : 'test'; });
  }
  // Sessions: grouped in file order, sorted by timestamp where given.
  const sessionRows = parseCsv('sessions.csv', files.sessions, ['session_id', 'item_id']);
  const hasTime = 'timestamp' in sessionRows[0].values;
  const sessions = new Map<string, { item: number; time: number; line: number; split: Split | null }[]>();
  // One kind of timestamp per file: numbers and dates do not sort against each other.
  let timeKind: { kind: 'number' | 'date'; line: number } | null = null;
  for (const r of sessionRows) {
    const item = itemOf('sessions.csv', r, items.index);
    let time = 0;
    if (hasTime) {
      const t = r.values.timestamp.trim();
      const kind = /^-?\d+(\.\d+)?$/.test(t) ? 'number' : 'date';
      time = kind === 'number' ? Number(t) : Date.parse(t);
      if (!Number.isFinite(time)) throw dataError('sessions.csv', r.line, `timestamp "${r.values.timestamp}" is neither a number nor a date`);
      timeKind ??= { kind, line: r.line };
      if (kind !== timeKind.kind) throw dataError('sessions.csv', r.line, `timestamp "${r.values.timestamp}" is a ${kind}, but line ${timeKind.line}'s is a ${timeKind.kind}: use one kind of timestamp in the file`);
    }
    const id = r.values.session_id.trim();
    if (!sessions.has(id)) sessions.set(id, []);
    sessions.get(id)!.push({ item, time, line: r.line, split: splitOf('sessions.csv', r) });
  }
  const rec: Record<Split, { history: number[]; item: number; session: number }[]> = { train: [], val: [], test: [] };
  let shortSessions = 0;
  let session = -1;
  for (const events of sessions.values()) {
    session++;
    if (hasTime) events.sort((a, b) => a.time - b.time || a.line - b.line);
    const seq = events.map((e) => e.item);
    if (seq.length < 2) { shortSessions++; continue; }
    const fixed = events[0].split;
    const other = events.find((e) => e.split !== fixed);
    if (other) throw dataError('sessions.csv', other.line, `split "${other.split}" differs from "${fixed}" on line ${events[0].line} of the same session: a session is one example, so all its rows need one split`);
    if (fixed) {
      rec[fixed].push({ history: seq.slice(0, -1), item: seq[seq.length - 1], session });
      continue;
    }
    const n = seq.length;
    rec.test.push({ history: seq.slice(0, n - 1), item: seq[n - 1], session });
    if (n >= 3) rec.val.push({ history: seq.slice(0, n - 2), item: seq[n - 2], session });
    for (let t = 1; t <= n - 3; t++) rec.train.push({ history: seq.slice(0, t), item: seq[t], session });
  }
  // The vocabulary: the most frequent tokens of item texts and training queries.
  const freq = new Map<string, number>();
  const count = (w: string) => freq.set(w, (freq.get(w) ?? 0) + 1);
  items.texts.forEach((t) => tokenize(t).forEach(count));
  queries.forEach((q, i) => { if (querySplit[i] === 'train') q.words.forEach(count); });
  const vocab = [UNKNOWN_WORD, ...[...freq.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, Math.max(0, opts.vocabSize - 1)).map(([w]) => w)];
  if (vocab.length + items.ids.length > MAX_VOCABULARY) {
    throw dataError('items.csv', null, `the vocabulary would hold ${(vocab.length + items.ids.length).toLocaleString('en')} tokens (${vocab.length.toLocaleString('en')} words + ${items.ids.length.toLocaleString('en')} item IDs), more than the ${MAX_VOCABULARY.toLocaleString('en')} that fit (the limit of simulated worlds too); lower --set vocabSize to at most ${Math.max(10, MAX_VOCABULARY - items.ids.length).toLocaleString('en')}`);
  }
  const wordIndex = new Map(vocab.map((w, i) => [w, i]));
  const oovShare = (texts: string[][]) => {
    let n = 0, out = 0;
    for (const t of texts) for (const w of t) { n++; if (!wordIndex.has(w)) out++; }
    return n ? out / n : 0;
  };
  const wordId = (w: string) => wordIndex.get(w) ?? 0;
  const bySplit = (s: Split) => queries.filter((_, i) => querySplit[i] === s);
  const data: Dataset = {
    searchTrain: searchExamples(bySplit('train'), opts.queryLength, wordId),
    searchVal: searchExamples(bySplit('val'), opts.queryLength, wordId),
    searchTest: searchExamples(bySplit('test'), opts.queryLength, wordId),
    recTrain: recExamples(rec.train, opts.historyLength),
    recVal: recExamples(rec.val, opts.historyLength),
    recTest: recExamples(rec.test, opts.historyLength),
  };
  for (const [file, set, what] of [['queries.csv', data.searchTrain, 'training queries'], ['sessions.csv', data.recTrain, 'training examples from sessions']] as const) {
    if (set.count > MAX_EXAMPLES) throw dataError(file, null, `yields ${set.count.toLocaleString('en')} ${what}, more than the ${MAX_EXAMPLES.toLocaleString('en')} a run may train on (the limit of simulated worlds too)`);
  }
  const fixedSessionSplit = sessionRows[0] !== undefined && 'split' in sessionRows[0].values;
  const why = (file: 'queries.csv' | 'sessions.csv', split: Split): string => {
    if (file === 'queries.csv') return fixedQuerySplit ? `its split column has no "${split}" rows` : 'too few rows';
    if (fixedSessionSplit) return `its split column has no "${split}" sessions of at least 2 items`;
    return split === 'train'
      ? 'without a split column a session trains only from its 4th item on (its last item is a test target and the one before it a validation target): sessions need at least 4 items'
      : split === 'val' ? 'sessions need at least 3 items for a validation target' : 'sessions need at least 2 items';
  };
  for (const [file, set, what, split] of [['queries.csv', data.searchTrain, 'training queries', 'train'], ['queries.csv', data.searchVal, 'validation queries (early stopping chooses the epoch on them)', 'val'], ['queries.csv', data.searchTest, 'test queries', 'test'],
    ['sessions.csv', data.recTrain, 'training sessions', 'train'], ['sessions.csv', data.recVal, 'validation sessions (early stopping chooses the epoch on them)', 'val'], ['sessions.csv', data.recTest, 'test sessions', 'test']] as const) {
    if (!set.count) throw dataError(file, null, `yields no ${what}: ${why(file, split)}`);
  }
  return {
    name, items: items.ids.length, itemIds: items.ids, category: items.category, categories: items.categories, vocab, data,
    recTrainSession: Int32Array.from(rec.train, (r) => r.session),
    itemWords: items.texts.map((t) => Int32Array.from(tokenize(t).map(wordId).filter((w) => w > 0))),
    counts: {
      items: items.ids.length, queries: queryRows.length, sessions: sessions.size, sessionRows: sessionRows.length, words: vocab.length,
      search: { train: data.searchTrain.count, val: data.searchVal.count, test: data.searchTest.count },
      rec: { train: data.recTrain.count, val: data.recVal.count, test: data.recTest.count },
      outOfVocabulary: {
        itemTexts: oovShare(items.texts.map(tokenize)),
        queries: { train: oovShare(bySplit('train').map((q) => q.words)), val: oovShare(bySplit('val').map((q) => q.words)), test: oovShare(bySplit('test').map((q) => q.words)) },
        distinctWords: freq.size,
      },
    },
    dropped: { shortSessions, emptyQueries },
  };
}
