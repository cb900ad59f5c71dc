/** The knobs slice: the Lab's world (mirrored in the URL), the view shown and the notices. */
import type { StateCreator } from 'zustand';
import { presetValues } from '../../engine/core/presets';
import { initial } from './initial';
import type { KnobsSlice, LabState } from './types';

export const knobsSlice: StateCreator<LabState, [], [], KnobsSlice> = (set, get) => ({
  view: initial.view,
  config: initial.config,
  preset: initial.preset,
  notices: initial.notices,
  refusal: null,
  colorBy: 'topic',
  setView: (view) => set({ view }),
  setKnob: (key, value) => set({ config: { ...get().config, [key]: value } }),
  applyPreset: (name) => set({ preset: name, config: { ...presetValues(name), seed: get().config.seed } }),
  setColorBy: (colorBy) => set({ colorBy }),
  dismissNotices: () => set({ notices: [], refusal: null }),
  addNotice: (text) => set((s) => ({ notices: [...s.notices, text] })),
});
