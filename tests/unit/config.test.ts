import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ConfigError, defaultConfig, IMPORTED_DEFAULTS, importedDataOf, knobsFromReport, PARAMS, parseValue, resolveConfig, withImportedDefaults } from '../../src/engine/core/config';
import { findPreset, PRESETS, presetConfig } from '../../src/engine/core/presets';

describe('config schema', () => {
  it('every default is in range and the defaults build a world', () => {
    expect(() => resolveConfig({})).not.toThrow();
    expect(resolveConfig({})).toEqual(defaultConfig());
  });

  it('parses text values and names what is allowed when they are wrong', () => {
    expect(parseValue('items', '500')).toBe(500);
    expect(parseValue('queryNoise', '0.25')).toBe(0.25);
    expect(parseValue('tieEmbeddings', 'false')).toBe(false);
    expect(parseValue('k', '30')).toBe(30);
    expect(() => parseValue('items', '12.5')).toThrow(/items must be an integer from 20 to 20000/);
    expect(() => parseValue('items', '10')).toThrow(/from 20 to 20000/);
    expect(() => parseValue('queryNoise', 'NaN')).toThrow(/a number from 0 to 1/);
    expect(() => parseValue('queryNoise', '')).toThrow(ConfigError);
    expect(() => parseValue('tieEmbeddings', 'yes')).toThrow(/true or false/);
    expect(() => parseValue('k', '5')).toThrow(/one of 10, 1, 30/);
    expect(() => parseValue('itemz', '5')).toThrow(/unknown key "itemz"/);
  });

  it('rejects worlds that cannot be built', () => {
    expect(() => resolveConfig({ items: 20, topics: 30 })).toThrow(/topics=30 exceeds items=20/);
    expect(() => resolveConfig({ items: 20000, titleWordsPerItem: 8, topics: 64, wordsPerTopic: 200 })).toThrow(/vocabulary would hold/);
    expect(() => resolveConfig({ dim: 24, heads: 5 })).toThrow(/heads=5 must divide dim=24/);
    expect(() => resolveConfig({ recTrain: 0 })).toThrow(/recTrain=0/);
    expect(() => resolveConfig({ dim: 'big' })).toThrow(/dim="big" is not allowed/);
  });

  it('docs/runner.md names every knob, and no knob that does not exist', () => {
    const doc = readFileSync('docs/runner.md', 'utf8');
    const start = doc.indexOf('Every knob (');
    const paragraph = doc.slice(start, doc.indexOf('\n\n', start));
    const named = new Set([...paragraph.matchAll(/`([^`]+)`/g)].flatMap((m) => m[1].split(/\s+/)).filter((w) => /^[a-z][A-Za-z]*$/.test(w)));
    expect(PARAMS.map((p) => p.key).filter((k) => !named.has(k))).toEqual([]);
    // Words in the list's code spans that look like keys must be keys (a renamed knob is caught).
    const keys = new Set<string>(PARAMS.map((p) => p.key));
    expect([...named].filter((w) => !keys.has(w) && !['pca', 'umap'].includes(w))).toEqual([]);
  });

  it('presets are valid and unknown ones are named', () => {
    for (const p of PRESETS) expect(() => presetConfig(p.name)).not.toThrow();
    expect(() => findPreset('nope')).toThrow(/unknown preset "nope"; presets: classroom/);
    expect(PARAMS.length).toBe(new Set(PARAMS.map((p) => p.key)).size);
  });
});

describe('configs of imported data', () => {
  it('imported catalogues get their own defaults for keys the user did not give, and keep the ones given', () => {
    const cfg = resolveConfig({ indexing: 3 });
    expect(withImportedDefaults(cfg, () => false).indexing).toBe(IMPORTED_DEFAULTS.indexing);
    expect(withImportedDefaults(cfg, (k) => k === 'indexing').indexing).toBe(3);
    expect(defaultConfig().indexing).toBe(0); // simulated worlds: queries only, as the stored findings were made
  });

  it('a results file\'s config becomes the settings: its valid knobs, defaults for the rest, data kept', () => {
    const knobs = knobsFromReport({ items: 77, dim: 999, epochs: 5, data: { name: 'ml', categories: ['Drama'] }, notAKnob: 1 });
    expect(knobs.items).toBe(77);
    expect(knobs.epochs).toBe(5);
    expect(knobs.dim).toBe(defaultConfig().dim); // out of range: the default
    expect(knobs.topics).toBe(defaultConfig().topics); // a run on imported data has no simulation keys
    expect(importedDataOf(knobs)).toEqual({ name: 'ml', categories: ['Drama'] });
    expect('notAKnob' in knobs).toBe(false);
    expect(importedDataOf(knobsFromReport({ items: 77 }))).toBeNull();
    expect(importedDataOf({ data: 'x' })).toBeNull();
  });
});
