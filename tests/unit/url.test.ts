import { describe, expect, it } from 'vitest';
import { defaultConfig } from '../../src/engine/core/config';
import { parseUrl, toQuery } from '../../src/app/url';

describe('URL state', () => {
  it('round-trips a config and preset', () => {
    const cfg = { ...defaultConfig(), items: 420, seed: 9, tieEmbeddings: false, recCoverage: 0.4 };
    const q = toQuery(cfg, 'classroom');
    const back = parseUrl(q);
    expect(back.config).toEqual(cfg);
    expect(back.notices).toEqual([]);
    const p = parseUrl('?preset=h2-unrelated-structure&seed=4');
    expect(p.config.contentCfAlignment).toBe(0);
    expect(p.config.seed).toBe(4);
    expect(toQuery(p.config, p.preset)).toBe('?preset=h2-unrelated-structure&seed=4');
  });

  it('keeps the link\'s forced backend and autorun when the address bar is rewritten', () => {
    const p = parseUrl('?backend=wasm&autorun=1&preset=h2-unrelated-structure&seed=4');
    const q = toQuery({ ...p.config, seed: 5 }, p.preset, 'lab', { backend: p.backend, autorun: p.autorun });
    expect(q).toBe('?backend=wasm&autorun=1&preset=h2-unrelated-structure&seed=5');
    const back = parseUrl(q);
    expect([back.backend, back.autorun, back.config.seed, back.notices]).toEqual(['wasm', true, 5, []]);
    expect(toQuery(p.config, p.preset, 'lab', { backend: null, autorun: false })).toBe('?preset=h2-unrelated-structure&seed=4');
  });

  it('replaces bad parameters by defaults and names each one', () => {
    const s = parseUrl('?items=abc&queryNoise=7&bogus=1&preset=nope&k=10');
    expect(s.config.items).toBe(defaultConfig().items);
    expect(s.config.queryNoise).toBe(defaultConfig().queryNoise);
    expect(s.notices.join('\n')).toMatch(/items="abc" is not allowed: items must be an integer from 20 to 20000/);
    expect(s.notices.join('\n')).toMatch(/queryNoise="7" is not allowed/);
    expect(s.notices.join('\n')).toMatch(/"bogus" is not a parameter/);
    expect(s.notices.join('\n')).toMatch(/preset=nope is not a preset/);
    expect(s.notices).toHaveLength(4);
  });

  it('refuses prototype names like any other unknown key', () => {
    const s = parseUrl('?constructor=1&toString=x&__proto__=2');
    expect(s.notices.join('\n')).toMatch(/"constructor" is not a parameter/);
    expect(s.notices.join('\n')).toMatch(/"toString" is not a parameter/);
    expect(s.config).toEqual(defaultConfig());
  });

  it('resets settings that cannot be built together', () => {
    const s = parseUrl('?items=20&topics=40');
    expect(s.config.items).toBe(defaultConfig().items);
    expect(s.notices[0]).toMatch(/cannot be built together \(.*topics=40 exceeds items=20.*\), so items, topics were reset/);
  });

  it('backend= forces one backend; without it the worker measures; a bad value is named', () => {
    expect(parseUrl('?backend=wasm').backend).toBe('wasm');
    expect(parseUrl('').backend).toBeNull();
    const bad = parseUrl('?backend=tpu');
    expect(bad.backend).toBeNull();
    expect(bad.notices[0]).toMatch(/backend=tpu is not allowed: use one of webgpu, webgl, wasm, cpu\. Measuring and using the fastest/);
  });
});

describe('the Compare view in the link', () => {
  it('keeps a pair of stored runs, refuses anything else by name, and writes the pair back', async () => {
    const { parseUrl, toQuery, DEFAULT_COMPARE } = await import('../../src/app/url');
    const ok = parseUrl('?view=compare&a=lesson:cold&b=lesson:cold-semantic');
    expect(ok.view).toBe('compare');
    expect(ok.compare).toEqual({ a: 'lesson:cold', b: 'lesson:cold-semantic' });
    expect(ok.notices).toEqual([]);
    const bad = parseUrl('?view=compare&a=file:mine.json&b=lesson:nowhere');
    expect(bad.compare).toEqual(DEFAULT_COMPARE);
    expect(bad.notices.join(' ')).toMatch(/a=file:mine\.json is not allowed: a link names stored lesson runs/);
    expect(bad.notices.join(' ')).toMatch(/b=lesson:nowhere is not allowed/);
    // A preset's name stands for the lesson world that is that preset.
    const byPreset = parseUrl('?view=compare&a=lesson:h1-shared-popularity&b=lesson:h2-unrelated-structure');
    expect([byPreset.compare, byPreset.notices]).toEqual([{ a: 'lesson:h1-shared', b: 'lesson:h2-unrelated' }, []]);
    expect(toQuery(ok.config, ok.preset, 'compare', { compare: ok.compare })).toBe('?view=compare&a=lesson%3Acold&b=lesson%3Acold-semantic');
    expect(toQuery(ok.config, ok.preset, 'compare', { compare: { a: 'current', b: 'lesson:cold' } })).toBe('?view=compare');
  });
});

describe('one chart alone (embed=1)', () => {
  it('takes a lesson world by id or by its preset\'s name, and names the allowed worlds otherwise', async () => {
    const { parseEmbed } = await import('../../src/app/Embed');
    expect(parseEmbed('?embed=1&world=h2-aligned&chart=embedding-joint')).toEqual({ world: 'h2-aligned', chart: 'embedding-joint' });
    expect(parseEmbed('?embed=1&world=h2-aligned-structure&chart=embedding-joint')).toEqual({ world: 'h2-aligned', chart: 'embedding-joint' });
    const bad = parseEmbed('?embed=1&world=nowhere&chart=embedding-joint');
    expect('problem' in bad && bad.problem).toMatch(/world=nowhere is not allowed: use one of classroom, h1-shared, .*cold/);
  });
});
