/**
 * MovieLens (the GroupLens CSV layout shared by ml-latest-small and ml-25m) → the import
 * format (items.csv, queries.csv, sessions.csv), so every downstream step stays on the one
 * `--data` path.
 *
 *   movies.csv   movieId,title,genres          genres separated by "|"
 *   ratings.csv  userId,movieId,rating,timestamp
 *   tags.csv     userId,movieId,tag,timestamp  (optional)
 *   queries.csv  query,movieId                 (optional: replaces the tag queries)
 *
 * - Items are movies; an item's text is its title, its genres and its most used tags
 *   (at most 20); its category is its first genre.
 * - Sessions are each user's ratings (at least `minRating`) in time order (ties in file
 *   order), the last `maxSessionLength` of them; the import's leave-last-out split applies.
 * - Queries are user tags (tag → movie). The follow-up generated queries with an LLM,
 *   which Bridge Lab cannot: tag queries are shorter and, since the tags are also in the
 *   item text, easier for a lexical matcher. A `queries.csv` replaces them.
 * - Filtering, deterministic: the `kCore`-core of users and movies (each kept user rated at
 *   least kCore kept movies and each kept movie was rated by at least kCore kept users);
 *   then at most `maxItems` movies, the most rated (ties: smaller movieId), and the core
 *   again; then, when the sessions would give more training examples than the import
 *   takes, a seeded sample of whole users. Every dropped row is counted.
 */
import { dataError } from '../csv';
import type { DataFiles } from '../import';
import { csvField, readCsvLines, type Lines } from './lines';
import { capQueries, Column, intOf, numberOf, selectSessions, type SessionOptions } from './sessions';

export interface MovieLensOptions extends SessionOptions {
  /** Ratings below this are dropped (0 keeps every rating). */
  minRating: number;
}

export const MOVIELENS_DEFAULTS: MovieLensOptions = { minRating: 0, maxItems: 20000, kCore: 5, maxSessionLength: 50, seed: 1 };

const MAX_TAGS_IN_TEXT = 20;

export interface MovieLensSource { movies: Lines; ratings: Lines; tags?: Lines; queries?: Lines }

export interface Conversion {
  files: DataFiles;
  /** A README for the converted folder: the options, what was kept and every dropped row by reason. */
  summary: string;
  counts: { items: number; users: number; sessionRows: number; queries: number };
}


export async function convertMovieLens(src: MovieLensSource, opts: MovieLensOptions = MOVIELENS_DEFAULTS): Promise<Conversion> {
  const dropped: Record<string, number> = {};
  const drop = (why: string, n = 1) => { dropped[why] = (dropped[why] ?? 0) + n; };

  // Movies.
  const movieIndex = new Map<number, number>();
  const movies: { id: number; title: string; genres: string[] }[] = [];
  await readCsvLines('movies.csv', src.movies, ['movieId', 'title', 'genres'], (row, line) => {
    const id = intOf('movies.csv', line, 'movieId', row.movieId);
    if (movieIndex.has(id)) throw dataError('movies.csv', line, `movieId ${id} appears twice`);
    movieIndex.set(id, movies.length);
    movies.push({ id, title: row.title.trim(), genres: row.genres.split('|').map((g) => g.trim()).filter((g) => g && g !== '(no genres listed)') });
  });

  // Ratings, as columns (ml-25m has 25 million rows).
  const user = new Column(), movie = new Column(), time = new Column();
  let ratingRows = 0;
  await readCsvLines('ratings.csv', src.ratings, ['userId', 'movieId', 'rating', 'timestamp'], (row, line) => {
    ratingRows++;
    const u = intOf('ratings.csv', line, 'userId', row.userId);
    const m = intOf('ratings.csv', line, 'movieId', row.movieId);
    const r = numberOf('ratings.csv', line, 'rating', row.rating);
    const t = intOf('ratings.csv', line, 'timestamp', row.timestamp);
    const mi = movieIndex.get(m);
    if (mi === undefined) return drop('ratings of a movie movies.csv does not list');
    if (r < opts.minRating) return drop(`ratings below ${opts.minRating}`);
    user.push(u); movie.push(mi); time.push(t);
  });
  const { chosen, train, itemUsed } = selectSessions({ user, item: movie, time }, movies.map((m) => m.id), opts, drop, 'ratings', 'movies');

  // Tags: in the item text (most used first), and as queries unless queries.csv is given.
  const tagCounts = movies.map(() => new Map<string, number>());
  const tagQueries: [string, number][] = [];
  if (src.tags) {
    await readCsvLines('tags.csv', src.tags, ['userId', 'movieId', 'tag'], (row, line) => {
      intOf('tags.csv', line, 'userId', row.userId);
      const mi = movieIndex.get(intOf('tags.csv', line, 'movieId', row.movieId));
      const tag = row.tag.trim();
      if (mi === undefined || !itemUsed[mi]) return drop('tags of a movie not kept');
      if (!tag) return drop('empty tags');
      tagCounts[mi].set(tag.toLowerCase(), (tagCounts[mi].get(tag.toLowerCase()) ?? 0) + 1);
      tagQueries.push([tag, mi]);
    });
  }
  let queries = tagQueries;
  let querySource = 'user tags (tag → movie)';
  if (src.queries) {
    queries = [];
    querySource = 'queries.csv';
    await readCsvLines('queries.csv', src.queries, ['query', 'movieId'], (row, line) => {
      const mi = movieIndex.get(intOf('queries.csv', line, 'movieId', row.movieId));
      if (!row.query.trim()) return drop('empty queries');
      if (mi === undefined || !itemUsed[mi]) return drop('queries of a movie not kept');
      queries.push([row.query.trim(), mi]);
    });
  }
  queries = capQueries(queries, opts.seed, drop);

  // Files.
  const kept = movies.map((_, i) => i).filter((i) => itemUsed[i]);
  const items = ['item_id,text,category', ...kept.map((i) => {
    const m = movies[i];
    const tags = [...tagCounts[i].entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, MAX_TAGS_IN_TEXT).map(([t]) => t);
    return [String(m.id), [m.title, ...m.genres, ...tags].join(' '), m.genres[0] ?? '(no genre)'].map(csvField).join(',');
  })];
  const sessionLines = ['session_id,item_id,timestamp'];
  for (const s of chosen) for (const i of s.rows) sessionLines.push(`${s.user},${movies[movie.data[i]].id},${time.data[i]}`);
  const queryLines = ['query,item_id', ...queries.map(([q, mi]) => `${csvField(q)},${movies[mi].id}`)];
  const sessionRows = chosen.reduce((s, x) => s + x.rows.length, 0);

  const summary = [
    '# Converted from MovieLens', '',
    `Converted by \`npm run experiment -- --convert movielens\` with minRating=${opts.minRating}, kCore=${opts.kCore}, maxItems=${opts.maxItems}, maxSessionLength=${opts.maxSessionLength}, seed=${opts.seed}.`, '',
    `- Read: ${movies.length} movies, ${ratingRows} ratings${src.tags ? `, ${tagQueries.length + (dropped['tags of a movie not kept'] ?? 0) + (dropped['empty tags'] ?? 0)} tags` : ', no tags.csv'}.`,
    `- Kept: ${kept.length} items (movies), ${chosen.length} sessions (users) with ${sessionRows} ratings (about ${train} training examples after the leave-last-out split), ${queries.length} queries from ${querySource}.`,
    `- Item text: title, genres and up to ${MAX_TAGS_IN_TEXT} of the movie's most used tags; category: the first genre.`,
    src.queries ? '- Queries: from queries.csv.' : '- Queries: user tags (tag → movie). The follow-up (Penha et al. 2025) generated queries with an LLM, which Bridge Lab cannot; tag queries are shorter, and since the tags are in the item text too, a lexical matcher (BM25) finds them easily. Give a queries.csv (query,movieId) to replace them.',
    '', '## Dropped rows', '',
    ...(Object.keys(dropped).length ? Object.entries(dropped).filter(([, c]) => c > 0).map(([why, c]) => `- ${why}: ${c}`) : ['- none']),
    '',
  ].join('\n');
  if (!kept.length) throw dataError('ratings.csv', null, `no movie is left after filtering (minRating=${opts.minRating}, kCore=${opts.kCore}); lower --min-rating or --k-core`);
  return { files: { items: items.join('\n') + '\n', queries: queryLines.join('\n') + '\n', sessions: sessionLines.join('\n') + '\n' }, summary, counts: { items: kept.length, users: chosen.length, sessionRows, queries: queries.length } };
}
