/** The lesson's words: every number about a world is read from the world or its stored run, never typed. */
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { LESSON_STEPS } from '../../src/app/lesson/steps';
import { fillText, placeholders, placeholderValue } from '../../src/app/lesson/fill';
import { LESSON_WORLDS, lessonConfig, lessonWorld } from '../../src/engine/studies/lessons';

// Every world's stored run (the stored-evidence test requires each to exist).
const runs = Object.fromEntries(LESSON_WORLDS.filter((w) => existsSync(`public/lessons/${w.id}.json`)).map((w) => [w.id, JSON.parse(readFileSync(`public/lessons/${w.id}.json`, 'utf8'))]));
const texts = LESSON_STEPS.flatMap((s) => [...s.text, s.question].map((t) => ({ step: s.id, t })));

describe('the lesson\'s words', () => {
  it('name only worlds and quantities that exist, and every one has a value from the stored runs', () => {
    for (const { step, t } of texts) {
      for (const p of placeholders(t)) {
        expect(() => lessonWorld(p.world), `${step}: ${p.text}`).not.toThrow();
        const v = placeholderValue(p, runs);
        expect(v, `${step}: ${p.text}`).not.toBeNull();
        if (p.percent) expect(v! >= 0 && v! <= 1, `${step}: ${p.text} is a share`).toBe(true);
      }
    }
    expect(() => placeholderValue({ world: 'classroom', name: 'nonsense' }, runs)).toThrow(/neither a setting nor a run measure/);
  });

  it('type no number about a world: catalogue size, sessions, queries, epochs, seeds and coverage come from placeholders', () => {
    // Allowed: the hypotheses' names, Recall@10, and the knob positions the last step asks the class to try.
    const allowed = [/\bH[12]\b/g, /@10\b/g, /\bto 0(\.2)?\b/g];
    for (const { step, t } of texts) {
      let bare = t.replace(/\{[^}]+\}/g, '');
      for (const a of allowed) bare = bare.replace(a, '');
      expect(bare.match(/\d[\d,.]*/g), `${step}: "${t}"`).toBeNull();
    }
  });

  it('fill the numbers from the settings and the stored runs', () => {
    const classroom = lessonConfig(lessonWorld('classroom'));
    expect(fillText('{classroom:items} items, {classroom:recTrain} sessions', runs)).toBe(`${classroom.items.toLocaleString('en-US')} items, ${classroom.recTrain.toLocaleString('en-US')} sessions`);
    const ml = runs.movielens.report;
    expect(fillText('{movielens:items} movies, {movielens:users} users', runs)).toBe(`${ml.config.items.toLocaleString('en-US')} movies, ${ml.config.data.counts.sessions.toLocaleString('en-US')} users`);
    expect(fillText('{cold:recItems%}', runs)).toMatch(/^\d+ %$/);
    expect(fillText('{movielens:searchItems%}', { ...runs, movielens: undefined })).toBe('…');
  });
});
