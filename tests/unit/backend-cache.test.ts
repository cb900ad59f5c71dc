import { describe, expect, it } from 'vitest';
import { CHOICES_KEY, EXPIRY_DAYS, forgetChoice, MAX_ENTRIES, readChoices, rememberChoice } from '../../src/app/backend-cache';
import type { BackendChoice } from '../../src/worker/protocol';

function memory(init: Record<string, string> = {}) {
  const m = new Map(Object.entries(init));
  return { getItem: (k: string) => m.get(k) ?? null, setItem: (k: string, v: string) => void m.set(k, v), removeItem: (k: string) => void m.delete(k), m };
}
const choice = (backend: BackendChoice['backend'] = 'wasm'): BackendChoice => ({ backend, speeds: [{ name: backend, msPerStep: 20, steps: 8, note: '' }], reason: 'fastest', measuredAt: '2026-12-01T00:00:00Z' });
const NOW = Date.parse('2026-12-02T00:00:00Z');

describe('the remembered backend choices heal', () => {
  it('never hand a corrupted entry to a run, and drop it', () => {
    for (const garbage of ['null', '[]', '{"k":null}', '{"k":{"backend":"tpu"}}', '{"k":{"backend":"wasm"}}', 'not json', '{"k":{"backend":"wasm","speeds":[{"name":"wasm","msPerStep":-1}],"reason":"","savedAt":"2026-12-01T00:00:00Z"}}']) {
      const s = memory({ [CHOICES_KEY]: garbage });
      expect(readChoices(s, NOW), garbage).toEqual({});
      expect(JSON.parse(s.getItem(CHOICES_KEY)!)).toEqual({});
    }
  });

  it('keep good entries, expire old ones, prune to the most recent, and forget on request', () => {
    const s = memory({ 'bridge-lab:backend-choices': '{"old":1}' });
    rememberChoice('a', choice('webgpu'), s, NOW);
    expect(readChoices(s, NOW).a.backend).toBe('webgpu');
    expect(s.m.has('bridge-lab:backend-choices')).toBe(false); // the old format is gone
    expect(readChoices(s, NOW + (EXPIRY_DAYS + 1) * 86_400_000)).toEqual({});
    for (let i = 0; i < MAX_ENTRIES + 10; i++) rememberChoice(`k${i}`, choice(), s, NOW + i * 1000);
    const kept = Object.keys(readChoices(s, NOW + 100_000));
    expect(kept.length).toBe(MAX_ENTRIES);
    expect(kept).toContain(`k${MAX_ENTRIES + 9}`);
    expect(kept).not.toContain('k0');
    forgetChoice(`k${MAX_ENTRIES + 9}`, s);
    expect(Object.keys(readChoices(s, NOW + 100_000))).not.toContain(`k${MAX_ENTRIES + 9}`);
    forgetChoice(null, s);
    expect(readChoices(s, NOW)).toEqual({});
  });
});
