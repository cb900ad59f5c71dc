/**
 * Named worlds, shared by the runner (`--preset`) and the app. Each is a partial config
 * over the defaults (the defaults are the `classroom` world), with a sentence on what
 * it is for.
 */
import { ConfigError, defaultConfig, resolveConfig, type Config } from './config';

export interface Preset {
  name: string;
  title: string;
  description: string;
  values: Partial<Config>;
}

export const PRESETS: readonly Preset[] = [
  {
    name: 'classroom',
    title: 'Classroom',
    description: 'Small and fast: 300 items, aligned content and CF structure, shared popularity, sparse recommendation data (600 sessions against 4,000 queries) covering 60 % of the items. Both H1 and H2 are visible at once.',
    values: {},
  },
  {
    name: 'h1-shared-popularity',
    title: 'H1 · shared popularity',
    description: 'A larger catalogue (600 items) with sparse recommendation data (300 sessions against 6,000 queries); search and recommendation share one popularity ranking.',
    values: { items: 600, searchTrain: 6000, recTrain: 300, recCoverage: 1, popularityAgreement: 1, contentCfAlignment: 1 },
  },
  {
    name: 'h1-conflicting-popularity',
    title: 'H1 · conflicting popularity',
    description: 'As H1 · shared popularity, but the two popularity rankings are independent.',
    values: { items: 600, searchTrain: 6000, recTrain: 300, recCoverage: 1, popularityAgreement: 0, contentCfAlignment: 1 },
  },
  {
    name: 'h2-aligned-structure',
    title: 'H2 · aligned structure',
    description: 'Content topics and CF clusters coincide; recommendation training covers 60 % of the items.',
    values: { recCoverage: 0.6, contentCfAlignment: 1, popularityAgreement: 1 },
  },
  {
    name: 'h2-unrelated-structure',
    title: 'H2 · unrelated structure',
    description: 'As H2 · aligned, but CF clusters are unrelated to content topics.',
    values: { recCoverage: 0.6, contentCfAlignment: 0, popularityAgreement: 1 },
  },
];

export const PRESET_NAMES = PRESETS.map((p) => p.name);

export function findPreset(name: string): Preset {
  const p = PRESETS.find((x) => x.name === name);
  if (!p) throw new ConfigError(`unknown preset "${name}"; presets: ${PRESET_NAMES.join(', ')}`);
  return p;
}

/** A preset's knobs over the defaults (presets are valid by construction: a test checks). */
export function presetValues(name: string): Config {
  return { ...defaultConfig(), ...findPreset(name).values } as Config;
}

export function presetConfig(name: string, overrides: Partial<Record<string, unknown>> = {}): Config {
  return resolveConfig({ ...findPreset(name).values, ...overrides });
}
