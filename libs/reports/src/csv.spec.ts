import { describe, expect, it } from '@jest/globals';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { csvCell, csvLine, CsvFileWriter, parseCsv } from './csv';

describe('csv', () => {
  it('neutralises formula starts and quotes what needs quoting', () => {
    expect(csvCell('=HYPERLINK("http://evil","x")')).toBe(`"'=HYPERLINK(""http://evil"",""x"")"`);
    expect(csvCell('+1')).toBe("'+1");
    expect(csvCell('-2+3')).toBe("'-2+3");
    expect(csvCell('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvCell('\tcmd')).toBe("'\tcmd");
    expect(csvCell('\rcmd')).toBe(`"'\rcmd"`);
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('line\nbreak')).toBe('"line\nbreak"');
    expect(csvCell('plain')).toBe('plain');
    expect(csvCell(-5)).toBe('-5');
    expect(csvCell(99.2)).toBe('99.2');
    expect(csvCell(null)).toBe('');
    expect(csvCell(undefined)).toBe('');
    expect(csvLine(['a', 1, null])).toBe('a,1,\r\n');
  });

  it('round-trips through the parser, BOM included', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'csv-spec-'));
    try {
      const w = new CsvFileWriter(join(dir, 'x.csv'));
      const rows = [
        ['id', 'name', 'note'],
        ['1', 'Zoë "Z" Ångström', 'multi\nline, with comma'],
        ['2', '=1+1', ''],
      ];
      await w.writeRows(rows);
      const size = await w.close();
      const text = readFileSync(join(dir, 'x.csv'), 'utf8');
      expect(Buffer.byteLength(text)).toBe(size);
      expect(parseCsv(text)).toEqual([rows[0], rows[1], ['2', "'=1+1", '']]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
