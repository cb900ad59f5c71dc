/**
 * Docs that stay true: every relative link and anchor resolves; every flag of every command
 * and every knob is documented in docs/runner.md; every built-in study is listed there;
 * every source file is in docs/architecture.md's code map.
 */
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { flagsOf } from '../../src/cli/args';
import { COMMANDS } from '../../src/cli/commands';
import { withFlagsBlock } from '../../src/cli/docs-flags';
import { SWEEP_EXPERIMENTS } from '../../src/engine/studies/sweep';
import { LESSON_WORLDS } from '../../src/engine/studies/lessons';

const ROOT = resolve(__dirname, '../..');

function files(dir: string, test: (f: string) => boolean): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? files(p, test) : test(f) ? [p] : [];
  });
}

/** GitHub's anchor of a heading. */
export function slug(heading: string): string {
  return heading.trim().toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, '').replace(/\s/g, '-');
}

function anchors(file: string): Set<string> {
  const text = readFileSync(file, 'utf8').replace(/```[\s\S]*?```/g, '');
  return new Set([...text.matchAll(/^#{1,6}\s+(.+)$/gm)].map((m) => slug(m[1])));
}

/** Broken relative links (and anchors) of the Markdown files given, as "file: link". */
export function brokenLinks(mdFiles: string[]): string[] {
  const bad: string[] = [];
  for (const file of mdFiles) {
    const text = readFileSync(file, 'utf8').replace(/```[\s\S]*?```/g, '').replace(/`[^`\n]*`/g, '');
    for (const m of text.matchAll(/\]\(([^)\s]+)\)/g)) {
      const link = m[1];
      if (/^[a-z]+:/i.test(link)) continue; // http:, https:, mailto:
      const [path, anchor] = link.split('#');
      const target = path ? resolve(dirname(file), path) : file;
      if (!existsSync(target)) { bad.push(`${relative(ROOT, file)}: ${link}`); continue; }
      if (anchor && target.endsWith('.md') && !anchors(target).has(anchor)) bad.push(`${relative(ROOT, file)}: ${link}`);
    }
  }
  return bad;
}

const markdown = () => [join(ROOT, 'README.md'), ...files(join(ROOT, 'docs'), (f) => f.endsWith('.md')), ...files(join(ROOT, 'public/data'), (f) => f.endsWith('.md'))];

describe('the docs', () => {
  it('have no broken relative link or anchor', () => {
    expect(brokenLinks(markdown())).toEqual([]);
  });

  it('find a planted broken link and a planted broken anchor', async () => {
    const { mkdtempSync, writeFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(join(tmpdir(), 'bl-docs-'));
    const f = join(dir, 'a.md');
    writeFileSync(f, '# A title, here\n\n[ok](#a-title-here) [gone](nothing.md) [bad](#no-such) [web](https://example.org)\n');
    expect(brokenLinks([f]).map((x) => x.split(': ')[1])).toEqual(['nothing.md', '#no-such']);
  });

  it('give every command\'s current flags in docs/runner.md (npm run docs:flags writes them)', () => {
    const doc = readFileSync(join(ROOT, 'docs/runner.md'), 'utf8');
    expect(withFlagsBlock(doc) === doc, 'docs/runner.md\'s flags are not current: run npm run docs:flags').toBe(true);
    const missing = COMMANDS.flatMap((c) => flagsOf(c).filter((f) => !doc.includes(`--${f.name}`)).map((f) => `${c.name} --${f.name}`));
    expect(missing).toEqual([]);
  });

  it('list every built-in study in docs/runner.md', () => {
    const doc = readFileSync(join(ROOT, 'docs/runner.md'), 'utf8');
    expect(SWEEP_EXPERIMENTS.map((e) => e.name).filter((n) => !doc.includes(`\`${n}\``))).toEqual([]);
  });

  it('have a glossary equal to the app\'s (BRIDGE_WRITE_DOCS=1 rewrites it), with the words a teacher needs', async () => {
    const { GLOSSARY, glossaryMarkdown } = await import('../../src/app/glossary');
    const file = join(ROOT, 'docs/glossary.md');
    if (process.env.BRIDGE_WRITE_DOCS === '1') writeFileSync(file, glossaryMarkdown());
    expect(readFileSync(file, 'utf8')).toBe(glossaryMarkdown());
    const terms = GLOSSARY.map((e) => e.term).join(' | ');
    for (const t of ['H1', 'H2', 'CF', 'popularity KL', 'Recall@10', 'NDCG@10', 'joint gain', 'percentage points', 'BM25', 'bi-encoder', 'semantic ID', 'cold item', 'seed', '95 % interval']) expect(terms).toContain(t);
  });

  it('explain a term where it first stands in a text, once, never inside another word', async () => {
    const { glossParts } = await import('../../src/app/Glossed');
    const parts = glossParts('H1 and H1 again: Gen_R+S beats Gen_R on cold items over 10 seeds; speeds are not seeds.');
    const terms = parts.filter((p) => typeof p !== 'string').map((p) => (p as { text: string }).text);
    expect(terms).toEqual(['H1', 'Gen_R+S', 'cold items', 'seeds']); // Gen_R shares Gen_R+S's entry
    expect(parts.map((p) => (typeof p === 'string' ? p : p.text)).join('')).toBe('H1 and H1 again: Gen_R+S beats Gen_R on cold items over 10 seeds; speeds are not seeds.');
  });

  it('name every lesson world in docs/app.md, for the links that take one', () => {
    const doc = readFileSync(join(ROOT, 'docs/app.md'), 'utf8');
    expect(LESSON_WORLDS.map((w) => w.id).filter((id) => !doc.includes(`\`${id}\``))).toEqual([]);
  });

  it('name every source file in docs/architecture.md\'s code map', () => {
    const doc = readFileSync(join(ROOT, 'docs/architecture.md'), 'utf8');
    const src = files(join(ROOT, 'src'), (f) => /\.(ts|tsx|css)$/.test(f) && !f.endsWith('.d.ts'));
    const unnamed = src.map((f) => relative(join(ROOT, 'src'), f)).filter((f) => {
      const base = f.split('/').pop()!;
      const name = base.replace(/\.(ts|tsx|css)$/, '');
      return !doc.includes(base) && !doc.includes(`\`${name}\``) && !new RegExp(`[\`(, ]${name}[\`), …]`).test(doc);
    });
    expect(unnamed).toEqual([]);
  });
});
