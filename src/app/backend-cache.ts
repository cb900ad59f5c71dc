/**
 * The measured backend choices the page remembers across visits (localStorage), made to
 * heal: entries are versioned, checked when read (a corrupted one is dropped, never
 * used), expire after EXPIRY_DAYS, are pruned to the MAX_ENTRIES most recent, and are
 * forgotten on a training error, a lost device or *Measure again*. No tfjs here.
 */
import { BACKENDS } from '../engine/core/backends';
import type { BackendChoice } from '../worker/protocol';

/** The storage key carries the entry format's version; older formats are removed. */
export const CHOICES_KEY = 'bridge-lab:backend-choices@2';
const OLD_KEYS = ['bridge-lab:backend-choices'];
export const MAX_ENTRIES = 40;
export const EXPIRY_DAYS = 30;

type Store = Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;
type Entry = BackendChoice & { savedAt: string };

function storage(): Store | null {
  try {
    return typeof localStorage === 'undefined' ? null : localStorage;
  } catch {
    return null; // storage blocked
  }
}

function valid(x: unknown, now: number): x is Entry {
  const e = x as Entry;
  if (!e || typeof e !== 'object' || !BACKENDS.includes(e.backend) || !Array.isArray(e.speeds) || typeof e.reason !== 'string') return false;
  if (!e.speeds.every((s) => s && BACKENDS.includes(s.name) && (s.msPerStep === null || (typeof s.msPerStep === 'number' && s.msPerStep > 0)))) return false;
  const saved = Date.parse(e.savedAt);
  return Number.isFinite(saved) && saved <= now + 60_000 && now - saved < EXPIRY_DAYS * 86_400_000;
}

/** The valid, unexpired entries; anything else in storage is dropped (and the storage rewritten). */
export function readChoices(store: Store | null = storage(), now = Date.now()): Record<string, BackendChoice> {
  if (!store) return {};
  try {
    for (const k of OLD_KEYS) store.removeItem(k);
    const raw = store.getItem(CHOICES_KEY);
    if (raw === null) return {};
    let parsed: unknown;
    try { parsed = JSON.parse(raw); } catch { parsed = null; }
    const isObject = !!parsed && typeof parsed === 'object' && !Array.isArray(parsed);
    const entries = isObject ? Object.entries(parsed as Record<string, unknown>) : [];
    const good = entries.filter((kv): kv is [string, Entry] => valid(kv[1], now));
    if (!isObject || good.length !== entries.length) write(store, Object.fromEntries(good));
    return Object.fromEntries(good);
  } catch {
    return {};
  }
}

function write(store: Store, entries: Record<string, Entry>): void {
  const kept = Object.entries(entries).sort((a, b) => Date.parse(b[1].savedAt) - Date.parse(a[1].savedAt)).slice(0, MAX_ENTRIES);
  try {
    store.setItem(CHOICES_KEY, JSON.stringify(Object.fromEntries(kept)));
  } catch { /* storage full or blocked: measure again next time */ }
}

export function rememberChoice(key: string, choice: BackendChoice, store: Store | null = storage(), now = Date.now()): void {
  if (!store) return;
  const { backend, speeds, reason, measuredAt } = choice;
  write(store, { ...(readChoices(store, now) as Record<string, Entry>), [key]: { backend, speeds, reason, measuredAt, savedAt: new Date(now).toISOString() } });
}

/** Forgets one entry (after a training error or a lost device), or all of them (*Measure again*). */
export function forgetChoice(key: string | null, store: Store | null = storage()): void {
  if (!store) return;
  if (key === null) {
    try { store.removeItem(CHOICES_KEY); } catch { /* blocked */ }
    return;
  }
  const all = readChoices(store) as Record<string, Entry>;
  delete all[key];
  write(store, all);
}
