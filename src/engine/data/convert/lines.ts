/**
 * Line-by-line CSV for the converters: public dumps can be larger than a string may be
 * (ml-25m's ratings.csv is 678 MB), so their files are read as lines — in Node from a
 * stream, in the page from the file's text — one row per line (these layouts have no
 * line breaks inside fields), quoted fields with commas and doubled quotes allowed.
 */
import { dataError } from '../csv';

export type Lines = Iterable<string> | AsyncIterable<string>;

/** The fields of one CSV line, or null when a quote is left open. */
export function splitCsvLine(line: string): string[] | null {
  const out: string[] = [];
  let field = '', quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quoted) {
      if (c === '"') {
        if (line[i + 1] === '"') { field += '"'; i++; } else quoted = false;
      } else field += c;
    } else if (c === '"' && field === '') quoted = true;
    else if (c === ',') { out.push(field); field = ''; }
    else field += c;
  }
  if (quoted) return null;
  out.push(field);
  return out;
}

/** A value as a CSV field (quoted where it must be). */
export function csvField(v: string): string {
  return /[",\n\r]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

/** Reads `file`'s lines: a header with the `required` columns, then one row per line (blank lines skipped). */
export async function readCsvLines(file: string, lines: Lines, required: string[], onRow: (row: Record<string, string>, line: number) => void): Promise<void> {
  let header: string[] | null = null;
  let line = 0;
  for await (const raw of lines as AsyncIterable<string>) {
    line++;
    const text = line === 1 && raw.charCodeAt(0) === 0xfeff ? raw.slice(1) : raw.replace(/\r$/, '');
    if (!header) {
      header = splitCsvLine(text)?.map((h) => h.trim()) ?? [];
      const missing = required.filter((c) => !header!.includes(c));
      if (missing.length) throw dataError(file, 1, `the header lacks ${missing.join(', ')} (it has ${header.join(', ') || 'nothing'}; needed: ${required.join(', ')})`);
      continue;
    }
    if (!text.trim()) continue;
    const fields = splitCsvLine(text);
    if (!fields) throw dataError(file, line, 'a quoted field is not closed on this line');
    if (fields.length !== header.length) throw dataError(file, line, `${fields.length} fields where the header has ${header.length}`);
    const row: Record<string, string> = {};
    header.forEach((h, i) => (row[h] = fields[i]));
    onRow(row, line);
  }
  if (!header) throw dataError(file, null, `the file is empty; it needs a header row with ${required.join(', ')}`);
}
