/**
 * KuaiSAR (Sun et al. 2023; the published files of KuaiSAR and KuaiSAR-small) → the import
 * format. The one public log of real users using both search and recommendation on one
 * catalogue of short videos.
 *
 *   item_features.csv  item_id,caption,…,first_level_category_name_en,second_level_category_name_en,…
 *   rec_inter.csv      user_id,item_id,…,timestamp,click,…
 *   src_inter.csv      user_id,search_session_id,search_session_timestamp,keyword,…,item_id,click_cnt,item_type
 *
 * - Items are videos with features; an item's text is its caption's (anonymised) word ids
 *   and its first two category names in English; its category is the first-level name.
 * - Sessions are each user's clicked recommendations (click = 1) in time order.
 * - Queries are search sessions' keywords (anonymised word ids) → each item clicked in that
 *   session (click_cnt > 0). Keywords and captions are written with one word prefix, "w",
 *   on the assumption that the dataset anonymised both with one dictionary (its
 *   description does not say); if it did not, search cannot match words and learns only
 *   from co-occurrence of the ids.
 * - Filtering as for every converter (convert/sessions.ts): k-core, item cap, session cap,
 *   seeded samples within the import's limits; every dropped row is counted.
 */
import { dataError } from '../csv';
import type { DataFiles } from '../import';
import { csvField, readCsvLines, type Lines } from './lines';
import { capQueries, Column, intOf, numberOf, selectSessions, type SessionOptions } from './sessions';
import type { Conversion } from './movielens';

export const KUAISAR_DEFAULTS: SessionOptions = { maxItems: 20000, kCore: 5, maxSessionLength: 50, seed: 1 };

export interface KuaiSarSource { items: Lines; rec: Lines; search: Lines }

/** "[20, 34, 3]" → "w20 w34 w3". */
function words(file: string, line: number, name: string, text: string): string {
  const t = text.trim();
  if (t === '' || t === '[]') return '';
  if (!/^\[\s*\d+(\s*,\s*\d+)*\s*\]$/.test(t)) throw dataError(file, line, `${name} "${text}" is not a list of word ids like [20, 34, 3]`);
  return t.slice(1, -1).split(',').map((w) => `w${w.trim()}`).join(' ');
}

export async function convertKuaiSar(src: KuaiSarSource, opts: SessionOptions = KUAISAR_DEFAULTS): Promise<Conversion> {
  const dropped: Record<string, number> = {};
  const drop = (why: string, n = 1) => { dropped[why] = (dropped[why] ?? 0) + n; };

  const index = new Map<number, number>();
  const items: { id: number; text: string; category: string }[] = [];
  await readCsvLines('item_features.csv', src.items, ['item_id', 'caption', 'first_level_category_name_en'], (row, line) => {
    const id = intOf('item_features.csv', line, 'item_id', row.item_id);
    if (index.has(id)) throw dataError('item_features.csv', line, `item_id ${id} appears twice`);
    const names = [row.first_level_category_name_en, row.second_level_category_name_en ?? ''].map((c) => c.trim()).filter((c) => c && c.toLowerCase() !== 'empty');
    index.set(id, items.length);
    items.push({ id, text: [words('item_features.csv', line, 'caption', row.caption), ...names].filter(Boolean).join(' '), category: names[0] ?? '(no category)' });
  });

  const user = new Column(), item = new Column(), time = new Column();
  let recRows = 0;
  await readCsvLines('rec_inter.csv', src.rec, ['user_id', 'item_id', 'timestamp', 'click'], (row, line) => {
    recRows++;
    const u = intOf('rec_inter.csv', line, 'user_id', row.user_id);
    const i = index.get(intOf('rec_inter.csv', line, 'item_id', row.item_id));
    const t = numberOf('rec_inter.csv', line, 'timestamp', row.timestamp);
    const click = intOf('rec_inter.csv', line, 'click', row.click);
    if (click <= 0) return drop('recommendations not clicked (click = 0)');
    if (i === undefined) return drop('recommendations of an item item_features.csv does not list');
    user.push(u); item.push(i); time.push(t);
  });
  const { chosen, train, itemUsed } = selectSessions({ user, item, time }, items.map((x) => x.id), opts, drop, 'clicks', 'items');

  let queries: [string, number][] = [];
  let searchRows = 0;
  await readCsvLines('src_inter.csv', src.search, ['user_id', 'search_session_id', 'keyword', 'item_id', 'click_cnt'], (row, line) => {
    searchRows++;
    const q = words('src_inter.csv', line, 'keyword', row.keyword);
    const i = index.get(intOf('src_inter.csv', line, 'item_id', row.item_id));
    if (intOf('src_inter.csv', line, 'click_cnt', row.click_cnt) <= 0) return drop('search results not clicked (click_cnt = 0)');
    if (!q) return drop('search sessions with an empty keyword');
    if (i === undefined || !itemUsed[i]) return drop('clicked search results of an item not kept (not in the recommendation sessions kept, or without features)');
    queries.push([q, i]);
  });
  queries = capQueries(queries, opts.seed, drop);

  const kept = items.map((_, i) => i).filter((i) => itemUsed[i]);
  if (!kept.length) throw dataError('rec_inter.csv', null, `no item is left after filtering (kCore=${opts.kCore}); lower --k-core`);
  const files: DataFiles = {
    items: ['item_id,text,category', ...kept.map((i) => [String(items[i].id), items[i].text, items[i].category].map(csvField).join(','))].join('\n') + '\n',
    queries: ['query,item_id', ...queries.map(([q, i]) => `${csvField(q)},${items[i].id}`)].join('\n') + '\n',
    sessions: ['session_id,item_id,timestamp', ...chosen.flatMap((s) => s.rows.map((r) => `${s.user},${items[item.data[r]].id},${time.data[r]}`))].join('\n') + '\n',
  };
  const sessionRows = chosen.reduce((s, x) => s + x.rows.length, 0);
  const summary = [
    '# Converted from KuaiSAR', '',
    `Converted by \`npm run experiment -- --convert kuaisar\` with kCore=${opts.kCore}, maxItems=${opts.maxItems}, maxSessionLength=${opts.maxSessionLength}, seed=${opts.seed}.`, '',
    `- Read: ${items.length} items with features, ${recRows} recommendation rows, ${searchRows} search rows.`,
    `- Kept: ${kept.length} items, ${chosen.length} sessions (users' clicked recommendations) with ${sessionRows} clicks (about ${train} training examples after the leave-last-out split), ${queries.length} queries (search keywords → clicked items).`,
    '- Item text: caption word ids and the first two category names (English); category: the first-level category.',
    '- Keywords and captions share the word prefix "w", assuming one anonymisation dictionary for both (the dataset\'s description does not say).',
    '', '## Dropped rows', '',
    ...(Object.entries(dropped).filter(([, c]) => c > 0).map(([why, c]) => `- ${why}: ${c}`)),
    '',
  ].join('\n');
  return { files, summary, counts: { items: kept.length, users: chosen.length, sessionRows, queries: queries.length } };
}
