import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { convertMovieLens, MOVIELENS_DEFAULTS } from '../../src/engine/data/convert/movielens';
import { splitCsvLine } from '../../src/engine/data/convert/lines';
import { importData } from '../../src/engine/data/import';

/** A tiny catalogue in the GroupLens layout: 6 movies, 4 users (one with too few ratings), tags. */
function fixture() {
  const movies = ['movieId,title,genres', '1,Toy Story (1995),Adventure|Animation|Children', '2,"American President, The (1995)",Comedy|Drama|Romance',
    '3,Heat (1995),Action|Crime|Thriller', '4,Sabrina (1995),Comedy|Romance', '5,GoldenEye (1995),Action|Adventure|Thriller', '6,Nowhere (1997),(no genres listed)'];
  const ratings = ['userId,movieId,rating,timestamp'];
  // Users 1–3 rate movies 1–5 (time order differs from file order for user 1); user 4 rates two only.
  const rows: [number, number, number, number][] = [[1, 3, 4, 30], [1, 1, 5, 10], [1, 2, 3, 20], [1, 4, 2, 40], [1, 5, 4.5, 50],
    [2, 1, 4, 10], [2, 2, 4, 11], [2, 3, 1, 12], [2, 4, 4, 13], [2, 5, 4, 14],
    [3, 5, 5, 1], [3, 4, 5, 2], [3, 3, 5, 3], [3, 2, 5, 4], [3, 1, 5, 5],
    [4, 1, 5, 1], [4, 6, 5, 2]];
  for (const r of rows) ratings.push(r.join(','));
  const tags = ['userId,movieId,tag,timestamp', '1,1,pixar,10', '2,1,Pixar,11', '3,3,"heist, crime",12', '3,6,obscure,13', '1,2,,14'];
  return { movies, ratings, tags };
}

/** Forty more tag rows on movies 1–5, so that the import has queries to split. */
const manyTags = () => Array.from({ length: 40 }, (_, i) => `${1 + (i % 3)},${1 + (i % 5)},${['fun', 'dark', 'classic', 'slow'][i % 4]} tag${i % 5},${100 + i}`);

describe('the MovieLens converter', () => {
  it('splits CSV lines with quotes, commas and doubled quotes', () => {
    expect(splitCsvLine('1,"a, b ""c""",x')).toEqual(['1', 'a, b "c"', 'x']);
    expect(splitCsvLine('1,"open')).toBeNull();
  });

  it('keeps the core, orders sessions by time, takes tags as queries and text, counts every dropped row', async () => {
    const f = fixture();
    const r = await convertMovieLens({ movies: f.movies, ratings: f.ratings, tags: f.tags }, { ...MOVIELENS_DEFAULTS, kCore: 3 });
    // User 4 (2 ratings) and movie 6 (1 rating) fall outside the 3-core.
    expect(r.counts).toMatchObject({ items: 5, users: 3, sessionRows: 15 });
    const sessions = r.files.sessions.trim().split('\n').slice(1).map((l) => l.split(','));
    expect(sessions.filter((s) => s[0] === '1').map((s) => s[1])).toEqual(['1', '2', '3', '4', '5']); // by timestamp, not file order
    expect(r.files.items).toContain('2,"American President, The (1995) Comedy Drama Romance",Comedy');
    expect(r.files.items).toMatch(/\n1,Toy Story \(1995\) Adventure Animation Children pixar,Adventure\n/);
    expect(r.files.queries.trim().split('\n').slice(1)).toEqual(['pixar,1', 'Pixar,1', '"heist, crime",3']);
    expect(r.summary).toMatch(/ratings outside the 3-core \(users or movies with fewer than 3 ratings\): 2/);
    expect(r.summary).toMatch(/tags of a movie not kept: 1/);
    expect(r.summary).toMatch(/empty tags: 1/);
    expect(r.summary).toMatch(/LLM/);
    // The folder it makes imports as any other (with enough queries to split).
    const more = await convertMovieLens({ movies: f.movies, ratings: f.ratings, tags: [...f.tags, ...manyTags()] }, { ...MOVIELENS_DEFAULTS, kCore: 3 });
    const d = importData('ml', more.files, { vocabSize: 100, queryLength: 3, historyLength: 4, seed: 1 });
    expect(d.items).toBe(5);
    expect(d.categories).toEqual(['Adventure', 'Comedy', 'Action']);
  });

  it('drops ratings below minRating and caps the catalogue at the most rated movies', async () => {
    const f = fixture();
    const r = await convertMovieLens({ movies: f.movies, ratings: f.ratings }, { ...MOVIELENS_DEFAULTS, kCore: 1, minRating: 4, maxItems: 3 });
    expect(r.summary).toMatch(/ratings below 4: 3/);
    // Rated ≥ 4: movie 1 ×4, 2 ×2, 3 ×2, 4 ×2, 5 ×3, 6 ×1 → the 3 most rated are 1, 5 and (ties by id) 2.
    const ids = r.files.items.trim().split('\n').slice(1).map((l) => l.split(',')[0]);
    expect(ids).toEqual(['1', '2', '5']);
  });

  it('names a malformed row with file:line', async () => {
    const f = fixture();
    f.ratings[3] = '1,2,3,yesterday';
    await expect(convertMovieLens({ movies: f.movies, ratings: f.ratings })).rejects.toThrow(/^ratings\.csv:4: timestamp "yesterday" is not an integer/);
    await expect(convertMovieLens({ movies: ['movieId,name', '1,x'], ratings: f.ratings })).rejects.toThrow(/movies\.csv:1: the header lacks title, genres/);
  });

  it('from the runner: a bad timestamp exits 2 and writes nothing; a good folder converts and trains through --data', () => {
    const src = mkdtempSync(join(tmpdir(), 'ml-'));
    const f = fixture();
    writeFileSync(join(src, 'movies.csv'), f.movies.join('\n'));
    writeFileSync(join(src, 'tags.csv'), [...f.tags, ...manyTags()].join('\n'));
    writeFileSync(join(src, 'ratings.csv'), [...f.ratings.slice(0, 5), '2,3,4,soon', ...f.ratings.slice(5)].join('\n'));
    const out = join(mkdtempSync(join(tmpdir(), 'ml-out-')), 'converted');
    const tsx = join(process.cwd(), 'node_modules/.bin/tsx');
    const bad = spawnSync(tsx, ['src/cli/experiment.ts', '--convert', 'movielens', src, '--out', out], { encoding: 'utf8' });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/ratings\.csv:6: timestamp "soon" is not an integer/);
    expect(existsSync(out)).toBe(false);
    writeFileSync(join(src, 'ratings.csv'), f.ratings.join('\n'));
    const good = spawnSync(tsx, ['src/cli/experiment.ts', '--convert', 'movielens', src, '--out', out, '--k-core', '3'], { encoding: 'utf8' });
    expect(good.stderr).toBe('');
    expect(good.status).toBe(0);
    expect(readFileSync(join(out, 'README.md'), 'utf8')).toMatch(/Kept: 5 items/);
    mkdirSync(join(out, '..', 'run'), { recursive: true });
    const trained = spawnSync(tsx, ['src/cli/experiment.ts', '--data', out, '--set', 'epochs=1', '--set', 'dim=8', '--set', 'biencoder=false', '--out', join(out, '..', 'run'), '--quiet'], { encoding: 'utf8' });
    expect(trained.status).toBe(0);
    expect(JSON.parse(readFileSync(join(out, '..', 'run', 'report.json'), 'utf8')).runs).toHaveLength(1);
    // An existing, non-empty --out is refused.
    const again = spawnSync(tsx, ['src/cli/experiment.ts', '--convert', 'movielens', src, '--out', out], { encoding: 'utf8' });
    expect(again.status).toBe(2);
    expect(again.stderr).toMatch(/exists and is not empty/);
  }, 120000);
});

describe('the KuaiSAR converter', () => {
  /** A fixture with the published columns of item_features.csv, rec_inter.csv and src_inter.csv. */
  function kuaisar() {
    const items = ['item_id,caption,author_id,item_type,upload_time,upload_type,first_level_category_id,first_level_category_name,first_level_category_name_en,second_level_category_id,second_level_category_name,second_level_category_name_en,third_level_category_id,third_level_category_name,third_level_category_name_en,fourth_level_category_id,fourth_level_category_name,fourth_level_category_name_en'];
    const cats = [['9', '搞笑', 'Funny', '136', '搞笑段子', 'Funny joke'], ['4', '美食', 'Food', '40', '美食教程', 'Cooking'], ['7', '游戏', 'Games', '0', '空', 'empty']];
    for (let i = 1; i <= 6; i++) {
      const c = cats[i % 3];
      items.push(`${i},"[${i}, ${10 + (i % 3)}, 3]",${i + 100},NORMAL,2023-04-22,LongImport,${c[0]},${c[1]},${c[2]},${c[3]},${c[4]},${c[5]},0,空,empty,0,空,empty`);
    }
    const rec = ['user_id,item_id,playing_time,duration_ms,time,timestamp,click,forward,like,follow,search,search_item_related'];
    let t = 1.684742e12;
    for (let u = 1; u <= 4; u++) for (let k = 0; k < 6; k++) rec.push(`${u},${1 + ((u + k) % 6)},6000.0,45400.0,2023-05-22 15:53:20,${(t += 1000)},${k === 5 && u === 4 ? 0 : 1},0,0,0,0,0`);
    rec.push(`1,99,6000.0,45400.0,2023-05-22 15:53:20,${t + 1},1,0,0,0,0,0`); // no features
    const search = ['user_id,search_session_id,search_session_time,search_session_timestamp,keyword,search_source,item_id,click_cnt,item_type'];
    for (let s = 1; s <= 30; s++) search.push(`${1 + (s % 4)},${s},2023-05-22 21:58:52,${1684763932919 + s},"[${1 + (s % 6)}, 3]",USER_INPUT,${1 + (s % 6)},${s % 5 === 0 ? 0 : 1},VIDEO`);
    search.push('2,31,2023-05-22 21:58:52,1684763932999,"[]",USER_INPUT,2,1,VIDEO');
    return { items, rec, search };
  }

  it('reads the published layout: clicked recommendations as sessions, clicked search results as queries, captions and categories as text', async () => {
    const { convertKuaiSar } = await import('../../src/engine/data/convert/kuaisar');
    const f = kuaisar();
    const r = await convertKuaiSar({ items: f.items, rec: f.rec, search: f.search }, { maxItems: 20000, kCore: 3, maxSessionLength: 50, seed: 1 });
    expect(r.counts.items).toBe(6);
    expect(r.counts.users).toBe(4);
    expect(r.files.items).toContain('1,w1 w11 w3 Food Cooking,Food');
    expect(r.files.items).toMatch(/\n2,w2 w12 w3 Games,Games\n/); // "empty" category levels are left out
    expect(r.files.items).toContain('3,w3 w10 w3 Funny Funny joke,Funny');
    expect(r.files.queries.split('\n')[1]).toBe('w2 w3,2');
    expect(r.summary).toMatch(/recommendations not clicked \(click = 0\): 1/);
    expect(r.summary).toMatch(/recommendations of an item item_features\.csv does not list: 1/);
    expect(r.summary).toMatch(/search results not clicked \(click_cnt = 0\): 6/);
    expect(r.summary).toMatch(/search sessions with an empty keyword: 1/);
    const d = importData('kuaisar', r.files, { vocabSize: 100, queryLength: 3, historyLength: 4, seed: 1 });
    expect(d.categories.sort()).toEqual(['Food', 'Funny', 'Games']);
    // A keyword that is not a list of word ids is named with file:line.
    f.search[3] = f.search[3].replace('"[4, 3]"', 'sushi');
    await expect(convertKuaiSar({ items: f.items, rec: f.rec, search: f.search })).rejects.toThrow(/^src_inter\.csv:4: keyword "sushi" is not a list of word ids/);
  });
});

describe('RecBole atomic files', () => {
  const lines = (text: string) => text.split('\n');
  const tiny = { items: 40, topics: 4, cfClusters: 4, wordsPerTopic: 5, searchTrain: 300, recTrain: 200, searchTest: 60, recTest: 60 };
  const opts = { vocabSize: 5000, queryLength: 3, historyLength: 4, seed: 1 };

  it('round-trips a simulated world: exported, then converted back, it imports to the same examples', async () => {
    const { resolveConfig } = await import('../../src/engine/core/config');
    const { exportWorld } = await import('../../src/engine/data/export');
    const { recboleFiles, convertRecBole } = await import('../../src/engine/data/convert/recbole');
    const files = exportWorld(resolveConfig(tiny));
    const atomic = recboleFiles('tiny', files, opts);
    expect(Object.keys(atomic).sort()).toEqual(['tiny.inter', 'tiny.item', 'tiny.query', 'tiny.test.inter', 'tiny.train.inter', 'tiny.valid.inter']);
    expect(atomic['tiny.train.inter'].split('\n')[0]).toBe('user_id:token\titem_id_list:token_seq\titem_id:token');
    const back = await convertRecBole({ name: 'tiny', inter: lines(atomic['tiny.inter']), item: lines(atomic['tiny.item']), query: lines(atomic['tiny.query']) });
    const a = importData('a', files, opts), b = importData('b', back.files, opts);
    expect(b.itemIds).toEqual(a.itemIds);
    for (const k of ['searchTrain', 'searchVal', 'searchTest', 'recTrain', 'recVal', 'recTest'] as const) {
      expect(Array.from(b.data[k].target), k).toEqual(Array.from(a.data[k].target));
      const x = 'history' in a.data[k] ? 'history' : 'words';
      const words = (d: typeof a, ex: typeof a.data[typeof k]) => ('history' in ex ? Array.from(ex.history) : Array.from(ex.words, (w) => d.vocab[w]));
      expect(words(b, b.data[k]), `${k} ${x}`).toEqual(words(a, a.data[k]));
    }
    // The benchmark files hold exactly the import's recommendation examples.
    expect(atomic['tiny.train.inter'].trim().split('\n').length - 1).toBe(a.data.recTrain.count);
    expect(atomic['tiny.test.inter'].trim().split('\n').length - 1).toBe(a.data.recTest.count);
  });

  it('converts a dataset in RecBole\'s published layout (ml-100k\'s fields, no query file) and trains on it', async () => {
    const { convertRecBole } = await import('../../src/engine/data/convert/recbole');
    const { importedSeedData } = await import('../../src/engine/data/seed-data');
    const { runOnData } = await import('../../src/engine/run/experiment');
    const { resolveConfig } = await import('../../src/engine/core/config');
    const genres = ['Action', 'Comedy', 'Drama', 'Horror'];
    const item = ['item_id:token\tmovie_title:token_seq\trelease_year:token\tclass:token_seq',
      ...Array.from({ length: 24 }, (_, i) => `${i + 1}\tmovie ${['alpha', 'beta', 'gamma', 'delta', 'omega', 'sigma'][i % 6]} part${i}\t${1990 + (i % 7)}\t${genres[i % 4]} ${genres[(i + 1) % 4]}`)];
    const inter = ['user_id:token\titem_id:token\trating:float\ttimestamp:float'];
    for (let u = 1; u <= 30; u++) for (let j = 0; j < 8; j++) inter.push(`${u}\t${1 + ((u * 3 + j * 5) % 24)}\t${1 + (j % 5)}\t${881250949 + u * 100 + j}`);
    const r = await convertRecBole({ name: 'ml-100k', inter, item });
    expect(r.summary).toMatch(/each item's own first words are its query/);
    expect(r.counts.items).toBe(24);
    const d = importData('ml-100k', r.files, opts);
    expect(d.categories).toEqual(expect.arrayContaining(['Action', 'Comedy']));
    const cfg = resolveConfig({ epochs: 1, dim: 8, batchSize: 32, biencoder: false, indexing: 2 });
    const run = await runOnData(cfg, importedSeedData(d, 1, cfg));
    expect(run.models.rec!.eval.rec!['recall@10']).toBeGreaterThanOrEqual(0);
    expect(Number.isFinite(run.models.joint!.eval.search!['arp@10'] as number)).toBe(true);
  });

  it('names the file, line and problem of a bad atomic file', async () => {
    const { convertRecBole } = await import('../../src/engine/data/convert/recbole');
    await expect(convertRecBole({ name: 'x', inter: ['user_id:token\titem_id'] })).rejects.toThrow(/x\.inter:1: header field "item_id" is not name:type/);
    await expect(convertRecBole({ name: 'x', inter: ['user_id:token\titem_id:token', '1\t2\t3'] })).rejects.toThrow(/x\.inter:2: 3 fields, the header has 2/);
    await expect(convertRecBole({ name: 'x', inter: ['user_id:token\tscore:float', '1\t2'] })).rejects.toThrow(/x\.inter:1: needs a user_id \(or session_id\) and an item_id field/);
    await expect(convertRecBole({ name: 'x', inter: ['user_id:token\titem_id:token\tsplit:token', '1\t2\tholdout'] })).rejects.toThrow(/x\.inter:2: split "holdout" is not train, valid or test/);
  });
});
