/**
 * Reading one RFC 4180 CSV file (UTF-8, header row, quoted fields with commas, quotes and
 * line breaks, CRLF or LF) with papaparse, strictly: a missing header or column, an
 * unparsable line, an empty file or one over the limits is refused with `file:line:
 * problem`. Each row keeps the line it starts on, so later checks can name it too.
 */
import Papa from 'papaparse';
import { ConfigError } from '../core/config';

export const CSV_LIMITS = { bytes: 256 * 1024 * 1024, rows: 5_000_000 };

export interface CsvRow {
  /** 1-based line of the file where the row starts (the header is line 1). */
  line: number;
  values: Record<string, string>;
}

/** An error naming the file and line, as the runner and the app show it. */
export class DataError extends ConfigError {}

export function dataError(file: string, line: number | null, problem: string): DataError {
  return new DataError(`${file}${line ? `:${line}` : ''}: ${problem}`);
}

const MIB = 1024 * 1024;

/** Refuses a file of `bytes` bytes over the limit: checked before the file is read. */
export function checkFileSize(file: string, bytes: number): void {
  if (bytes > CSV_LIMITS.bytes) throw dataError(file, null, `the file is ${(bytes / MIB).toFixed(1)} MiB, over the limit of ${CSV_LIMITS.bytes / MIB} MiB`);
}

/** Parses `text` (the contents of `file`), which must have the `required` columns. */
export function parseCsv(file: string, text: string, required: string[]): CsvRow[] {
  // Readers check the bytes first (checkFileSize); a UTF-8 file has at least as many bytes
  // as characters, so this refuses nothing they let through, and guards direct callers.
  if (text.length > CSV_LIMITS.bytes) throw dataError(file, null, `the file has ${(text.length / MIB).toFixed(1)} M characters, over the limit of ${CSV_LIMITS.bytes / MIB} MiB`);
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text; // a UTF-8 byte-order mark
  if (!body.trim()) throw dataError(file, null, `the file is empty; it needs a header row with ${required.join(', ')} and at least one row`);
  // Line numbers: count the line breaks before each row's first character.
  const breaks: number[] = [];
  for (let i = body.indexOf('\n'); i >= 0; i = body.indexOf('\n', i + 1)) breaks.push(i);
  const lineAt = (offset: number) => {
    let lo = 0, hi = breaks.length;
    while (lo < hi) { const mid = (lo + hi) >> 1; if (breaks[mid] < offset) lo = mid + 1; else hi = mid; }
    return lo + 1;
  };
  const rows: CsvRow[] = [];
  let header: string[] | null = null;
  let start = 0;
  let failure: DataError | null = null;
  Papa.parse<string[]>(body, {
    header: false,
    delimiter: ',',
    skipEmptyLines: false,
    step: (result, parser) => {
      const line = lineAt(start);
      const next = result.meta.cursor;
      const fields = result.data;
      const isBlank = fields.length === 1 && fields[0] === '';
      if (result.errors.length) {
        failure = dataError(file, line, `cannot be parsed: ${result.errors[0].message}`);
        parser.abort();
        return;
      }
      if (!header) {
        header = fields.map((f) => f.trim());
        const twice = header.filter((h, i) => h !== '' && header!.indexOf(h) !== i);
        if (twice.length) {
          failure = dataError(file, 1, `the header row names the column${twice.length > 1 ? 's' : ''} ${[...new Set(twice)].join(', ')} more than once; each column must be named once`);
          parser.abort();
          return;
        }
        const missing = required.filter((c) => !header!.includes(c));
        if (missing.length) {
          failure = dataError(file, 1, `the header row lacks the column${missing.length > 1 ? 's' : ''} ${missing.join(', ')} (found: ${header.join(', ') || 'nothing'}; required: ${required.join(', ')})`);
          parser.abort();
        }
      } else if (!isBlank) {
        if (fields.length !== header.length) {
          failure = dataError(file, line, `has ${fields.length} field${fields.length === 1 ? '' : 's'}, the header has ${header.length}`);
          parser.abort();
          return;
        }
        const values: Record<string, string> = {};
        header.forEach((h, i) => { values[h] = fields[i]; });
        rows.push({ line, values });
        if (rows.length > CSV_LIMITS.rows) {
          failure = dataError(file, line, `more than ${CSV_LIMITS.rows.toLocaleString('en')} rows, the limit`);
          parser.abort();
        }
      }
      // Past this row and its line break.
      start = next;
      while (start < body.length && (body[start] === '\r' || body[start] === '\n')) {
        if (body[start] === '\n') { start++; break; }
        start++;
      }
    },
  });
  if (failure) throw failure;
  if (!rows.length) throw dataError(file, null, `has a header but no rows`);
  return rows;
}
