import { once } from 'node:events';
import { createWriteStream, type WriteStream } from 'node:fs';

/**
 * CSV (RFC 4180: CRLF line ends, fields quoted when they hold a comma, quote, CR or LF), safe to open
 * in spreadsheet programs: a text cell starting with = + - @ TAB or CR is prefixed with a single quote
 * so it is shown as text and never evaluated as a formula (OWASP "CSV injection").
 */

const FORMULA_START = /^[=+\-@\t\r]/;
const NEEDS_QUOTES = /[",\r\n]/;

/** One cell. Numbers are written as they are; text is neutralised and quoted as needed. */
export function csvCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  let s = value instanceof Date ? value.toISOString() : String(value);
  if (FORMULA_START.test(s)) s = `'${s}`;
  return NEEDS_QUOTES.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** One line, CRLF-terminated. */
export function csvLine(cells: readonly unknown[]): string {
  return `${cells.map(csvCell).join(',')}\r\n`;
}

/** UTF-8 byte order mark: lets Excel read non-ASCII names correctly. */
export const UTF8_BOM = '\uFEFF';

/**
 * Streams CSV lines to a file with backpressure: memory stays bounded by one batch of lines
 * whatever the number of rows.
 */
export class CsvFileWriter {
  private readonly out: WriteStream;
  private failed: Error | null = null;

  constructor(
    readonly path: string,
    bom = true,
  ) {
    this.out = createWriteStream(path, { encoding: 'utf8' });
    this.out.on('error', (err) => {
      this.failed = err;
    });
    if (bom) this.out.write(UTF8_BOM);
  }

  /** Writes several rows at once; resolves when the stream can take more. */
  async writeRows(rows: ReadonlyArray<readonly unknown[]>): Promise<void> {
    if (this.failed) throw this.failed;
    let chunk = '';
    for (const r of rows) chunk += csvLine(r);
    if (!this.out.write(chunk)) await once(this.out, 'drain');
    if (this.failed) throw this.failed;
  }

  /** Flushes and closes; resolves with the file's size in bytes. */
  async close(): Promise<number> {
    if (this.failed) throw this.failed;
    this.out.end();
    await once(this.out, 'finish');
    if (this.failed) throw this.failed;
    return this.out.bytesWritten;
  }

  /** Closes without caring for errors (cleanup after a failure). */
  destroy(): void {
    this.out.destroy();
  }
}

/**
 * Parses CSV text (RFC 4180, optional BOM) into rows of strings. Used by tests and tools to read back
 * what the writer produced.
 */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  let i = text.startsWith(UTF8_BOM) ? 1 : 0;
  for (; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          cell += '"';
          i++;
        } else quoted = false;
      } else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(cell);
      cell = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
    } else cell += c;
  }
  if (cell !== '' || row.length > 0) {
    row.push(cell);
    rows.push(row);
  }
  return rows;
}
