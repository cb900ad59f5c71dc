/**
 * What the converters share: interaction columns, the deterministic filtering (a k-core
 * of users and items, an item cap by interaction count, the k-core again), time-ordered
 * sessions cut to their last `maxSessionLength`, and a seeded sample of whole users (and
 * of queries) so that the import's limits on training examples hold. Every dropped row is
 * counted through `drop`.
 */
import { PARAM_BY_KEY, type IntParam } from '../../core/config';
import { Rng } from '../../core/rng';
import { dataError } from '../csv';

/** What the import takes at most: training examples per task (searchTrain's and recTrain's maximum). */
export const MAX_TRAIN = (PARAM_BY_KEY.recTrain as IntParam).max;

export interface SessionOptions {
  maxItems: number;
  kCore: number;
  maxSessionLength: number;
  seed: number;
}

export type Drop = (why: string, n?: number) => void;

/** A growable number column (public dumps have tens of millions of rows). */
export class Column {
  data = new Float64Array(1024);
  length = 0;
  push(v: number): void {
    if (this.length === this.data.length) { const d = new Float64Array(this.data.length * 2); d.set(this.data); this.data = d; }
    this.data[this.length++] = v;
  }
}

export function intOf(file: string, line: number, name: string, text: string): number {
  const t = text.trim();
  if (!/^-?\d+$/.test(t)) throw dataError(file, line, `${name} "${text}" is not an integer`);
  return Number(t);
}

export function numberOf(file: string, line: number, name: string, text: string): number {
  const t = text.trim();
  const v = Number(t);
  if (t === '' || !Number.isFinite(v)) throw dataError(file, line, `${name} "${text}" is not a number`);
  return v;
}

/**
 * Interactions (user, item index, time) → the sessions to write: the kCore-core, at most
 * maxItems items (the most interacted with; ties by the smaller id), the core again, each
 * user's interactions in time order (ties in file order) cut to the last maxSessionLength,
 * then whole users sampled (seeded) while the training examples would pass the import's
 * limit. `rows`/`items` name the rows and items in the drop reasons.
 */
export function selectSessions(x: { user: Column; item: Column; time: Column }, itemIds: number[], opts: SessionOptions, drop: Drop, rows: string, items: string):
  { chosen: { user: number; rows: number[] }[]; train: number; itemUsed: Uint8Array } {
  const n = x.user.length, N = itemIds.length;
  const keep = new Uint8Array(n).fill(1);
  const allowed = new Uint8Array(N).fill(1);
  const core = (reason: string) => {
    for (let round = 0; round < 100; round++) {
      const perUser = new Map<number, number>(), perItem = new Float64Array(N);
      for (let i = 0; i < n; i++) if (keep[i]) { perUser.set(x.user.data[i], (perUser.get(x.user.data[i]) ?? 0) + 1); perItem[x.item.data[i]]++; }
      let removed = 0;
      for (let i = 0; i < n; i++) {
        if (keep[i] && (perUser.get(x.user.data[i])! < opts.kCore || perItem[x.item.data[i]] < opts.kCore || !allowed[x.item.data[i]])) { keep[i] = 0; removed++; }
      }
      drop(reason, removed);
      if (!removed) return perItem;
    }
    throw new Error('the k-core did not settle in 100 rounds');
  };
  const perItem = core(`${rows} outside the ${opts.kCore}-core (users or ${items} with fewer than ${opts.kCore} ${rows})`);
  const used = Array.from({ length: N }, (_, i) => i).filter((i) => perItem[i] > 0);
  if (used.length > opts.maxItems) {
    used.sort((a, b) => perItem[b] - perItem[a] || itemIds[a] - itemIds[b]);
    allowed.fill(0);
    for (const i of used.slice(0, opts.maxItems)) allowed[i] = 1;
    core(`${rows} of ${items} beyond the ${opts.maxItems} most interacted with (or left outside the core by them)`);
  }
  const byUser = new Map<number, number[]>();
  for (let i = 0; i < n; i++) if (keep[i]) { const l = byUser.get(x.user.data[i]); if (l) l.push(i); else byUser.set(x.user.data[i], [i]); }
  const sessions: { user: number; rows: number[] }[] = [];
  for (const [u, list] of [...byUser.entries()].sort((a, b) => a[0] - b[0])) {
    list.sort((a, b) => x.time.data[a] - x.time.data[b] || a - b);
    if (list.length > opts.maxSessionLength) drop(`${rows} before a user's last ${opts.maxSessionLength}`, list.length - opts.maxSessionLength);
    sessions.push({ user: u, rows: list.slice(-opts.maxSessionLength) });
  }
  // Training examples a session gives: every item after the first, less validation and test.
  let train = sessions.reduce((s, y) => s + Math.max(0, y.rows.length - 3), 0);
  let chosen = sessions;
  if (train > MAX_TRAIN) {
    const order = new Rng(opts.seed, 'convert/users').permutation(sessions.length);
    const picked = new Uint8Array(sessions.length);
    let total = 0;
    for (const i of order) { const t = Math.max(0, sessions[i].rows.length - 3); if (total + t > MAX_TRAIN) continue; picked[i] = 1; total += t; }
    chosen = sessions.filter((_, i) => picked[i]);
    drop(`${rows} of users left out so that training examples stay within ${MAX_TRAIN}`, sessions.filter((_, i) => !picked[i]).reduce((s, y) => s + y.rows.length, 0));
    train = total;
  }
  const itemUsed = new Uint8Array(N);
  for (const s of chosen) for (const i of s.rows) itemUsed[x.item.data[i]] = 1;
  return { chosen, train, itemUsed };
}

/** The import splits queries 80/10/10: at most MAX_TRAIN of them may train; a seeded sample keeps file order. */
export function capQueries<T>(queries: T[], seed: number, drop: Drop): T[] {
  const max = Math.floor(MAX_TRAIN / 0.8);
  if (queries.length <= max) return queries;
  const order = Array.from(new Rng(seed, 'convert/queries').permutation(queries.length).slice(0, max)).sort((a, b) => a - b);
  drop(`queries over the ${max} the import takes (a seeded sample is kept)`, queries.length - max);
  return order.map((i) => queries[i]);
}
