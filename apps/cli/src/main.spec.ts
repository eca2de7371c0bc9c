import { describe, expect, it } from '@jest/globals';
import { commands } from './commands';
import { renderMigration } from './database.commands';
import { parseArgv } from './main';

describe('cli', () => {
  it('parses the command, positionals and flags', () => {
    const parsed = parseArgv(['migrate:generate', 'AddThing', '--demo', '--out=x.json']);
    expect(parsed.name).toBe('migrate:generate');
    expect(parsed.args).toEqual(['AddThing']);
    expect([...parsed.flags]).toEqual([
      ['demo', true],
      ['out', 'x.json'],
    ]);
  });

  it('registers the database commands', () => {
    expect(Object.keys(commands)).toEqual(
      expect.arrayContaining(['db:create', 'migrate', 'migrate:revert', 'migrate:generate', 'migrate:check', 'seed']),
    );
  });

  it('renders a migration whose SQL survives template literals and reverts in reverse order', () => {
    const code = renderMigration(
      'AddThing1764150000001',
      [{ query: 'CREATE TABLE "a" ("x" text DEFAULT \'`${y}\\\'\')' }, { query: 'SELECT 2' }],
      [{ query: 'SELECT 3' }, { query: 'DROP TABLE "a"' }],
    );
    expect(code).toContain("name = 'AddThing1764150000001';");
    expect(code).toContain('\\`\\${y}\\\\');
    expect(code.indexOf('DROP TABLE "a"')).toBeLessThan(code.indexOf('SELECT 3'));
  });
});
