/**
 * RecBole's atomic files, both ways (https://recbole.io/docs/user_guide/data/atomic_files.html):
 * tab-separated, a typed header (`user_id:token	item_id:token	timestamp:float`), one row a line.
 *
 * In (`--convert recbole`): NAME.inter (a user or session column, `item_id`, optional
 * `timestamp`, and optional `split` as `recboleFiles` writes it), NAME.item (optional: each
 * item's text is its token and token_seq fields, its category the first of a `category`,
 * `class` or `genre` field), and a query file NAME.query or NAME.search (optional:
 * `query:token_seq	item_id:token`, optional `split`). Without a split column the
 * interactions go through the other converters' filtering (k-core, item cap, session
 * length, a sample of whole users); with one they are kept as they are, so a folder this
 * module wrote converts back to the same examples. Without a query file, each item's first
 * words become its query, and the summary says so.
 *
 * Out (`recboleFiles`): an import-format catalogue (items/queries/sessions) as NAME.item,
 * NAME.inter and NAME.query with each row's split, and RecBole's benchmark files
 * NAME.train.inter, NAME.valid.inter and NAME.test.inter (`user_id:token
 * item_id_list:token_seq	item_id:token`: each example's history and target, as Bridge
 * Lab's import splits them), so RecBole's sequential models train on exactly Bridge Lab's
 * recommendation split (`benchmark_filename: [train, valid, test]`).
 */
import { dataError, parseCsv } from '../csv';
import { importData, type DataFiles, type ImportOptions } from '../import';
import { csvField, type Lines } from './lines';
import { Column, selectSessions, capQueries, type SessionOptions } from './sessions';
import type { Conversion } from './movielens';

export const RECBOLE_DEFAULTS: SessionOptions = { maxItems: 20000, kCore: 5, maxSessionLength: 50, seed: 1 };
/** Words of an item's text that make its query where the files have none. */
const TEXT_QUERY_WORDS = 3;

export interface RecBoleSource { name: string; inter: Lines; item?: Lines; query?: Lines; queryFile?: string }

interface Field { name: string; type: string }

/** Reads an atomic file: its typed header, then each row as named values (tab-separated). */
async function readAtomic(file: string, lines: Lines, onRow: (row: Record<string, string>, line: number, fields: Field[]) => void, checkHeader?: (names: string[]) => string | null): Promise<Field[]> {
  let fields: Field[] | null = null;
  let line = 0;
  for await (const raw of lines as AsyncIterable<string>) {
    line++;
    const text = raw.replace(/\r$/, '');
    if (!text.trim()) continue;
    const cells = text.split('\t');
    if (!fields) {
      fields = cells.map((c) => {
        const m = /^([^:]+):(token|token_seq|float|float_seq)$/.exec(c.trim());
        if (!m) throw dataError(file, line, `header field "${c}" is not name:type with type token, token_seq, float or float_seq (RecBole's atomic files)`);
        return { name: m[1], type: m[2] };
      });
      const problem = checkHeader?.(fields.map((f) => f.name));
      if (problem) throw dataError(file, line, problem);
      continue;
    }
    if (cells.length !== fields.length) throw dataError(file, line, `${cells.length} fields, the header has ${fields.length} (fields are tab-separated)`);
    onRow(Object.fromEntries(fields.map((f, i) => [f.name, cells[i]])), line, fields);
  }
  if (!fields) throw dataError(file, null, 'empty: no header');
  return fields;
}

const SPLIT_NAMES: Record<string, string> = { train: 'train', valid: 'val', val: 'val', test: 'test' };

export async function convertRecBole(src: RecBoleSource, opts: SessionOptions = RECBOLE_DEFAULTS): Promise<Conversion> {
  const dropped: Record<string, number> = {};
  const drop = (why: string, n = 1) => { dropped[why] = (dropped[why] ?? 0) + n; };
  const interFile = `${src.name}.inter`, itemFile = `${src.name}.item`;

  // Items: from NAME.item where given, and every item an interaction names.
  const itemIndex = new Map<string, number>();
  const items: { id: string; text: string; category: string }[] = [];
  const addItem = (id: string) => {
    let i = itemIndex.get(id);
    if (i === undefined) { i = items.length; itemIndex.set(id, i); items.push({ id, text: id, category: '' }); }
    return i;
  };
  let itemRows = 0;
  if (src.item) {
    await readAtomic(itemFile, src.item, (row, line, fs) => {
      itemRows++;
      const id = row.item_id?.trim();
      if (!id) throw dataError(itemFile, line, 'item_id is empty');
      if (itemIndex.has(id)) throw dataError(itemFile, line, `item_id ${id} appears twice`);
      const i = addItem(id);
      const words = fs.filter((f) => f.name !== 'item_id' && (f.type === 'token' || f.type === 'token_seq')).map((f) => row[f.name].trim()).filter(Boolean);
      const cat = fs.find((f) => ['category', 'class', 'genre', 'genres', 'categories'].includes(f.name));
      items[i] = { id, text: words.join(' ') || id, category: cat ? (row[cat.name].trim().split(/\s+/)[0] ?? '') : '' };
    }, (names) => (names.includes('item_id') ? null : 'no item_id field'));
  }

  // Interactions.
  const user = new Column(), item = new Column(), time = new Column();
  const userIds: string[] = [], userIndex = new Map<string, number>();
  const splits: string[] = [];
  let hasSplit = false, rows = 0;
  await readAtomic(interFile, src.inter, (row, line) => {
    rows++;
    const u = (row.user_id ?? row.session_id)?.trim();
    const it = row.item_id?.trim();
    if (!u) throw dataError(interFile, line, 'no user_id or session_id value');
    if (!it) throw dataError(interFile, line, 'item_id is empty');
    if (src.item && !itemIndex.has(it)) return drop(`interactions with an item ${itemFile} does not list`);
    let ui = userIndex.get(u);
    if (ui === undefined) { ui = userIds.length; userIndex.set(u, ui); userIds.push(u); }
    const t = row.timestamp === undefined ? rows : Number(row.timestamp);
    if (!Number.isFinite(t)) throw dataError(interFile, line, `timestamp "${row.timestamp}" is not a number`);
    user.push(ui); item.push(addItem(it)); time.push(t);
    if (row.split !== undefined) {
      const s = SPLIT_NAMES[row.split.trim()];
      if (!s) throw dataError(interFile, line, `split "${row.split}" is not train, valid or test`);
      splits.push(s);
      hasSplit = true;
    }
  }, (names) => (names.includes('item_id') && (names.includes('user_id') || names.includes('session_id')) ? null : 'needs a user_id (or session_id) and an item_id field'));

  // Sessions: as they are where the file carries its split, else through the usual filtering.
  const sessionLines = ['session_id,item_id,timestamp' + (hasSplit ? ',split' : '')];
  let used: Uint8Array;
  let kept = 0, train = 0;
  if (hasSplit) {
    // A catalogue as recboleFiles wrote it: every item it lists stays, in its order.
    used = new Uint8Array(items.length).fill(1);
    for (let r = 0; r < user.length; r++) {
      sessionLines.push([userIds[user.data[r]], items[item.data[r]].id, String(time.data[r]), splits[r]].map(csvField).join(','));
    }
    kept = userIds.length;
  } else {
    const s = selectSessions({ user, item, time }, items.map((_, i) => i), opts, drop, 'interactions', 'items');
    used = s.itemUsed;
    kept = s.chosen.length;
    train = s.train;
    for (const c of s.chosen) for (const r of c.rows) sessionLines.push([userIds[c.user], items[item.data[r]].id, String(time.data[r])].map(csvField).join(','));
  }

  // Queries: the query file, or each item's first words.
  let queries: { text: string; item: number; split?: string }[] = [];
  let querySource: string;
  if (src.query) {
    const qf = src.queryFile ?? `${src.name}.query`;
    querySource = qf;
    await readAtomic(qf, src.query, (row, line) => {
      const text = row.query?.trim(), it = row.item_id?.trim();
      if (text === undefined || it === undefined) throw dataError(qf, line, 'needs query and item_id fields');
      if (!text) return drop('empty queries');
      const i = itemIndex.get(it);
      if (i === undefined || !used[i]) return drop('queries of an item not kept');
      const split = row.split === undefined ? undefined : SPLIT_NAMES[row.split.trim()];
      if (row.split !== undefined && !split) throw dataError(qf, line, `split "${row.split}" is not train, valid or test`);
      queries.push({ text, item: i, split });
    });
  } else {
    querySource = `each item's first ${TEXT_QUERY_WORDS} words (no ${src.name}.query or ${src.name}.search file)`;
    items.forEach((it, i) => { if (used[i]) queries.push({ text: it.text.split(/\s+/).slice(0, TEXT_QUERY_WORDS).join(' '), item: i }); });
  }
  if (!queries.some((q) => q.split)) queries = capQueries(queries, opts.seed, drop);
  const withSplit = queries.some((q) => q.split);
  const queryLines = ['query,item_id' + (withSplit ? ',split' : ''), ...queries.map((q) => [q.text, items[q.item].id, ...(withSplit ? [q.split ?? 'train'] : [])].map(csvField).join(','))];

  const keptItems = items.map((_, i) => i).filter((i) => used[i]);
  if (!keptItems.length) throw dataError(interFile, null, `no item is left after filtering (kCore=${opts.kCore}); lower --k-core`);
  const hasCategory = keptItems.some((i) => items[i].category);
  const itemLines = ['item_id,text' + (hasCategory ? ',category' : ''), ...keptItems.map((i) => [items[i].id, items[i].text, ...(hasCategory ? [items[i].category || '(none)'] : [])].map(csvField).join(','))];
  const sessionRows = sessionLines.length - 1;
  const summary = [
    '# Converted from RecBole atomic files', '',
    `Converted by \`npm run experiment -- --convert recbole\` from ${interFile}${src.item ? `, ${itemFile}` : ''}${src.query ? ` and ${src.queryFile ?? `${src.name}.query`}` : ''}${hasSplit ? ' (its split column kept: no filtering)' : ` with kCore=${opts.kCore}, maxItems=${opts.maxItems}, maxSessionLength=${opts.maxSessionLength}, seed=${opts.seed}`}.`, '',
    `- Read: ${rows} interactions${src.item ? `, ${itemRows} items` : ''}.`,
    `- Kept: ${keptItems.length} items, ${kept} sessions (users) with ${sessionRows} interactions${hasSplit ? '' : ` (about ${train} training examples after the leave-last-out split)`}, ${queries.length} queries from ${querySource}.`,
    `- Item text: ${src.item ? 'its token and token_seq fields' : `its id (no ${itemFile})`}${hasCategory ? '; category: its category, class or genre field' : ''}.`,
    ...(src.query ? [] : ['- Search: the files have no queries, so each item\'s own first words are its query; a lexical matcher finds those trivially. Give a NAME.query file (query:token_seq, item_id:token) for real queries.']),
    '', '## Dropped rows', '',
    ...(Object.keys(dropped).length ? Object.entries(dropped).filter(([, c]) => c > 0).map(([why, c]) => `- ${why}: ${c}`) : ['- none']),
    '',
  ].join('\n');
  return { files: { items: itemLines.join('\n') + '\n', queries: queryLines.join('\n') + '\n', sessions: sessionLines.join('\n') + '\n' }, summary, counts: { items: keptItems.length, users: kept, sessionRows, queries: queries.length } };
}

/** A field of an atomic file (tabs and line breaks would break a row). */
const cell = (v: string) => v.replace(/[\t\r\n]+/g, ' ');

/**
 * An import-format catalogue as RecBole atomic files (see the top): the catalogue itself
 * with each row's split as the import draws it, and the benchmark split files.
 */
export function recboleFiles(name: string, files: DataFiles, opts: ImportOptions): Record<string, string> {
  const d = importData(name, files, opts);
  const id = (i: number) => cell(d.itemIds[i]);
  const texts = itemTexts(files.items);
  const out: Record<string, string> = {};
  const hasCategory = d.categories.length > 0;
  out[`${name}.item`] = [`item_id:token\ttext:token_seq${hasCategory ? '\tcategory:token' : ''}`, ...d.itemIds.map((_, i) => `${id(i)}\t${cell(texts[i])}${hasCategory ? `\t${d.category[i] >= 0 ? cell(d.categories[d.category[i]]) : ''}` : ''}`)].join('\n') + '\n';
  // The examples as the import split them: each rec example is a session (its history, then its target).
  const inter: string[] = ['session_id:token\titem_id:token\ttimestamp:float\tsplit:token'];
  const bench: Record<string, string[]> = {};
  const splitName = { train: 'train', val: 'valid', test: 'test' } as const;
  for (const [split, ex] of [['train', d.data.recTrain], ['val', d.data.recVal], ['test', d.data.recTest]] as const) {
    const rows = (bench[split] = ['user_id:token\titem_id_list:token_seq\titem_id:token']);
    for (let e = 0; e < ex.count; e++) {
      const history = Array.from(ex.history.subarray(e * ex.historyLength, (e + 1) * ex.historyLength)).filter((h) => h >= 0);
      const session = `${split}-${e}`;
      let t = 0;
      for (const h of history) inter.push(`${session}\t${id(h)}\t${t++}\t${splitName[split]}`);
      inter.push(`${session}\t${id(ex.target[e])}\t${t}\t${splitName[split]}`);
      rows.push(`${session}\t${history.map(id).join(' ')}\t${id(ex.target[e])}`);
    }
    out[`${name}.${splitName[split]}.inter`] = rows.join('\n') + '\n';
  }
  out[`${name}.inter`] = inter.join('\n') + '\n';
  const query: string[] = ['query:token_seq\titem_id:token\tsplit:token'];
  for (const [split, ex] of [['train', d.data.searchTrain], ['val', d.data.searchVal], ['test', d.data.searchTest]] as const) {
    for (let e = 0; e < ex.count; e++) {
      const words = Array.from(ex.words.subarray(e * ex.queryLength, (e + 1) * ex.queryLength)).filter((w) => w >= 0).map((w) => d.vocab[w]);
      query.push(`${cell(words.join(' '))}\t${id(ex.target[e])}\t${splitName[split]}`);
    }
  }
  out[`${name}.query`] = query.join('\n') + '\n';
  return out;
}

/** Each item's text column, in file order (the import keeps that order), read as the import reads it. */
function itemTexts(itemsCsv: string): string[] {
  return parseCsv('items.csv', itemsCsv, ['item_id', 'text']).map((r) => r.values.text);
}
