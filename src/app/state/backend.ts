/**
 * The backend slice: which backend the worker runs on, as it reported it, and what each
 * job asks for (`backend=` in the URL forces one; otherwise the worker measures, helped by
 * the choices remembered in backend-cache.ts).
 */
import type { StateCreator } from 'zustand';
import { BACKENDS } from '../../engine/core/backends';
import type { BackendRequest, FromWorker } from '../../worker/protocol';
import { forgetChoice, readChoices, rememberChoice } from '../backend-cache';
import { initial } from './initial';
import type { BackendSlice, LabState, Store } from './types';

export const backendSlice: StateCreator<LabState, [], [], BackendSlice> = () => ({ backend: null });

/** What a job asks the worker for. */
export function backendRequest(): BackendRequest {
  if (initial.backend) return { mode: 'forced', order: BACKENDS.slice(BACKENDS.indexOf(initial.backend)) };
  return { mode: 'measure', cache: readChoices() };
}

/** The worker chose (or fell back to) a backend. */
export function onBackendMessage(store: Store, m: Extract<FromWorker, { type: 'backend' }>): void {
  if (m.choice && !m.choice.cached) rememberChoice(m.choice.cacheKey, m.choice);
  // A fallback (a lost device, a backend that failed) makes the remembered choice suspect.
  const before = store.getState().backend?.choice?.cacheKey;
  if (m.note && before) forgetChoice(before);
  store.setState({ backend: { name: m.backend, attempts: m.attempts, note: m.note, choice: m.choice, wasm: m.wasm } });
}

/** A run failed: measure again next time rather than trust the remembered choice. */
export function forgetBackendChoice(store: Store): void {
  const key = store.getState().backend?.choice?.cacheKey;
  if (key) forgetChoice(key);
}
