#!/usr/bin/env node
// Fails (exit 1) when .env.example and libs/core/src/config/env.dto.ts disagree: a variable in one
// and not the other, a duplicate, or a literal default that differs. Run by scripts/test.sh.
// Usage: node scripts/check-env-example.mjs [env.dto.ts] [.env.example]
import { readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dtoPath = process.argv[2] ?? join(root, 'libs/core/src/config/env.dto.ts');
const examplePath = process.argv[3] ?? join(root, '.env.example');

/** Variables of .env.example that the apps do not read (scripts and docker compose only). */
const NOT_APP_VARIABLES = new Set([
  'S3_LOCAL_PORT',
  'S3_LOCAL_DIR',
  'DEMO',
  'POSTGRES_PASSWORD',
  'HTTP_PORT',
  'MINIO_PORT',
  'MINIO_CONSOLE_PORT',
]);

const problems = [];

// --- env.dto.ts: the properties of `export class EnvDto { ... }` (NAME: type = default; / NAME = default;)
const dtoSource = readFileSync(dtoPath, 'utf8');
const classMatch = /export class EnvDto\s*\{([\s\S]*?)\n\}/.exec(dtoSource);
if (!classMatch) {
  console.error(`check-env-example: no "export class EnvDto { ... }" in ${relative(root, dtoPath)}`);
  process.exit(1);
}
/** name -> { hasDefault, value: the default as a string, or undefined when not a literal } */
const dto = new Map();
const propertyRe = /^\s*(?:readonly\s+)?([A-Z][A-Z0-9_]*)\s*([?!])?\s*(?::([^=;]*))?(?:=\s*([^;]*))?;/gm;
for (const m of classMatch[1].matchAll(propertyRe)) {
  const [, name, , , rawDefault] = m;
  if (dto.has(name)) problems.push(`${name} is declared twice in env.dto.ts`);
  dto.set(name, {
    hasDefault: rawDefault !== undefined,
    value: rawDefault === undefined ? undefined : literal(rawDefault.trim()),
  });
}
if (dto.size === 0) problems.push('found no variables in EnvDto (did its layout change?)');

function literal(text) {
  let m;
  if ((m = /^'((?:[^'\\]|\\.)*)'$/.exec(text)) || (m = /^"((?:[^"\\]|\\.)*)"$/.exec(text))) {
    return m[1].replace(/\\(.)/g, '$1');
  }
  if (/^-?[0-9][0-9_]*(\.[0-9]+)?$/.test(text)) return text.replace(/_/g, '');
  if (text === 'true' || text === 'false') return text;
  return undefined; // an expression: not compared
}

// --- .env.example: KEY=value lines (comments and blank lines ignored)
const example = new Map();
readFileSync(examplePath, 'utf8')
  .split(/\r?\n/)
  .forEach((line, i) => {
    if (/^\s*(#|$)/.test(line)) return;
    const m = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$/.exec(line);
    if (!m) {
      problems.push(`.env.example line ${i + 1} is not KEY=value: ${line}`);
      return;
    }
    const [, name, raw] = m;
    let value = raw.trim();
    const quoted = /^"(.*)"$/.exec(value) ?? /^'(.*)'$/.exec(value);
    value = quoted ? quoted[1] : value.replace(/\s+#.*$/, '');
    if (example.has(name)) problems.push(`${name} appears twice in .env.example`);
    example.set(name, value);
  });

for (const [name, { hasDefault, value }] of dto) {
  const given = example.get(name);
  if (given === undefined) {
    problems.push(`${name} is in env.dto.ts but missing from .env.example`);
  } else if (value !== undefined && given !== value) {
    problems.push(`${name}: default is ${JSON.stringify(value)} in env.dto.ts but ${JSON.stringify(given)} in .env.example`);
  } else if (!hasDefault && given !== '') {
    problems.push(`${name} has no default in env.dto.ts: leave it empty in .env.example (${name}=)`);
  }
}
for (const name of example.keys()) {
  if (!dto.has(name) && !NOT_APP_VARIABLES.has(name)) {
    problems.push(`${name} is in .env.example but not in env.dto.ts (remove it, or list it in NOT_APP_VARIABLES of scripts/check-env-example.mjs)`);
  }
}

if (problems.length > 0) {
  console.error(`check-env-example: ${relative(root, examplePath)} and ${relative(root, dtoPath)} disagree:`);
  for (const p of problems) console.error(`  - ${p}`);
  process.exit(1);
}
console.log(`check-env-example: .env.example matches env.dto.ts (${dto.size} variables)`);
