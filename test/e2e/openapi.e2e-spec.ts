import { describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { promisify } from 'node:util';

const run = promisify(execFile);
const CLI = 'dist/apps/cli/src/main.js';

/**
 * The committed openapi.json must be exactly what the application produces. The document is rendered by
 * the compiled cli (the Swagger CLI plugin runs at build time), so `npm test` builds first.
 */
describe('OpenAPI drift', () => {
  it('openapi.json matches the built application', async () => {
    expect(existsSync(CLI)).toBe(true);
    const { stdout } = await run('node', [CLI, 'openapi', '--stdout'], {
      maxBuffer: 64 * 1024 * 1024,
      env: { ...process.env, LOG_LEVEL: 'silent' },
    });
    const committed = readFileSync('openapi.json', 'utf8');
    // compare parsed first for a readable failure, then byte-exact
    expect(JSON.parse(stdout).paths ? Object.keys(JSON.parse(stdout).paths).sort() : []).toEqual(
      Object.keys(JSON.parse(committed).paths).sort(),
    );
    expect(stdout).toBe(committed);
  });

  it('documents every operation with auth and error responses', () => {
    const doc = JSON.parse(readFileSync('openapi.json', 'utf8')) as {
      paths: Record<string, Record<string, { operationId: string; responses: Record<string, unknown>; security?: unknown[] }>>;
    };
    const problems: string[] = [];
    for (const [path, item] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(item)) {
        if (!op.operationId) problems.push(`${method} ${path}: no operationId`);
        for (const code of ['400', '500']) if (!op.responses[code]) problems.push(`${method} ${path}: no ${code}`);
        if (op.security && !op.responses['401']) problems.push(`${method} ${path}: secured but no 401`);
      }
    }
    expect(problems).toEqual([]);
  });
});
