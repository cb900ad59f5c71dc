/**
 * Text with its technical terms explained where they stand: the first time a glossary term
 * appears in a text it is dotted, and hovering, focusing (Tab) or tapping it shows the
 * glossary's sentence (glossary.ts).
 */
import { Fragment, useId } from 'react';
import { GLOSSARY, type GlossaryEntry } from './glossary';

const FORMS = GLOSSARY.flatMap((e) => e.forms.map((f) => ({ form: f, entry: e }))).sort((a, b) => b.form.length - a.form.length);
const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const PATTERN = new RegExp(`(?<![\\w@+])(${FORMS.map((f) => escape(f.form)).join('|')})(?![\\w@+])`, 'g');

/** The text cut into plain parts and the terms to explain (each entry once). */
export function glossParts(text: string): (string | { text: string; entry: GlossaryEntry })[] {
  const out: (string | { text: string; entry: GlossaryEntry })[] = [];
  const seen = new Set<GlossaryEntry>();
  let at = 0;
  for (const m of text.matchAll(PATTERN)) {
    const entry = FORMS.find((f) => f.form === m[1])!.entry;
    if (seen.has(entry)) continue;
    seen.add(entry);
    if (m.index! > at) out.push(text.slice(at, m.index));
    out.push({ text: m[1], entry });
    at = m.index! + m[1].length;
  }
  if (at < text.length) out.push(text.slice(at));
  return out;
}

export function Glossed({ text }: { text: string }) {
  const id = useId();
  return (
    <>
      {glossParts(text).map((p, i) => (typeof p === 'string' ? <Fragment key={i}>{p}</Fragment> : (
        <span key={i} className="term" tabIndex={0} data-term={p.entry.term} aria-describedby={`${id}-${i}`}>
          {p.text}
          <span id={`${id}-${i}`} className="term-tip" role="tooltip">{p.entry.text}</span>
        </span>
      )))}
    </>
  );
}
